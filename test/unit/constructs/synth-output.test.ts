import { join } from "path";
import { fileTree } from "../../support/files";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailPlatform } from "../../../lib/constructs/mail-platform";
import { PlatformValidationError } from "../../../lib/model/issues";
import { exampleInput } from "../../support/example";
import { exampleStack } from "../../support/synth";

/** Every file below a directory, path → content. */

function fullSynthTree(): Record<string, string> {
  const { stack } = exampleStack();
  const outdir = Testing.fullSynth(stack);
  return fileTree(join(outdir, "stacks", "test"));
}

describe("synthesized output", () => {
  test("holds the rendered files next to cdk.tf.json, identical to the rendering", () => {
    const { stack, platform } = exampleStack();
    const files = fileTree(join(Testing.fullSynth(stack), "stacks", "test"));
    expect(Object.keys(files)).toContain("cdk.tf.json");
    for (const file of platform.renderedFiles[0]!.files) {
      expect(files[`mail-platform/acme-mail/mx1/${file.path}`]).toBe(file.content);
    }
  });

  test("holds each host's bundle where its S3 object's source names it, the bundle its key's hash names", () => {
    const { stack } = exampleStack();
    const files = fileTree(join(Testing.fullSynth(stack), "stacks", "test"));
    const objects = Object.values(
      (JSON.parse(files["cdk.tf.json"]!) as { resource: { aws_s3_object: Record<string, { source: string; key: string }> } }).resource.aws_s3_object,
    );
    expect(objects).toHaveLength(1);
    const [{ source, key }] = objects as [{ source: string; key: string }];
    // Relative to the stack's directory, where cdktf runs Terraform.
    expect(source).toBe("mail-platform/acme-mail/mx1.bundle.json");
    const bundle = JSON.parse(files[source]!) as { id: string; host: string };
    expect(key).toBe(`bundles/mx1/${bundle.id}.json`);
    expect(bundle.host).toBe("mx1");
  });

  test("two synths give byte-identical cdk.tf.json, bundles and rendered files", () => {
    expect(fullSynthTree()).toEqual(fullSynthTree());
  });

  test("fails with every problem listed when the model is invalid", () => {
    const input = exampleInput();
    input.groups[1]!.addresses[0]!.privateIp = "10.0.1.11";
    input.aws!.hosts = {};
    const stack = new TerraformStack(Testing.app(), "bad");
    expect(() => new MailPlatform(stack, "mail", { platform: input, source: "platform.yaml" })).toThrow(PlatformValidationError);
    try {
      new MailPlatform(new TerraformStack(Testing.app(), "bad2"), "mail", { platform: input, source: "platform.yaml" });
    } catch (error) {
      expect((error as PlatformValidationError).issues.map((i) => i.path)).toEqual(["aws.hosts", "groups[1].addresses[0].privateIp"]);
      expect((error as Error).message).toMatch(/^platform\.yaml is invalid \(2 problems\):/);
    }
  });

  test("needs the aws and dns sections to deploy", () => {
    const input = exampleInput();
    delete input.aws;
    delete input.dns;
    const stack = new TerraformStack(Testing.app(), "partial");
    expect(() => new MailPlatform(stack, "mail", { platform: input })).toThrow(
      /aws: a deployable platform needs the aws section[\s\S]*dns: a deployable platform needs the dns section/,
    );
  });

  test("refuses two platforms of the same name in one stack (their files would collide)", () => {
    const stack = new TerraformStack(Testing.app(), "twice");
    new AwsProvider(stack, "aws", { region: "eu-central-1" });
    new MailPlatform(stack, "one", { platform: exampleInput() });
    expect(() => new MailPlatform(stack, "two", { platform: exampleInput() })).toThrow(/two mail platforms named "acme-mail"/);
  });

  test("MailPlatform.fromFile reads platform.yaml", () => {
    const stack = new TerraformStack(Testing.app(), "file");
    const platform = MailPlatform.fromFile(stack, "mail", join(__dirname, "../../../examples/customer-groups/platform.yaml"));
    expect(platform.spec.name).toBe("acme-mail");
    expect(platform.hosts.size).toBe(1);
  });
});
