/**
 * Signature Version 4 verification: AWS's published test-suite vectors (canonical request and
 * signature), S3's published single-chunk GetObject example (S3's own URI rule and
 * x-amz-content-sha256), and the refusals AWS answers for unknown keys, wrong tokens, expired
 * credentials, skewed clocks, the wrong region and a forged signature.
 */
import { canonicalRequest, signSigV4, verifySigV4, type HttpRequestParts, type KnownCredentials, type VerifyOptions } from "../../../lib/rehearsal/aws/sigv4";
import { SUITE, SUITE_CREDENTIALS, SUITE_SESSION_TOKEN, SUITE_TIME } from "./sigv4-test-suite";
import { createHash } from "crypto";

/** A raw request of the suite as the parts an endpoint sees. */
function parseRaw(raw: string): HttpRequestParts {
  const [head, ...bodyParts] = raw.split("\n\n");
  const [requestLine, ...headerLines] = head!.split("\n");
  const words = requestLine!.split(" ");
  const target = words.slice(1, -1).join(" ");
  const q = target.indexOf("?");
  return {
    method: words[0]!,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? "" : target.slice(q + 1),
    headers: headerLines.map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)] as const),
    body: Buffer.from(bodyParts.join("\n\n"), "utf8"),
  };
}

const withAuthorization = (parts: HttpRequestParts, authorization: string): HttpRequestParts => ({
  ...parts,
  headers: [...parts.headers, ["Authorization", authorization]],
});
const signedHeadersOf = (authz: string) => /SignedHeaders=([^,]+)/.exec(authz)![1]!.split(";");
const suiteCredentials = (sessionToken?: string): KnownCredentials => ({
  ...SUITE_CREDENTIALS,
  ...(sessionToken ? { sessionToken } : {}),
  expiration: new Date("2100-01-01T00:00:00Z"),
});
const suiteOptions = (overrides: Partial<VerifyOptions> = {}): VerifyOptions => ({
  region: "us-east-1",
  service: "service",
  uriStyle: "standard",
  now: SUITE_TIME,
  lookup: (id) => (id === "AKIDEXAMPLE" ? suiteCredentials() : undefined),
  ...overrides,
});

describe("AWS SigV4 test suite", () => {
  test.each(SUITE.map((v) => [v.name, v] as const))("%s: canonical request, signature and verification", (_name, vector) => {
    const parts = parseRaw(vector.req);
    const token = vector.name.includes("sts") ? SUITE_SESSION_TOKEN : undefined;
    const options = suiteOptions({ lookup: (id) => (id === "AKIDEXAMPLE" ? suiteCredentials(token) : undefined) });
    expect(canonicalRequest(parts, signedHeadersOf(vector.authz), createHash("sha256").update(parts.body).digest("hex"), "standard")).toBe(vector.creq);
    expect(
      signSigV4(parts, SUITE_CREDENTIALS, {
        region: "us-east-1",
        service: "service",
        uriStyle: "standard",
        amzDate: "20150830T123600Z",
        signedHeaders: signedHeadersOf(vector.authz),
      }),
    ).toBe(vector.authz);
    expect(verifySigV4(withAuthorization(parts, vector.authz), options)).toMatchObject({ ok: true });
    const forged = vector.authz.replace(/Signature=(.)/, (_m, c: string) => `Signature=${c === "0" ? "1" : "0"}`);
    expect(verifySigV4(withAuthorization(parts, forged), options)).toMatchObject({ ok: false, failure: { reason: "mismatch", canonicalRequest: vector.creq } });
  });
});

