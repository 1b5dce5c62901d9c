/**
 * A rule that throws on a construct is reported as a finding of that rule on that construct (as
 * cdk-nag does), and every other rule still judges every construct: the synthesis goes on.
 */
import { AnnotationMetadataEntryType, Aspects, Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { acknowledgeFinding } from "../../../lib/security/acknowledge";
import { MailSecurityChecks } from "../../../lib/security/aspect";
import { COMPLIANT, type SecurityRule } from "../../../lib/security/rule";
import { SECURITY_RULES } from "../../../lib/security/rules";

const THROWS_ON_VOLUMES: SecurityRule = {
  id: "throws-on-volumes",
  title: "A rule with a defect",
  evaluate(node) {
    if (node instanceof EbsVolume) throw new TypeError("cannot read properties of undefined (reading 'size')");
    return COMPLIANT;
  },
};

function stackWithVolume(level?: "error" | "warning") {
  const stack = new TerraformStack(Testing.app(), "fixture");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  const volume = new EbsVolume(stack, "data", { availabilityZone: "eu-central-1a", size: 10 });
  const checks = new MailSecurityChecks({ rules: [THROWS_ON_VOLUMES, ...SECURITY_RULES], ...(level ? { level } : {}) });
  Aspects.of(stack).add(checks);
  return { stack, volume, checks };
}

test("the failure is a finding naming the rule and the construct; the other rules still judge", () => {
  const { stack, volume, checks } = stackWithVolume();
  expect(() => Testing.synth(stack)).not.toThrow();
  const failed = checks.findings.filter((f) => f.ruleFailed);
  expect(failed).toEqual([expect.objectContaining({ ruleId: "throws-on-volumes", path: volume.node.path, ruleFailed: true })]);
  expect(failed[0]!.reason).toContain(volume.node.path);
  // The same volume is unencrypted: the pack's own rule still found that.
  expect(checks.findings.map((f) => f.ruleId)).toContain("volumes-encrypted");
  const errors = volume.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.ERROR).map((m) => String(m.data));
  expect(errors).toContainEqual(expect.stringMatching(/^\[throws-on-volumes\] A rule with a defect: the rule failed on fixture\/data/));
});

test("it is reported at the configured level and no acknowledgement covers it", () => {
  const { stack, volume, checks } = stackWithVolume("warning");
  acknowledgeFinding(volume, "throws-on-volumes", "We know this rule and accept what it would find.");
  expect(() => Testing.fullSynth(stack)).not.toThrow();
  expect(
    checks
      .unacknowledged()
      .filter((f) => f.ruleFailed)
      .map((f) => f.ruleId),
  ).toEqual(["throws-on-volumes"]);
  const warnings = volume.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));
  expect(warnings).toContainEqual(expect.stringContaining("[throws-on-volumes]"));
});
