/**
 * The operator of a rehearsed platform: the person who runs `mail-platform user` from a
 * workstation against the same SSM the host reads. On AWS that is a role session (SSO, or a role
 * assumed for the job) with the policy README "Mailbox passwords: `mail-platform user`" documents;
 * here the world issues its credentials as it issues the instance role's (random, `ASIA…`, expiring)
 * and authorizes its calls by that policy alone — never by the instance role's, and the instance
 * role's calls never by this one.
 */
import type { CallerIdentity, Principal } from "./access";
import { issueRoleCredentials } from "./credentials";
import type { NamedPolicy } from "./iam";
import { parsePolicyDocument } from "./policy-document";

/** The operator's role and session name. */
const ROLE = "mail-operator";
const SESSION = "operator";

/** The operator's session in an account (outside EC2: no instance, no private address). */
export function operatorIdentity(accountId: string): CallerIdentity {
  return {
    accountId,
    sessionArn: `arn:aws:sts::${accountId}:assumed-role/${ROLE}/${SESSION}`,
    roleArn: `arn:aws:iam::${accountId}:role/${ROLE}`,
    userId: `AROAMAILOPERATOREXAMPLE:${SESSION}`,
    instanceArn: "",
    privateIp: "",
  };
}

/**
 * The README's operator policy for `mail-platform user`, for one password prefix: put and delete
 * each parameter below it, list the path itself (GetParametersByPath is authorized on the path's
 * ARN). No KMS statement: the `aws/ssm` key policy allows the account's principals through SSM.
 */
export function mailboxPasswordOperatorPolicy(region: string, accountId: string, prefix: string): NamedPolicy {
  const arn = (path: string) => `arn:aws:ssm:${region}:${accountId}:parameter${path}`;
  const name = "mail-operator";
  const document = {
    Version: "2012-10-17",
    Statement: [
      { Sid: "MailboxPasswords", Effect: "Allow", Action: ["ssm:PutParameter", "ssm:DeleteParameter"], Resource: arn(`${prefix}/*`) },
      { Sid: "ListMailboxPasswords", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: arn(prefix) },
    ],
  };
  return { name, kind: "identity", document: parsePolicyDocument(document, name) };
}

/** The operator as a caller of the world's endpoints: credentials issued at `now`, the given policies. */
export function operatorPrincipal(accountId: string, policies: readonly NamedPolicy[], now: Date): Principal {
  const credentials = issueRoleCredentials(now);
  const identity = operatorIdentity(accountId);
  return { identity, credentials: () => credentials, identityPolicies: () => policies };
}
