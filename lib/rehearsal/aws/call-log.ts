/**
 * Every call the stand-ins answered, in order: what was asked (service, action, resource), what
 * was decided and why, and what the client got back. A rehearsal report quotes the first denied
 * call; a test reads the log to prove which grant a call used.
 */
import type { MatchedStatement } from "./iam";

/** How a call ended. */
export type CallDecision =
  /** Authorized (or public) and answered successfully. */
  | "allowed"
  /** Refused: authentication failed, or IAM denied it. */
  | "denied"
  /** Authorized, but the service answered an error (no such key, invalid change, not emulated, …). */
  | "error";

/** One call. */
export interface CallRecord {
  readonly at: Date;
  /** `ec2`, `ssm`, `s3`, `route53`, `cloudwatch`, `imds`. */
  readonly service: string;
  /** IAM action (`s3:GetObject`), or the IMDS request (`GET /latest/meta-data/instance-id`). */
  readonly action: string;
  /** Resource ARN the call was authorized against, when there is one. */
  readonly resource?: string;
  /** Caller ARN (assumed-role session), absent for anonymous calls. */
  readonly principal?: string;
  readonly decision: CallDecision;
  /** Why: the statements that allowed it, the denial or error with AWS's code and message. */
  readonly reason: string;
  /** Error code returned to the client (`AccessDenied`, `SignatureDoesNotMatch`, …). */
  readonly code?: string;
  /** The statements that decided an IAM allow or explicit deny. */
  readonly matched?: readonly MatchedStatement[];
  readonly status: number;
}

/** The log of one world. */
export class CallLog {
  private readonly records: CallRecord[] = [];

  /** Append a call. */
  record(call: CallRecord): void {
    this.records.push(call);
  }

  /** Every call so far, oldest first. */
  get calls(): readonly CallRecord[] {
    return [...this.records];
  }

  /** The first denied call (authentication or authorization), for reports. */
  firstDenied(): CallRecord | undefined {
    return this.records.find((c) => c.decision === "denied");
  }

  /** Forget every call (between phases of a test). */
  clear(): void {
    this.records.length = 0;
  }

  /** One line per call: `time service action resource → decision status code: reason`. */
  static format(call: CallRecord): string {
    const resource = call.resource ? ` ${call.resource}` : "";
    const code = call.code ? ` ${call.code}` : "";
    return `${call.at.toISOString()} ${call.service} ${call.action}${resource} → ${call.decision} ${call.status}${code}: ${call.reason}`;
  }
}
