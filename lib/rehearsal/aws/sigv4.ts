/**
 * AWS Signature Version 4 (the `Authorization: AWS4-HMAC-SHA256 …` header), verified as an AWS
 * endpoint verifies it (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
 * the canonical request is rebuilt from what arrived on the wire, signed with the secret of the
 * access key named in the credential scope, and compared. Two canonical URI rules exist: S3 signs
 * the path encoded once and as sent; every other service normalises the path and encodes it again
 * ("double encoding"). Failures carry the reason AWS would give, so each service can answer in its
 * own error shape; a signature mismatch carries the canonical request and string to sign, as S3's
 * error does, to show what differed.
 */
import { createHash, createHmac, timingSafeEqual } from "crypto";

/** A request as it arrived (or will be sent). */
export interface HttpRequestParts {
  readonly method: string;
  /** The path as on the wire (percent-encoded), without the query. */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  /** Header lines in arrival order (duplicates kept). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** Credentials a signature is made or checked with. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Credentials the verifier knows, with their lifetime. */
export interface KnownCredentials extends SigningCredentials {
  readonly expiration: Date;
}

/** S3 signs the path as sent; the other services normalise and encode it again. */
export type UriStyle = "s3" | "standard";

/** What the endpoint expects of a signature. */
export interface VerifyOptions {
  /** Signing region the endpoint belongs to (`us-east-1` for Route53). */
  readonly region: string;
  /** Signing service name (`ec2`, `ssm`, `s3`, `route53`, `monitoring` for CloudWatch). */
  readonly service: string;
  readonly uriStyle: UriStyle;
  readonly now: Date;
  /** The credentials an access key id stands for, if any. */
  readonly lookup: (accessKeyId: string) => KnownCredentials | undefined;
}

/** Why a request was refused. */
export type AuthFailureReason =
  | "missing"
  | "unsupported"
  | "malformed"
  | "unknown-key"
  | "missing-token"
  | "invalid-token"
  | "expired"
  | "skew"
  | "wrong-region"
  | "wrong-service"
  | "missing-content-sha256"
  | "content-sha256-mismatch"
  | "mismatch";

/** A refused signature, with what a service needs to word its error. */
export interface AuthFailure {
  readonly reason: AuthFailureReason;
  readonly message: string;
  readonly accessKeyId?: string;
  /** The region the client signed for, and the one expected (`wrong-region`). */
  readonly scopeRegion?: string;
  readonly expectedRegion?: string;
  readonly canonicalRequest?: string;
  readonly stringToSign?: string;
  readonly signatureProvided?: string;
}

/** A verified signature. */
export interface Verified {
  readonly credentials: KnownCredentials;
  readonly signedHeaders: readonly string[];
  readonly amzDate: string;
  /** The payload hash the request was signed with (`UNSIGNED-PAYLOAD` or hex). */
  readonly payloadHash: string;
}

export type VerifyOutcome = { readonly ok: true; readonly verified: Verified } | { readonly ok: false; readonly failure: AuthFailure };

const ALGORITHM = "AWS4-HMAC-SHA256";
/** AWS refuses requests signed more than 15 minutes from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 encoding of every byte but the unreserved characters (and `/` when kept). */
export function uriEncode(text: string, keepSlash: boolean): string {
  return [...Buffer.from(text, "utf8")]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/") ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

/** Undo percent-encoding (bytes, then UTF-8); malformed escapes stay as they are. */
export function percentDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Remove `.` and `..` segments and empty segments, keeping a trailing slash. */
function normalisePath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  const joined = `/${out.join("/")}`;
  return path.endsWith("/") && joined !== "/" ? `${joined}/` : joined;
}

/** The canonical URI of a wire path. */
export function canonicalUri(path: string, style: UriStyle): string {
  if (path === "") return "/";
  return style === "s3" ? uriEncode(percentDecode(path), true) : uriEncode(normalisePath(path), true);
}

/** The canonical query string: each name and value encoded, sorted by name, then value. */
export function canonicalQuery(query: string): string {
  return query
    .split("&")
    .filter((p) => p !== "")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const [name, value] = eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
      return [uriEncode(percentDecode(name), false), uriEncode(percentDecode(value), false)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/** The canonical headers block (each line `name:value\n`) for the signed header names. */
export function canonicalHeaders(headers: HttpRequestParts["headers"], signed: readonly string[]): string {
  const values = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    values.set(key, [...(values.get(key) ?? []), value.trim().replace(/\s+/g, " ")]);
  }
  return signed.map((name) => `${name}:${(values.get(name) ?? []).join(",")}\n`).join("");
}

/** The canonical request. */
export function canonicalRequest(parts: HttpRequestParts, signedHeaders: readonly string[], payloadHash: string, style: UriStyle): string {
  return [
    parts.method.toUpperCase(),
    canonicalUri(parts.path, style),
    canonicalQuery(parts.query),
    canonicalHeaders(parts.headers, signedHeaders),
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

/** The string to sign for a canonical request. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join("\n");
}

/** The signature of a string to sign. */
export function signature(secretAccessKey: string, scope: { date: string; region: string; service: string }, toSign: string): string {
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, scope.date), scope.region), scope.service), "aws4_request");
  return createHmac("sha256", key).update(toSign, "utf8").digest("hex");
}

