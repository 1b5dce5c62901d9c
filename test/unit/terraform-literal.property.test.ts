/**
 * Property tests of the Terraform escaping of rendered text: Terraform makes exactly the text
 * again of whatever `terraformLiteral` writes, and no `${` or `%{` is left for it to evaluate.
 */
import fc from "fast-check";
import { terraformLiteral, terraformLiteralValue } from "../../lib/constructs/terraform-literal";
import { propertyRuns } from "../support/property-runs";

/** Text dense in what Terraform reads as templates: `$`, `%`, braces and runs of them. */
const templateLike = fc.string({ unit: fc.constantFrom("$", "%", "{", "}", "$${", "%%{", "a", "\n"), maxLength: 60 });

test("any text comes back exactly, with every `${` and `%{` escaped", () => {
  fc.assert(
    fc.property(fc.oneof(templateLike, fc.string({ unit: "grapheme", maxLength: 200 })), (text) => {
      const written = terraformLiteral(text);
      expect(terraformLiteralValue(written)).toBe(text);
      expect(written.replace(/\$\$\{|%%\{/g, "\u0000")).not.toMatch(/\$\{|%\{/);
    }),
    { numRuns: propertyRuns(5000) },
  );
});

test("a sequence that looks escaped already is escaped once more", () => {
  expect(terraformLiteral("$${x} %%{y} $%{z}")).toBe("$$${x} %%%{y} $%%{z}");
});
