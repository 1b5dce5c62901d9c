/**
 * The instance role as AWS would hold it after apply: found through the instance profile, with
 * its inline policies (references resolved) and the managed policies attached to it — AWS's, by
 * their recorded text, and the account's own (customer managed) from the stack's `aws_iam_policy`
 * resources. Role settings the rehearsal does not read (inline_policy blocks, managed_policy_arns,
 * a path) and the other resources that attach policies (`aws_iam_policy_attachment`, the
 * exclusive attachment resources) are refused rather than ignored: a role with rights it does not
 * see would rehearse the wrong thing.
 */
import { isAwsManagedPolicyArn, readCustomerPolicy } from "./deployment-policies";
import { fakeIamUniqueId } from "./fake-ids";
import { managedPolicy, type ManagedPolicy } from "./managed-policies";
import { parsePolicyDocument, type PolicyDocument } from "./policy-document";
import { literalString, type Evaluate, type ResourceBody, type TerraformDocument } from "./terraform-document";

/** The instance role. */
export interface DeployedRole {
  readonly name: string;
  readonly arn: string;
  /** `AROA…`, the role's unique id (part of `aws:userid`). */
  readonly uniqueId: string;
  readonly instanceProfile: { readonly name: string; readonly arn: string; readonly uniqueId: string };
  /** Inline policies by name, references resolved. */
  readonly inlinePolicies: ReadonlyMap<string, PolicyDocument>;
  /** Attached AWS managed policies. */
  readonly managedPolicies: readonly ManagedPolicy[];
  /** Attached customer managed policies (created by the stack), references resolved. */
  readonly customerManagedPolicies: readonly ManagedPolicy[];
}

/** Resources that attach policies to roles in ways this reader does not follow. */
const UNREAD_ATTACHMENTS = ["aws_iam_policy_attachment", "aws_iam_role_policy_attachments_exclusive", "aws_iam_role_policies_exclusive"];

/** The role of the instance `aws_instance.<logical>`. */
export function readRole(doc: TerraformDocument, logical: string, instance: ResourceBody, accountId: string, evaluate: Evaluate): DeployedRole {
  const profileName = evaluate(instance.iam_instance_profile, `aws_instance.${logical}.iam_instance_profile`);
  const profile = doc.all("aws_iam_instance_profile").find(([n, b]) => literalString(b.name, `aws_iam_instance_profile.${n}.name`) === profileName);
  if (!profile) throw new Error(`instance profile ${profileName} is not in cdk.tf.json`);
  const roleName = evaluate(profile[1].role, `aws_iam_instance_profile.${profile[0]}.role`);
  const role = doc.all("aws_iam_role").find(([n, b]) => literalString(b.name, `aws_iam_role.${n}.name`) === roleName);
  if (!role) throw new Error(`role ${roleName} is not in cdk.tf.json`);
  for (const unsupported of ["inline_policy", "managed_policy_arns", "path"]) {
    if (role[1][unsupported] !== undefined) throw new Error(`aws_iam_role.${role[0]}.${unsupported} is not read by the rehearsal`);
  }
  const inlinePolicies = new Map(
    doc
      .all("aws_iam_role_policy")
      .filter(([n, b]) => evaluate(b.role, `aws_iam_role_policy.${n}.role`) === roleName)
      .map(([n, b]): [string, PolicyDocument] => {
        const policyName = literalString(b.name, `aws_iam_role_policy.${n}.name`);
        return [policyName, parsePolicyDocument(evaluate(b.policy, `aws_iam_role_policy.${n}.policy`), `inline policy ${policyName}`)];
      }),
  );
  for (const type of UNREAD_ATTACHMENTS) {
    const [first] = doc.all(type);
    if (first) throw new Error(`${type}.${first[0]} is not read by the rehearsal (it may attach policies to the role)`);
  }
  const attached = doc
    .all("aws_iam_role_policy_attachment")
    .filter(([n, b]) => evaluate(b.role, `aws_iam_role_policy_attachment.${n}.role`) === roleName)
    .map(([n, b]) => ({ where: `aws_iam_role_policy_attachment.${n}`, arn: evaluate(b.policy_arn, `aws_iam_role_policy_attachment.${n}.policy_arn`) }));
  const managedPolicies = attached.filter((a) => isAwsManagedPolicyArn(a.arn)).map((a) => managedPolicy(a.arn));
  const customerManagedPolicies = attached
    .filter((a) => !isAwsManagedPolicyArn(a.arn))
    .map((a) => readCustomerPolicy(doc, accountId, a.arn, evaluate, a.where));
  return {
    name: roleName,
    arn: `arn:aws:iam::${accountId}:role/${roleName}`,
    uniqueId: fakeIamUniqueId("AROA", roleName),
    instanceProfile: { name: profileName, arn: `arn:aws:iam::${accountId}:instance-profile/${profileName}`, uniqueId: fakeIamUniqueId("AIPA", profileName) },
    inlinePolicies,
    managedPolicies,
    customerManagedPolicies,
  };
}
