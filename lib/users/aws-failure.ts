/**
 * What an AWS SDK failure means to the operator, as a {@link UserError}: a refusal by IAM, missing
 * or refused credentials, no region, an endpoint that cannot be reached, or another error AWS
 * answered with. Only a failure that is none of these stays a defect.
 */
import { UserError } from "../errors";

/** The README section that lists the rights the operator needs. */
const RIGHTS = 'the rights are listed in the README, "Mailbox passwords"';

const CREDENTIALS_REFUSED = new Set(["UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "IncompleteSignatureException"]);
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH"]);

interface SdkErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $fault?: "client" | "server";
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * The failure of one SSM call explained.
 * @param error - what the SDK threw
 * @param what - the call, e.g. `ssm:PutParameter on /acme-mail/mail-users/a.example/alice`
 */
export function explainAwsFailure(error: unknown, what: string): unknown {
  if (typeof error !== "object" || error === null) return error;
  const e = error as SdkErrorShape;
  const name = e.name ?? "";
  const message = (e.message ?? "").trim();
  if (name === "AccessDeniedException" || name === "AccessDenied") return new UserError(`AWS refused ${what}: ${message} (${RIGHTS})`, { cause: error });
  if (name === "CredentialsProviderError")
    return new UserError(
      `no AWS credentials for ${what}: set them as for the aws command (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, SSO); ${message}`,
      { cause: error },
    );
  if (CREDENTIALS_REFUSED.has(name)) return new UserError(`AWS refused the credentials for ${what}: ${name}: ${message}`, { cause: error });
  if (/^Region is missing/.test(message))
    return new UserError(`no AWS region: give --region, or set AWS_REGION or a profile's region (the stack's region)`, { cause: error });
  if (e.code !== undefined && UNREACHABLE.has(e.code)) return new UserError(`cannot reach AWS SSM for ${what}: ${e.code} ${message}`, { cause: error });
  if (name === "TimeoutError") return new UserError(`AWS SSM did not answer ${what} in time: ${message}`, { cause: error });
  // Any other error AWS answered with (throttling, a quota, a validation error) is about the account, not a defect here.
  if (e.$fault !== undefined || e.$metadata?.httpStatusCode !== undefined)
    return new UserError(`AWS SSM failed ${what}: ${name}: ${message}`, { cause: error });
  return error;
}
