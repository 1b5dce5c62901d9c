/**
 * Who is calling and whether they may: the signature is verified against the credentials the IMDS
 * stand-in issued, the caller is the instance's assumed-role session, and each action is
 * authorized by the IAM evaluator against the role's current policies with the condition keys AWS
 * would put in the request context. Denials are worded as AWS words them.
 */
import type { RoleCredentials } from "./credentials";
import type { AwsRequest } from "./http-exchange";
import { evaluatePolicies, type Decision, type NamedPolicy, type RequestContext } from "./iam";
import { verifySigV4, type AuthFailure, type UriStyle } from "./sigv4";

/** The instance's role session, as AWS identifies it. */
export interface CallerIdentity {
  readonly accountId: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<instance-id>`. */
  readonly sessionArn: string;
  readonly roleArn: string;
  /** `aws:userid`: `<role unique id>:<instance-id>`. */
  readonly userId: string;
  readonly instanceArn: string;
  readonly privateIp: string;
}

/** The signing scope an endpoint expects. */
export interface SigningScope {
  readonly service: string;
  readonly region: string;
  readonly uriStyle: UriStyle;
}

/** What authorization needs to know about the world. */
export interface AccessSource {
  readonly identity: CallerIdentity;
  /** The credentials currently issued through IMDS. */
  credentials(): RoleCredentials;
  /** The role's policies as they stand now (statements may have been removed by a test). */
  identityPolicies(): readonly NamedPolicy[];
  now(): Date;
}

export type Authentication = { readonly ok: true; readonly caller: CallerIdentity } | { readonly ok: false; readonly failure: AuthFailure };

/** Authentication and authorization for the stand-in endpoints. */
export class AccessControl {
  constructor(private readonly source: AccessSource) {}

  /** The caller of a signed request, or why its signature is refused. */
  authenticate(request: AwsRequest, scope: SigningScope): Authentication {
    const credentials = this.source.credentials();
    const outcome = verifySigV4(request, {
      ...scope,
      now: this.source.now(),
      lookup: (id) => (id === credentials.accessKeyId ? credentials : undefined),
    });
    return outcome.ok ? { ok: true, caller: this.source.identity } : { ok: false, failure: outcome.failure };
  }

  /** The global condition keys of a request by the instance role. */
  globalContext(request: AwsRequest, region: string): RequestContext {
    const { identity } = this.source;
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
      "aws:TokenIssueTime": this.source.credentials().issuedAt.toISOString(),
      "aws:ViaAWSService": false,
      "aws:PrincipalIsAWSService": false,
      // Credentials delivered to an instance carry these (IMDSv2 delivery is "2.0").
      "ec2:SourceInstanceARN": identity.instanceArn,
      "ec2:RoleDelivery": "2.0",
      "ec2:SourceInstancePrivateIPv4": identity.privateIp,
    };
  }

  /**
   * Authorize one action of the instance role.
   * @param resourcePolicies policies attached to the resource (bucket policy, key policy)
   */
  authorize(
    request: AwsRequest,
    region: string,
    action: string,
    resource: string,
    serviceKeys: RequestContext,
    resourcePolicies: readonly NamedPolicy[] = [],
  ): Decision {
    return evaluatePolicies([...this.source.identityPolicies(), ...resourcePolicies], {
      principal: { arns: [this.source.identity.sessionArn, this.source.identity.roleArn], account: this.source.identity.accountId },
      action,
      resource,
      context: { ...this.globalContext(request, region), ...serviceKeys },
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
