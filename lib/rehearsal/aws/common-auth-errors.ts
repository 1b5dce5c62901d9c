/**
 * The authentication errors of the services that answer with AWS's common error codes
 * (Route53, CloudWatch): the same codes and statuses, only the text of a missing signature differs.
 */
import type { ServiceError } from "./service-call";
import type { AuthFailure } from "./sigv4";

/** The error for a request whose signature or credentials failed. */
export function commonAuthError(failure: AuthFailure, missingMessage: string): ServiceError {
  switch (failure.reason) {
    case "missing":
      return { status: 403, code: "MissingAuthenticationToken", message: missingMessage };
    case "unknown-key":
    case "missing-token":
    case "invalid-token":
      return { status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid." };
    case "expired":
      return { status: 403, code: "ExpiredToken", message: "The security token included in the request is expired" };
    case "malformed":
    case "unsupported":
      return { status: 400, code: "IncompleteSignature", message: failure.message };
    default:
      return { status: 403, code: "SignatureDoesNotMatch", message: failure.message };
  }
}
