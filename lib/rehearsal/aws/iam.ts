/**
 * IAM policy evaluation for one principal in one account, as AWS documents it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny in any applicable policy wins; otherwise an Allow from an identity-based or a
 * resource-based policy (same account: either is enough) allows; otherwise the request is
 * implicitly denied. Actions match case-insensitively with `*`/`?`, resources case-sensitively.
 * The decision names the statements that made it, so a report can say which grant a call used.
 */
import { conditionMatches, normaliseContext, type ContextValue, type RequestContext } from "./iam-conditions";
import { statementLabel, type PolicyDocument, type PolicyPrincipal, type PolicyStatement } from "./policy-document";
import { wildcardMatch } from "./wildcard";

export type { ContextValue, RequestContext } from "./iam-conditions";

/** A policy and what it is attached to. */
export interface NamedPolicy {
  /** Inline policy name, managed policy name, or e.g. `bucket policy of <bucket>`. */
  readonly name: string;
  /** Identity-based (attached to the caller) or resource-based (attached to the resource). */
  readonly kind: "identity" | "resource";
  readonly document: PolicyDocument;
}

/** Who is asking: the ARNs a resource policy's `Principal` may name, and the account. */
export interface CallerPrincipal {
  /** E.g. the assumed-role session ARN and the role ARN. */
  readonly arns: readonly string[];
  readonly account: string;
}

/** One authorization question. */
export interface AuthorizationRequest {
  readonly principal: CallerPrincipal;
  /** `service:Action`, e.g. `route53:ChangeResourceRecordSets`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource types. */
  readonly resource: string;
  /** Condition keys of the request (global and service-specific). */
  readonly context: RequestContext;
}

/** A statement that took part in a decision. */
export interface MatchedStatement {
  readonly policy: string;
  readonly kind: NamedPolicy["kind"];
  /** Sid, or `#<index>` for statements without one. */
  readonly statement: string;
}

/** The outcome, with the statements that decided it (none for an implicit deny). */
export type Decision =
  | { readonly effect: "Allow"; readonly matched: readonly MatchedStatement[] }
  | { readonly effect: "ExplicitDeny"; readonly matched: readonly MatchedStatement[] }
  | { readonly effect: "ImplicitDeny"; readonly matched: readonly [] };

function actionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) => wildcardMatch(p, action, { ignoreCase: true }));
}

function resourceMatches(patterns: readonly string[], resource: string, where: string): boolean {
  return patterns.some((p) => {
    if (p.includes("${")) throw new Error(`${where}: policy variables in Resource (${p}) are not emulated`);
    return wildcardMatch(p, resource);
  });
}

function principalMatches(principal: PolicyPrincipal, caller: CallerPrincipal): boolean {
  if (principal === "*") return true;
  // Naming the account (or its root) delegates to the account's identity policies, which are
  // evaluated anyway; it is not itself a grant to the caller.
  return (principal.AWS ?? []).some((id) => id === "*" || caller.arns.includes(id));
}

/** Whether one statement applies to the request (its Effect aside). */
export function statementApplies(
  statement: PolicyStatement,
  policy: NamedPolicy,
  request: AuthorizationRequest,
  context: ReadonlyMap<string, ContextValue>,
  where: string,
): boolean {
  if (statement.NotPrincipal) throw new Error(`${where}: NotPrincipal is not emulated`);
  if (policy.kind === "identity" && statement.Principal) throw new Error(`${where}: an identity-based policy cannot name a Principal`);
  if (policy.kind === "resource" && (!statement.Principal || !principalMatches(statement.Principal, request.principal))) return false;
  const action = statement.Action ? actionMatches(statement.Action, request.action) : !actionMatches(statement.NotAction!, request.action);
  if (!action) return false;
  if (!statement.Resource && !statement.NotResource) throw new Error(`${where}: a statement without Resource or NotResource is not emulated`);
  const resource = statement.Resource
    ? resourceMatches(statement.Resource, request.resource, where)
    : !resourceMatches(statement.NotResource!, request.resource, where);
  return resource && conditionMatches(statement.Condition, context);
}

/** Evaluate the policies that apply to one request. */
export function evaluatePolicies(policies: readonly NamedPolicy[], request: AuthorizationRequest): Decision {
  const context = normaliseContext(request.context);
  const allows: MatchedStatement[] = [];
  const denies: MatchedStatement[] = [];
  for (const policy of policies) {
    policy.document.Statement.forEach((statement, index) => {
      const label = statementLabel(statement, index);
      if (!statementApplies(statement, policy, request, context, `${policy.name} ${label}`)) return;
      (statement.Effect === "Deny" ? denies : allows).push({ policy: policy.name, kind: policy.kind, statement: label });
    });
  }
  if (denies.length > 0) return { effect: "ExplicitDeny", matched: denies };
  if (allows.length > 0) return { effect: "Allow", matched: allows };
  return { effect: "ImplicitDeny", matched: [] };
}

/** `policy/statement, …` for logs and reports. */
export function describeMatched(matched: readonly MatchedStatement[]): string {
  return matched.map((m) => `${m.policy}/${m.statement}`).join(", ");
}
