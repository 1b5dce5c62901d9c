/**
 * `MailPlatform.fromFile` validates the file once: the constructor takes the model fromFile has
 * just validated as it is. That is the same model the constructor's own validation would give
 * (validation is idempotent: the validated model validates to itself, shown for every variant
 * and both benchmark platform shapes), and only that hand-over skips it: a model passed in
 * afterwards, even the same object, is validated again.
 */
import { copyFileSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { generatedPlatform } from "../../../bench/generated-platform";
import { spreadPlatform } from "../../../bench/spread-platform";
import { MailPlatform } from "../../../lib/constructs/mail-platform";
import { PlatformValidationError } from "../../../lib/model/issues";
import { PlatformSchema, type PlatformSpec } from "../../../lib/model/schema";
import { parsePlatform } from "../../../lib/validation/validate";
import { EXAMPLE_FILE } from "../../support/example";
import { variants } from "../../support/variants";

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), "once");
  new AwsProvider(s, "aws", { region: "eu-central-1" });
  return s;
}

test("validation is idempotent: a validated model validates to an equal model", () => {
  const models = [
    ...variants().map((v) => ({ name: v.name, input: v.input })),
    { name: "generated 100", input: generatedPlatform(100) },
    { name: "spread 4 hosts", input: spreadPlatform(4, 8, 40) },
  ];
  for (const { name, input } of models) {
    const once = parsePlatform(input, name, { deployable: true });
    expect({ name, model: parsePlatform(once, name, { deployable: true }) }).toEqual({ name, model: once });
  }
});

describe("MailPlatform.fromFile", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "from-file-once-"));
    copyFileSync(EXAMPLE_FILE, join(dir, "platform.yaml"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("parses the model's schema once (the file's validation), not again in the constructor", () => {
    const parse = jest.spyOn(PlatformSchema, "safeParse");
    try {
      MailPlatform.fromFile(stack(), "mail", join(dir, "platform.yaml"));
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  test("the model it validated is validated again when passed to another platform", () => {
    const first = MailPlatform.fromFile(stack(), "mail", join(dir, "platform.yaml"));
    const parse = jest.spyOn(PlatformSchema, "safeParse");
    try {
      new MailPlatform(stack(), "mail", { platform: first.spec });
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
    // Changed after the hand-over: the change is judged, not taken on trust.
    const changed = { ...first.spec, name: "Not A Name!" } as PlatformSpec;
    expect(() => new MailPlatform(stack(), "mail", { platform: changed })).toThrow(PlatformValidationError);
    (first.spec as { name: string }).name = "Not A Name!";
    expect(() => new MailPlatform(stack(), "mail", { platform: first.spec })).toThrow(PlatformValidationError);
  });
});
