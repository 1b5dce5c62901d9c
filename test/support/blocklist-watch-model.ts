/**
 * The example with the blocklist watch on, for the tests of what it deploys: the hosts' right to
 * publish the watch's metric (a customer managed policy attached to each host role), and the
 * negative control, the same synthesis with the policy attached to no role.
 */
import type { PlatformInput } from "../../lib/model/schema";
import type { TerraformJson } from "./synth";

/** Turn the blocklist watch on in the example's model (in place), with one zone. */
export function withBlocklistWatch(input: PlatformInput): void {
  input.blocklistWatch = { enabled: true, zones: ["zen.spamhaus.org"] };
}

/**
 * A copy of cdk.tf.json without the attachments of customer managed policies (those whose
 * `policy_arn` refers to an `aws_iam_policy` of the stack): the policies exist, no role has them.
 * @throws when there is no such attachment (the control would change nothing)
 */
export function withoutCustomerPolicyAttachments(json: TerraformJson): TerraformJson {
  const copy = structuredClone(json);
  const attachments = copy.resource.aws_iam_role_policy_attachment ?? {};
  const removed = Object.keys(attachments).filter((name) => String(attachments[name]!.policy_arn).startsWith("${aws_iam_policy."));
  if (removed.length === 0) throw new Error("cdk.tf.json attaches no customer managed policy to a role");
  for (const name of removed) delete attachments[name];
  return copy;
}