function header(parts: HttpRequestParts, name: string): string | undefined {
  return parts.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** `20150830T123600Z` from X-Amz-Date, or from an RFC 1123 `Date` header. */
function requestDate(parts: HttpRequestParts): string | undefined {
  const amz = header(parts, "x-amz-date");
  if (amz) return /^\d{8}T\d{6}Z$/.test(amz) ? amz : undefined;
  const date = header(parts, "date");
  const time = date ? Date.parse(date) : Number.NaN;
  return Number.isNaN(time)
    ? undefined
    : new Date(time)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
}

function dateOf(amzDate: string): Date {
  return new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
}

const fail = (failure: AuthFailure): VerifyOutcome => ({ ok: false, failure });

/** Verify a request's SigV4 `Authorization` header. */
export function verifySigV4(parts: HttpRequestParts, options: VerifyOptions): VerifyOutcome {
  const authorization = header(parts, "authorization");
  if (/(^|&)X-Amz-(Algorithm|Signature)=/.test(parts.query))
    return fail({ reason: "unsupported", message: "query-string (presigned) authentication is not emulated by the rehearsal" });
  if (authorization === undefined) return fail({ reason: "missing", message: "Missing Authentication Token" });
  if (!authorization.startsWith(`${ALGORITHM} `))
    return fail({ reason: "malformed", message: `Authorization header is not ${ALGORITHM} (only Signature Version 4 is accepted)` });
  const fields = new Map(
    authorization
      .slice(ALGORITHM.length + 1)
      .split(",")
      .map((f) => f.trim().split("=", 2) as [string, string | undefined]),
  );
  const credential = fields.get("Credential");
  const signed = fields.get("SignedHeaders");
  const provided = fields.get("Signature");
  if (!credential || !signed || !provided)
    return fail({ reason: "malformed", message: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters" });
  const [accessKeyId, date, region, service, terminator] = credential.split("/");
  if (!accessKeyId || !date || !region || !service || terminator !== "aws4_request")
    return fail({ reason: "malformed", message: `Credential should be scoped correctly: ${credential}` });
  const amzDate = requestDate(parts);
  if (!amzDate)
    return fail({ reason: "malformed", message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header", accessKeyId });
  if (amzDate.slice(0, 8) !== date)
    return fail({
      reason: "malformed",
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}'`,
      accessKeyId,
    });
  const known = options.lookup(accessKeyId);
  if (!known) return fail({ reason: "unknown-key", message: "The security token included in the request is invalid.", accessKeyId });
  const token = header(parts, "x-amz-security-token");
  if (known.sessionToken !== undefined && token === undefined)
    return fail({ reason: "missing-token", message: "The security token included in the request is invalid.", accessKeyId });
  if (known.sessionToken !== token) return fail({ reason: "invalid-token", message: "The security token included in the request is invalid.", accessKeyId });
  if (known.expiration.getTime() <= options.now.getTime())
    return fail({ reason: "expired", message: "The security token included in the request is expired", accessKeyId });
  if (Math.abs(dateOf(amzDate).getTime() - options.now.getTime()) > MAX_SKEW_MS) {
    const now = options.now
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    return fail({ reason: "skew", message: `Signature expired: ${amzDate} is now earlier than ${now} (${now} - 15 min.)`, accessKeyId });
  }
  if (region !== options.region)
    return fail({
      reason: "wrong-region",
      message: `Credential should be scoped to a valid region. (the region '${region}' is wrong; expecting '${options.region}')`,
      accessKeyId,
      scopeRegion: region,
      expectedRegion: options.region,
    });
  if (service !== options.service)
    return fail({ reason: "wrong-service", message: `Credential should be scoped to correct service: '${options.service}'.`, accessKeyId });
  const signedHeaders = signed.split(";");
  if (!signedHeaders.includes("host"))
    return fail({ reason: "malformed", message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", accessKeyId });
  let payloadHash = sha256Hex(parts.body);
  if (options.uriStyle === "s3") {
    const declared = header(parts, "x-amz-content-sha256");
    if (declared === undefined)
      return fail({ reason: "missing-content-sha256", message: "Missing required header for this request: x-amz-content-sha256", accessKeyId });
    if (declared !== "UNSIGNED-PAYLOAD" && declared !== payloadHash) {
      return /^[0-9a-f]{64}$/.test(declared)
        ? fail({ reason: "content-sha256-mismatch", message: "The provided 'x-amz-content-sha256' header does not match what was computed.", accessKeyId })
        : fail({ reason: "unsupported", message: `x-amz-content-sha256 ${declared} is not emulated by the rehearsal`, accessKeyId });
    }
    payloadHash = declared;
  }
  const canonical = canonicalRequest(parts, signedHeaders, payloadHash, options.uriStyle);
  const toSign = stringToSign(amzDate, `${date}/${region}/${service}/aws4_request`, canonical);
  const expected = signature(known.secretAccessKey, { date, region, service }, toSign);
  const matches = expected.length === provided.length && timingSafeEqual(Buffer.from(expected), Buffer.from(provided));
  if (!matches) {
    return fail({
      reason: "mismatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      accessKeyId,
      canonicalRequest: canonical,
      stringToSign: toSign,
      signatureProvided: provided,
    });
  }
  return { ok: true, verified: { credentials: known, signedHeaders, amzDate, payloadHash } };
}

/** What {@link signSigV4} adds to a request. */
export interface SigningOptions {
  readonly region: string;
  readonly service: string;
  readonly uriStyle: UriStyle;
  /** `20150830T123600Z`. */
  readonly amzDate: string;
  /** Header names to sign, lower case (`host` and `x-amz-date` always are). */
  readonly signedHeaders?: readonly string[];
  /** @default sha256 of the body */
  readonly payloadHash?: string;
}

/** The `Authorization` header for a request (tests, and forging bad signatures on purpose). */
export function signSigV4(parts: HttpRequestParts, credentials: SigningCredentials, options: SigningOptions): string {
  const names = [...new Set([...(options.signedHeaders ?? parts.headers.map(([n]) => n.toLowerCase())), "host"])].sort();
  const canonical = canonicalRequest(parts, names, options.payloadHash ?? sha256Hex(parts.body), options.uriStyle);
  const scope = { date: options.amzDate.slice(0, 8), region: options.region, service: options.service };
  const toSign = stringToSign(options.amzDate, `${scope.date}/${scope.region}/${scope.service}/aws4_request`, canonical);
  return `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope.date}/${scope.region}/${scope.service}/aws4_request, SignedHeaders=${names.join(";")}, Signature=${signature(credentials.secretAccessKey, scope, toSign)}`;
}
