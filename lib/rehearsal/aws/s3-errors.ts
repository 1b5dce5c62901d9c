/**
 * S3's error shape (`<Error><Code/><Message/>…<RequestId/><HostId/></Error>`, no body for HEAD)
 * and S3's codes for authentication failures, which differ from the other services':
 * InvalidAccessKeyId, InvalidToken, ExpiredToken, RequestTimeTooSkewed, SignatureDoesNotMatch
 * (with the string to sign and canonical request S3 computed), AuthorizationHeaderMalformed.
 */
import { randomBytes } from "crypto";
import { xmlEscape } from "./http-exchange";
import type { ServiceDialect, ServiceError } from "./service-call";
import type { AuthFailure } from "./sigv4";

const hexBytes = (text: string) => [...Buffer.from(text, "utf8")].map((b) => b.toString(16).padStart(2, "0")).join(" ");

/** S3's answer to a refused signature. */
export function s3AuthError(failure: AuthFailure): ServiceError {
  const key: Record<string, string> = failure.accessKeyId ? { AWSAccessKeyId: failure.accessKeyId } : {};
  switch (failure.reason) {
    case "unknown-key":
    case "missing-token":
      return { status: 403, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records.", details: key };
    case "invalid-token":
      return { status: 400, code: "InvalidToken", message: "The provided token is malformed or otherwise invalid." };
    case "expired":
      return { status: 400, code: "ExpiredToken", message: "The provided token has expired." };
    case "skew":
      return { status: 403, code: "RequestTimeTooSkewed", message: "The difference between the request time and the current time is too large." };
    case "missing-content-sha256":
      return { status: 400, code: "InvalidRequest", message: failure.message };
    case "content-sha256-mismatch":
      return { status: 400, code: "XAmzContentSHA256Mismatch", message: failure.message };
    case "unsupported":
      return { status: 501, code: "NotImplemented", message: failure.message };
    case "mismatch":
      return {
        status: 403,
        code: "SignatureDoesNotMatch",
        message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        details: {
          ...key,
          StringToSign: failure.stringToSign ?? "",
          SignatureProvided: failure.signatureProvided ?? "",
          StringToSignBytes: hexBytes(failure.stringToSign ?? ""),
          CanonicalRequest: failure.canonicalRequest ?? "",
          CanonicalRequestBytes: hexBytes(failure.canonicalRequest ?? ""),
        },
      };
    case "wrong-region":
      // What SDKs follow when they guessed the bucket's region wrong.
      return {
        status: 400,
        code: "AuthorizationHeaderMalformed",
        message: `The authorization header is malformed; the region '${failure.scopeRegion}' is wrong; expecting '${failure.expectedRegion}'`,
        details: { Region: failure.expectedRegion ?? "" },
        headers: { "x-amz-bucket-region": failure.expectedRegion ?? "" },
      };
    default:
      return { status: 400, code: "AuthorizationHeaderMalformed", message: `The authorization header is malformed; ${failure.message}` };
  }
}

/** The S3 dialect of the service stand-ins. */
export const s3Dialect: ServiceDialect = {
  service: "s3",
  renderError(error, request, id) {
    const headers = { "Content-Type": "application/xml", "x-amz-id-2": randomBytes(48).toString("base64") };
    if (request.method === "HEAD") return { status: error.status, headers, body: "" };
    const details = Object.entries(error.details ?? {})
      .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
      .join("");
    const hostId = headers["x-amz-id-2"];
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message>${details}<RequestId>${id.replace(/-/g, "").slice(0, 16).toUpperCase()}</RequestId><HostId>${hostId}</HostId></Error>`;
    return { status: error.status, headers, body };
  },
  authError: s3AuthError,
  accessDenied: (message) => ({ status: 403, code: "AccessDenied", message }),
  internalError: (message) => ({ status: 500, code: "InternalError", message: `We encountered an internal error. Please try again. (${message})` }),
};
