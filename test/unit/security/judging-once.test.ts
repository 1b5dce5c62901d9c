/**
 * The pack synthesizes a resource once for all its rules (each rule used to call `toTerraform()`
 * again), and reads each host's Postfix files once for all the parameters it asks about; neither
 * may outlive a change: a visit sees the resource as it is then, and a replaced file is read anew.
 */
import { Construct } from "constructs";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { MailSecurityChecks } from "../../../lib/security/aspect";
import { brandMailPlatform, type BrandedMailPlatform } from "../../../lib/security/brands";
import { judgingNode, resourceConfig } from "../../../lib/security/rule";
import { postfixSettings } from "../../../lib/security/rules/rendered-postfix";
import type { RenderedFile } from "../../../lib/render/rendered-file";

function stackWithVolume() {
  const stack = new TerraformStack(Testing.app(), "fixture");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  const volume = new EbsVolume(stack, "data", { availabilityZone: "eu-central-1a", size: 10, encrypted: true });
  return { stack, volume };
}

test("within one visit the rules share one synthesis of the node; outside, each call synthesizes", () => {
  const { volume } = stackWithVolume();
  const synthesized = jest.spyOn(volume, "toTerraform");
  const inside = judgingNode(volume, () => [resourceConfig(volume), resourceConfig(volume), resourceConfig(volume)]);
  expect(synthesized).toHaveBeenCalledTimes(1);
  expect(inside[1]).toBe(inside[0]);
  resourceConfig(volume);
  resourceConfig(volume);
  expect(synthesized).toHaveBeenCalledTimes(3);
});

test("the pack synthesizes each resource once per visit, and a later visit sees a later change", () => {
  const { volume } = stackWithVolume();
  const checks = new MailSecurityChecks();
  const synthesized = jest.spyOn(volume, "toTerraform");
  checks.visit(volume);
  expect(synthesized).toHaveBeenCalledTimes(1);
  expect(checks.findings).toEqual([]);
  volume.addOverride("encrypted", false);
  // A new pack: the first one judged this path already (aspects may visit a node twice).
  const again = new MailSecurityChecks();
  again.visit(volume);
  expect(again.findings.map((f) => f.ruleId)).toEqual(["volumes-encrypted"]);
});

test("the Postfix settings of a host follow its files: every parameter from the same files, and a replaced content is read anew", () => {
  const stack = new TerraformStack(Testing.app(), "fixture");
  const mainCf: { -readonly [K in keyof RenderedFile]: RenderedFile[K] } = { path: "etc/postfix/main.cf", content: "mynetworks = 127.0.0.0/8\n", mode: "0644" };
  const masterCf: RenderedFile = { path: "etc/postfix/master.cf", content: "submission inet n - y - - smtpd\n  -o mynetworks=127.0.0.1/32\n", mode: "0644" };
  const platform = Object.assign(new Construct(stack, "platform"), {
    renderedFiles: [{ host: "mx1", files: [mainCf, masterCf] }],
  }) as BrandedMailPlatform;
  brandMailPlatform(platform);
  expect(postfixSettings(platform, "mynetworks")).toEqual([
    { host: "mx1", where: "main.cf", value: "127.0.0.0/8" },
    { host: "mx1", where: "master.cf submission", value: "127.0.0.1/32" },
  ]);
  expect(postfixSettings(platform, "smtpd_tls_auth_only")).toEqual([{ host: "mx1", where: "main.cf", value: undefined }]);
  mainCf.content = "mynetworks = 0.0.0.0/0\n";
  expect(postfixSettings(platform, "mynetworks")?.[0]).toEqual({ host: "mx1", where: "main.cf", value: "0.0.0.0/0" });
});
