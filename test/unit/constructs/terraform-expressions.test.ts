/**
 * Every Terraform expression we synthesize parses with HashiCorp's own HCL parser (the WASM
 * build cdktf uses): a typo in a `for` expression or an unescaped `${` in rendered content would
 * otherwise only surface at `terraform plan`.
 */
import { getExpressionAst, getReferencesInExpression } from "@cdktf/hcl2json";
import { synthExample, type TerraformJson } from "../../support/synth";
import { variants } from "../../support/variants";

/** Every string in the document that Terraform reads as a template (it holds `${` or `%{`). */
function templates(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (typeof value === "string") {
    if (value.includes("${") || value.includes("%{")) found.add(value);
  } else if (Array.isArray(value)) {
    value.forEach((v) => templates(v, found));
  } else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) if (key !== "//") templates(v, found);
  }
  return found;
}

/**
 * A template from cdk.tf.json as a quoted template of a .tf file: literal text gets HCL string
 * escapes, the inside of `${…}` and `%{…}` stays as written (quotes there belong to the expression).
 */
function quoted(template: string): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if ((c === "$" || c === "%") && template[i + 1] === c && template[i + 2] === "{") {
      out += c + c + "{";
      i += 2;
    } else if ((c === "$" || c === "%") && template[i + 1] === "{") {
      let depth = 0;
      let inString = false;
      let j = i + 1;
      for (; j < template.length; j++) {
        const d = template[j]!;
        if (inString) {
          if (d === "\\") j++;
          else if (d === '"') inString = false;
        } else if (d === '"') inString = true;
        else if (d === "{") depth++;
        else if (d === "}" && --depth === 0) break;
      }
      out += template.slice(i, j + 1);
      i = j;
    } else {
      out += c === "\\" ? "\\\\" : c === '"' ? '\\"' : c === "\n" ? "\\n" : c;
    }
  }
  return `"${out}"`;
}

/** What the HCL parser says about one template (undefined when it parses). */
async function parseProblem(template: string): Promise<string | undefined> {
  try {
    await getExpressionAst("cdk.tf.json", quoted(template));
    return undefined;
  } catch (error) {
    return String(error).slice(0, 300);
  }
}

/** References in the templates that name no resource, data source or local of the document. */
async function danglingReferences(json: TerraformJson, found: readonly string[]): Promise<string[]> {
  const dangling: string[] = [];
  for (const template of found) {
    for (const { value } of await getReferencesInExpression("cdk.tf.json", quoted(template))) {
      const [root, second, third] = value.split(".");
      const defined =
        root === "each" ||
        (root === "local" && second! in (json.locals ?? {})) ||
        (root === "data" && third! in (json.data?.[second!] ?? {})) ||
        (root!.startsWith("aws_") && second! in (json.resource[root!] ?? {}));
      if (!defined) dangling.push(value);
    }
  }
  return dangling;
}

const dnsRich = variants().find((v) => v.name.startsWith("DNS:"))!;

describe.each([
  ["example", undefined],
  [dnsRich.name, dnsRich.input],
] as const)("%s", (_name, input) => {
  const { json, readSource } = synthExample(input ? (i) => Object.assign(i, structuredClone(input)) : undefined);

  test("every template parses with HashiCorp's HCL parser", async () => {
    const found = [...templates(json as TerraformJson)];
    // The records, zones, EIP references and policies: there are templates to check.
    expect(found.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const template of found) {
      const problem = await parseProblem(template);
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
  });

  test("every reference names something the document defines", async () => {
    // A `${data_directory}` from a rendered file would parse, and fail at plan time.
    const withReferences = [...templates(json as TerraformJson)].filter((t) => t.replace(/\$\$\{/g, "").includes("${"));
    expect(withReferences.length).toBeGreaterThan(10);
    expect(await danglingReferences(json, withReferences)).toEqual([]);
  });

  test("rendered content reaches Terraform untouched: the bundle is a file it uploads, not a string it evaluates", () => {
    // Bundles hold Postfix's ${data_directory} and shell ${VAR}. A file named as `source` is
    // uploaded byte for byte (Terraform evaluates strings of cdk.tf.json, never a file's bytes),
    // and the path itself is plain text.
    const [object] = Object.values(json.resource.aws_s3_object!);
    expect(object).not.toHaveProperty("content");
    expect(String(object!.source)).toMatch(/^mail-platform\/[a-z0-9-]+\/[a-z0-9-]+\.bundle\.json$/);
    const uploaded = readSource(String(object!.source))!;
    expect(uploaded).toContain("${data_directory}");
    expect(JSON.parse(uploaded).files.length).toBeGreaterThan(5);
    // Nothing of a bundle is left in the document Terraform evaluates.
    expect(JSON.stringify(json)).not.toContain("data_directory");
  });
});

test("the checks recognise a broken expression and a dangling reference", async () => {
  const json: TerraformJson = { resource: { aws_eip: { ip: {} } }, locals: { zones: {} }, output: {} };
  expect(await danglingReferences(json, ["btree:${data_directory}/smtp_scache", '${aws_eip.ip.public_ip} ${local.zones["a"]}', "${aws_eip.other.id}"])).toEqual(
    ["data_directory", "aws_eip.other.id"],
  );
  expect(await parseProblem("${{ for key, val in local.x: key => val }")).toBeDefined();
  expect(await parseProblem("${{ for key, val in local.x: key => val }}")).toBeUndefined();
});