describe("S3's single-chunk example (GET /test.txt with Range)", () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, example "GET Object".
  const parts: HttpRequestParts = {
    method: "GET",
    path: "/test.txt",
    query: "",
    body: Buffer.alloc(0),
    headers: [
      ["Host", "examplebucket.s3.amazonaws.com"],
      ["Range", "bytes=0-9"],
      ["x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
      ["x-amz-date", "20130524T000000Z"],
    ],
  };
  const authorization =
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
  const options: VerifyOptions = {
    region: "us-east-1",
    service: "s3",
    uriStyle: "s3",
    now: new Date("2013-05-24T00:05:00Z"),
    lookup: (id) =>
      id === "AKIAIOSFODNN7EXAMPLE"
        ? { accessKeyId: id, secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", expiration: new Date("2100-01-01") }
        : undefined,
  };

  test("verifies", () => {
    expect(verifySigV4(withAuthorization(parts, authorization), options)).toMatchObject({
      ok: true,
      verified: { payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    });
  });

  test("S3 signs the path encoded once, the other services encode it again", () => {
    const encoded = { ...parts, path: "/photos/a%20b.jpg" };
    expect(canonicalRequest(encoded, ["host"], "UNSIGNED-PAYLOAD", "s3").split("\n")[1]).toBe("/photos/a%20b.jpg");
    expect(canonicalRequest(encoded, ["host"], "UNSIGNED-PAYLOAD", "standard").split("\n")[1]).toBe("/photos/a%2520b.jpg");
  });

  test("accepts UNSIGNED-PAYLOAD, which botocore sends for S3 over HTTPS", () => {
    const unsigned = { ...parts, headers: parts.headers.map(([n, v]) => [n, n === "x-amz-content-sha256" ? "UNSIGNED-PAYLOAD" : v] as const) };
    const credentials = options.lookup("AKIAIOSFODNN7EXAMPLE")!;
    const signed = withAuthorization(
      unsigned,
      signSigV4(unsigned, credentials, { region: "us-east-1", service: "s3", uriStyle: "s3", amzDate: "20130524T000000Z", payloadHash: "UNSIGNED-PAYLOAD" }),
    );
    expect(verifySigV4({ ...signed, body: Buffer.from("any body") }, options)).toMatchObject({ ok: true, verified: { payloadHash: "UNSIGNED-PAYLOAD" } });
  });

  test("refuses a body that does not match x-amz-content-sha256, and a request without it", () => {
    const tampered = { ...withAuthorization(parts, authorization), body: Buffer.from("x") };
    expect(verifySigV4(tampered, options)).toMatchObject({ ok: false, failure: { reason: "content-sha256-mismatch" } });
    const without = withAuthorization({ ...parts, headers: parts.headers.filter(([n]) => n !== "x-amz-content-sha256") }, authorization);
    expect(verifySigV4(without, options)).toMatchObject({ ok: false, failure: { reason: "missing-content-sha256" } });
  });
});

describe("refusals", () => {
  const session: KnownCredentials = {
    accessKeyId: "ASIAEXAMPLEEXAMPLE01",
    secretAccessKey: "secret",
    sessionToken: "token-1",
    expiration: new Date("2015-08-30T18:00:00Z"),
  };
  const request = (headers: [string, string][] = []): HttpRequestParts => ({
    method: "POST",
    path: "/",
    query: "",
    body: Buffer.from("{}"),
    headers: [["Host", "ssm.eu-central-1.amazonaws.com"], ["X-Amz-Date", "20150830T123600Z"], ["X-Amz-Security-Token", "token-1"], ...headers],
  });
  const sign = (parts: HttpRequestParts, secret = session.secretAccessKey, region = "eu-central-1") =>
    withAuthorization(
      parts,
      signSigV4(
        parts,
        { accessKeyId: session.accessKeyId, secretAccessKey: secret },
        { region, service: "ssm", uriStyle: "standard", amzDate: "20150830T123600Z" },
      ),
    );
  const options = suiteOptions({ region: "eu-central-1", service: "ssm", lookup: (id) => (id === session.accessKeyId ? session : undefined) });
  const reason = (parts: HttpRequestParts, o = options) => {
    const outcome = verifySigV4(parts, o);
    return outcome.ok ? "ok" : outcome.failure.reason;
  };

  test("accepts the issued credentials with their session token", () => {
    expect(reason(sign(request()))).toBe("ok");
  });

  test("refuses a missing Authorization header, an unknown key and another signature algorithm", () => {
    expect(reason(request())).toBe("missing");
    expect(
      reason(withAuthorization(request(), "AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN/20150830/eu-central-1/ssm/aws4_request, SignedHeaders=host, Signature=00")),
    ).toBe("unknown-key");
    expect(reason(withAuthorization(request(), "AWS AKIAUNKNOWN:c2lnbmF0dXJl"))).toBe("malformed");
  });

  test("refuses a wrong or missing session token", () => {
    const wrongToken: HttpRequestParts = {
      ...request(),
      headers: request().headers.map(([n, v]) => [n, n === "X-Amz-Security-Token" ? "token-2" : v] as const),
    };
    expect(reason(sign(wrongToken))).toBe("invalid-token");
    expect(reason(sign({ ...request(), headers: request().headers.filter(([n]) => n !== "X-Amz-Security-Token") }))).toBe("missing-token");
  });

  test("refuses a forged signature (wrong secret), expired credentials and a skewed clock", () => {
    expect(reason(sign(request(), "not-the-secret"))).toBe("mismatch");
    expect(reason(sign(request()), { ...options, now: new Date("2015-08-30T18:00:01Z") })).toBe("expired");
    expect(reason(sign(request()), { ...options, now: new Date("2015-08-30T12:52:00Z") })).toBe("skew");
  });

  test("refuses a signature scoped to another region or service, naming the region", () => {
    expect(verifySigV4(sign(request(), session.secretAccessKey, "us-east-1"), options)).toMatchObject({
      ok: false,
      failure: { reason: "wrong-region", scopeRegion: "us-east-1", expectedRegion: "eu-central-1" },
    });
    expect(reason(sign(request()), { ...options, service: "ec2" })).toBe("wrong-service");
  });

  test("refuses presigned URLs, which the stand-ins do not emulate", () => {
    expect(reason({ ...request(), query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00" })).toBe("unsupported");
  });
});
