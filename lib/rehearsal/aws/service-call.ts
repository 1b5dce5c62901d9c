/**
 * The life of one call to a service stand-in: authenticate, authorize, answer — each step logged
 * once, and every refusal answered in the service's own error shape (EC2's XML, SSM's JSON, S3's,
 * Route53's and CloudWatch's XML). A handler throws {@link Refusal} (through the helpers here) to stop; an
 * unexpected exception is answered as the service's internal error and logged as such, never
 * turned into a success.
 */
import { denialMessage, type AccessControl, type CallerIdentity, type SigningScope } from "./access";
import type { CallLog, CallDecision } from "./call-log";
import type { AwsReply, AwsRequest } from "./http-exchange";
import { requestId } from "./http-exchange";
import { describeMatched, type Decision, type MatchedStatement, type NamedPolicy, type RequestContext } from "./iam";
import type { AuthFailure } from "./sigv4";

/** An error to send, before it is put in the service's shape. */
export interface ServiceError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Further elements some errors carry (S3: `Region`, `Endpoint`, `StringToSign`, …). */
  readonly details?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** How one service words and shapes its errors. */
export interface ServiceDialect {
  /** `ec2`, `ssm`, `s3`, `route53`, `cloudwatch`. */
  readonly service: string;
  renderError(error: ServiceError, request: AwsRequest, requestId: string): AwsReply;
  authError(failure: AuthFailure): ServiceError;
  /** The service's code and status for an IAM denial with AWS's message. */
  accessDenied(message: string): ServiceError;
  /** The service's answer to an unexpected failure of the stand-in itself. */
  internalError(message: string): ServiceError;
}

/** What every service stand-in shares. */
export interface ServiceEnv {
  readonly access: AccessControl;
  readonly log: CallLog;
  readonly region: string;
  readonly accountId: string;
  now(): Date;
}

/** Options of {@link ServiceCall.authorize}. */
export interface AuthorizeOptions {
  /** Service-specific condition keys. */
  readonly keys?: RequestContext;
  /** Policies attached to the resource (bucket policy, key policy). */
  readonly resourcePolicies?: readonly NamedPolicy[];
  /** Word the denial differently from the service's own access-denied error. */
  readonly wording?: (message: string) => ServiceError;
  /** An action checked on the side of the main one (not logged as the call's action unless denied). */
  readonly secondary?: boolean;
}

/** Thrown to end a call with a prepared reply. */
export class Refusal extends Error {
  constructor(readonly reply: AwsReply) {
    super(`refused with ${reply.status}`);
  }
}

/** One call in progress. */
export class ServiceCall {
  /** IAM action (or a description of the request until it is known), for the log. */
  action = "unknown";
  resource?: string;
  private caller?: CallerIdentity;
  /** The request id sent back to the client. */
  readonly id = requestId();

  constructor(
    private readonly env: ServiceEnv,
    private readonly dialect: ServiceDialect,
    readonly request: AwsRequest,
  ) {}

  /** The caller of a signed request. @throws Refusal with the service's authentication error */
  authenticate(scope: SigningScope): CallerIdentity {
    const result = this.env.access.authenticate(this.request, scope);
    if (!result.ok) {
      const error = this.dialect.authError(result.failure);
      throw this.refuse(error, "denied", `${error.code}: ${result.failure.message}`);
    }
    this.caller = result.caller;
    return result.caller;
  }

  /**
   * Authorize an action of the authenticated caller (a secondary action — KMS behind SSM — is
   * logged only when it denies).
   * @throws Refusal with the service's access-denied error
   */
  authorize(action: string, resource: string, options: AuthorizeOptions = {}): Decision {
    if (!options.secondary) {
      this.action = action;
      this.resource = resource;
    }
    if (!this.caller) throw new Error(`${action} authorized before the caller was authenticated`);
    const decision = this.env.access.authorize(
      this.caller,
      this.request,
      this.env.region,
      action,
      resource,
      options.keys ?? {},
      options.resourcePolicies ?? [],
    );
    if (decision.effect !== "Allow") {
      this.action = action;
      this.resource = resource;
      const message = denialMessage(this.caller, action, resource, decision);
      const error = options.wording ? options.wording(message) : this.dialect.accessDenied(message);
      throw this.refuse(error, "denied", error.message, decision.matched);
    }
    return decision;
  }

  /** A denial worded by the service itself (e.g. KMS behind SSM). @throws Refusal */
  deny(error: ServiceError, matched?: readonly MatchedStatement[]): never {
    throw this.refuse(error, "denied", `${error.code}: ${error.message}`, matched);
  }

  /** End with a service error (authorized, but the request cannot be served). @throws Refusal */
  fail(error: ServiceError): never {
    throw this.refuse(error, "error", `${error.code}: ${error.message}`);
  }

  /** Log a success and return its reply. */
  succeed(reply: AwsReply, decision?: Decision, note?: string): AwsReply {
    const reason = decision ? `allowed by ${describeMatched(decision.matched)}` : (note ?? "public");
    this.record("allowed", reply.status, note && decision ? `${reason}; ${note}` : reason, undefined, decision?.matched);
    return { ...reply, headers: { ...reply.headers, ...this.idHeaders() } };
  }

  /** The reply to an unexpected failure (logged as an error). */
  internal(error: unknown): AwsReply {
    const message = error instanceof Error ? error.message : String(error);
    const rendered = this.dialect.internalError(`rehearsal stand-in failure: ${message}`);
    this.record("error", rendered.status, message, rendered.code);
    return this.dialect.renderError(rendered, this.request, this.id);
  }

  private refuse(error: ServiceError, decision: CallDecision, reason: string, matched?: readonly MatchedStatement[]): Refusal {
    this.record(decision, error.status, reason, error.code, matched);
    const reply = this.dialect.renderError(error, this.request, this.id);
    return new Refusal({ ...reply, headers: { ...reply.headers, ...(error.headers ?? {}), ...this.idHeaders() } });
  }

  private idHeaders(): Record<string, string> {
    return this.dialect.service === "s3" ? { "x-amz-request-id": this.id.replace(/-/g, "").slice(0, 16).toUpperCase() } : { "x-amzn-RequestId": this.id };
  }

  private record(decision: CallDecision, status: number, reason: string, code?: string, matched?: readonly MatchedStatement[]): void {
    this.env.log.record({
      at: this.env.now(),
      service: this.dialect.service,
      action: this.action,
      ...(this.resource ? { resource: this.resource } : {}),
      ...(this.caller ? { principal: this.caller.sessionArn } : {}),
      decision,
      reason,
      ...(code ? { code } : {}),
      ...(matched && matched.length > 0 ? { matched } : {}),
      status,
    });
  }
}

/** Run a handler for one request: refusals and unexpected failures become the service's errors. */
export async function serve(
  env: ServiceEnv,
  dialect: ServiceDialect,
  request: AwsRequest,
  handler: (call: ServiceCall) => AwsReply | Promise<AwsReply>,
): Promise<AwsReply> {
  const call = new ServiceCall(env, dialect, request);
  try {
    return await handler(call);
  } catch (error) {
    if (error instanceof Refusal) return error.reply;
    return call.internal(error);
  }
}
