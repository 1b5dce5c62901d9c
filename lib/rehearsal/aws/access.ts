/**
 * Who is calling and whether they may: the signature is verified against the credentials the IMDS
 * stand-in issued (or those of another principal the world knows, such as an operator at a
 * workstation), the caller is the session those credentials belong to, and each action is
 * authorized by the IAM evaluator against that caller's current policies — and only theirs — with
 * the condition keys AWS would put in the request context. Denials are worded as AWS words them.
 */
import type { RoleCredentials } from "./credentials";
import type { AwsRequest } from "./http-exchange";
import { evaluatePolicies, type Decision, type NamedPolicy, type RequestContext } from "./iam";
import { verifySigV4, type AuthFailure, type UriStyle } from "./sigv4";

/** A role session, as AWS identifies it: the instance's, or an operator's. */
export interface CallerIdentity {
  readonly accountId: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session name>` (the instance id for the instance's). */
  readonly sessionArn: string;
  readonly roleArn: string;
  /** `aws:userid`: `<role unique id>:<session name>`. */
  readonly userId: string;
  /** The instance the credentials were delivered to; "" for credentials used outside EC2. */
  readonly instanceArn: string;
  /** "" outside EC2. */
  readonly privateIp: string;
}

/** The signing scope an endpoint expects. */
export interface SigningScope {
  readonly service: string;
  readonly region: string;
  readonly uriStyle: UriStyle;
}

/** A caller the endpoints know: who it is, the credentials it signs with, and its policies. */
export interface Principal {
  readonly identity: CallerIdentity;
  /** The credentials currently issued (through IMDS, for the instance). */
  credentials(): RoleCredentials;
  /** The role's policies as they stand now (statements may have been removed by a test). */
  identityPolicies(): readonly NamedPolicy[];
}

/** What authorization needs to know about the world: the instance role's session, and any other caller. */
export interface AccessSource extends Principal {
  /** Further callers (an operator running `mail-platform user`), each with its own credentials and policies. @default none */
  readonly others?: () => readonly Principal[];
  now(): Date;
}

export type Authentication = { readonly ok: true; readonly caller: CallerIdentity } | { readonly ok: false; readonly failure: AuthFailure };

/** Authentication and authorization for the stand-in endpoints. */
export class AccessControl {
  constructor(private readonly source: AccessSource) {}

  private principals(): readonly Principal[] {
    return [this.source, ...(this.source.others?.() ?? [])];
  }

  /** The caller of a signed request (whose credentials signed it), or why its signature is refused. */
  authenticate(request: AwsRequest, scope: SigningScope): Authentication {
    const issued = this.principals().map((principal) => ({ principal, credentials: principal.credentials() }));
    const outcome = verifySigV4(request, {
      ...scope,
      now: this.source.now(),
      lookup: (id) => issued.find((i) => i.credentials.accessKeyId === id)?.credentials,
    });
    if (!outcome.ok) return { ok: false, failure: outcome.failure };
    return { ok: true, caller: issued.find((i) => i.credentials === outcome.verified.credentials)!.principal.identity };
  }

  private principalOf(caller: CallerIdentity): Principal {
    const principal = this.principals().find((p) => p.identity === caller);
    if (!principal) throw new Error(`${caller.sessionArn} is no caller this world knows`);
    return principal;
  }

  /** The global condition keys of a request by a caller. */
  globalContext(caller: CallerIdentity, request: AwsRequest, region: string): RequestContext {
    const principal = this.principalOf(caller);
    const { identity } = principal;
    const now = this.source.now();
    return {
      "aws:SecureTransport": request.secure,
      "aws:CurrentTime": now.toISOString(),
      "aws:EpochTime": Math.floor(now.getTime() / 1000),
      "aws:PrincipalArn": identity.roleArn,
      "aws:PrincipalAccount": identity.accountId,
      "aws:PrincipalType": "AssumedRole",
      "aws:userid": identity.userId,
      "aws:RequestedRegion": region,
      "aws:SourceIp": request.remoteAddress.replace(/^::ffff:/, ""),
      "aws:TokenIssueTime": principal.credentials().issuedAt.toISOString(),
      "aws:ViaAWSService": false,
      "aws:PrincipalIsAWSService": false,
      // Credentials delivered to an instance carry these (IMDSv2 delivery is "2.0"); others do not.
      ...(identity.instanceArn === ""
        ? {}
        : { "ec2:SourceInstanceARN": identity.instanceArn, "ec2:RoleDelivery": "2.0", "ec2:SourceInstancePrivateIPv4": identity.privateIp }),
    };
  }

  /**
   * Authorize one action of an authenticated caller, by that caller's policies.
   * @param resourcePolicies policies attached to the resource (bucket policy, key policy)
   */
  authorize(
    caller: CallerIdentity,
    request: AwsRequest,
    region: string,
    action: string,
    resource: string,
    serviceKeys: RequestContext,
    resourcePolicies: readonly NamedPolicy[] = [],
  ): Decision {
    const principal = this.principalOf(caller);
    return evaluatePolicies([...principal.identityPolicies(), ...resourcePolicies], {
      principal: { arns: [caller.sessionArn, caller.roleArn], account: caller.accountId },
      action,
      resource,
      context: { ...this.globalContext(caller, request, region), ...serviceKeys },
    });
  }
}

/** AWS's wording of a denial, e.g. "User: … is not authorized to perform: s3:GetObject on resource: … because no identity-based policy allows the s3:GetObject action". */
export function denialMessage(caller: CallerIdentity, action: string, resource: string, decision: Decision): string {
  const on = resource === "*" ? "" : ` on resource: ${resource}`;
  if (decision.effect === "ExplicitDeny") {
    const where = decision.matched.some((m) => m.kind === "identity") ? "an identity-based policy" : "a resource-based policy";
    return `User: ${caller.sessionArn} is not authorized to perform: ${action}${on} with an explicit deny in ${where}`;
  }
  return `User: ${caller.sessionArn} is not authorized to perform: ${action}${on} because no identity-based policy allows the ${action} action`;
}
