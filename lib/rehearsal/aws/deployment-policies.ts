/**
 * The account's customer managed policies as Terraform would create them from the
 * `aws_iam_policy` resources of cdk.tf.json: each under the ARN IAM gives it
 * (`arn:aws:iam::<account>:policy<path><name>`, known before apply, so an attachment's
 * `${aws_iam_policy.x.arn}` resolves to it), with its document (references resolved) as its default
 * version, v1 — the version `CreatePolicy` makes. A policy without a literal name (`name_prefix`,
 * or none: Terraform would make one up) is refused: no attachment could be matched to it, and a
 * role would silently lose a grant.
 */
import type { ManagedPolicy } from "./managed-policies";
import { parsePolicyDocument } from "./policy-document";
import { literalString, type Evaluate, type ResourceBody, type TerraformDocument } from "./terraform-document";

/** Where one customer managed policy will be. */
export interface CustomerPolicyAddress {
  readonly name: string;
  readonly arn: string;
}

/** AWS managed policies live in the `aws` account; every other policy ARN is an account's own. */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return arn.startsWith("arn:aws:iam::aws:policy/");
}

function address(logical: string, body: ResourceBody, accountId: string): CustomerPolicyAddress {
  const where = `aws_iam_policy.${logical}`;
  if (body.name === undefined) throw new Error(`${where}: no name (a generated name or name_prefix is not read by the rehearsal)`);
  const name = literalString(body.name, `${where}.name`);
  const path = body.path === undefined ? "/" : literalString(body.path, `${where}.path`);
  // IAM refuses a path that does not begin and end with a slash; Terraform passes it through.
  if (!path.startsWith("/") || !path.endsWith("/")) throw new Error(`${where}.path: ${JSON.stringify(path)} does not begin and end with "/"`);
  return { name, arn: `arn:aws:iam::${accountId}:policy${path}${name}` };
}

/** Every customer managed policy of the document: logical name → name and ARN. */
export function customerPolicyAddresses(doc: TerraformDocument, accountId: string): Map<string, CustomerPolicyAddress> {
  return new Map(doc.all("aws_iam_policy").map(([logical, body]) => [logical, address(logical, body, accountId)]));
}

/**
 * The customer managed policy created under an ARN, its document evaluated.
 * @param attachedTo names the attachment in errors
 * @throws when the document creates no policy under that ARN (it would be another stack's, whose text is not here)
 */
export function readCustomerPolicy(doc: TerraformDocument, accountId: string, arn: string, evaluate: Evaluate, attachedTo: string): ManagedPolicy {
  const found = doc.all("aws_iam_policy").find(([logical, body]) => address(logical, body, accountId).arn === arn);
  if (!found) throw new Error(`${attachedTo}: policy ${arn} is not created in cdk.tf.json (no aws_iam_policy has that ARN), so its text is unknown`);
  const [logical, body] = found;
  const { name } = address(logical, body, accountId);
  const document = parsePolicyDocument(evaluate(body.policy, `aws_iam_policy.${logical}.policy`), `customer managed policy ${name}`);
  return { arn, name, version: "v1", document };
}
