/**
 * S3 stand-in: GetObject and HeadObject (with single byte ranges), path-style and
 * virtual-hosted, on regional endpoints and the global one, signed or anonymous.
 *
 * As S3 does: a request that reaches the wrong region is redirected (301 PermanentRedirect, with
 * `x-amz-bucket-region`); a request signed for the wrong region is refused with
 * AuthorizationHeaderMalformed naming the right one (what SDKs follow when they guessed the
 * region); the bucket policy is evaluated with the role's policies; a missing key is 404 only to a
 * caller allowed to list the bucket, 403 to everyone else; an object in another account's bucket
 * needs both the caller's grant and the owner's (a public object); anonymous callers get public
 * objects only, and never in a bucket whose public access is blocked.
 * Other operations are answered with S3's NotImplemented and logged.
 */
import { createHash } from "crypto";
import type { CallerIdentity } from "./access";
import type { DeployedBucket } from "./deployment";
import { headerOf, type AwsReply, type AwsRequest } from "./http-exchange";
import { evaluatePolicies, type Decision, type NamedPolicy } from "./iam";
import { regionalEndpoint, s3Address, servingRegion, type S3Address } from "./s3-addressing";
import { s3Dialect } from "./s3-errors";
import { serve, type ServiceCall, type ServiceEnv } from "./service-call";

/** An object as stored. */
interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  /** Readable by anyone (public-read ACL), unless the bucket blocks public access. */
  readonly public: boolean;
  readonly lastModified: Date;
  readonly etag: string;
  readonly versionId?: string;
}

interface StoredBucket {
  readonly name: string;
  readonly region: string;
  readonly ownerAccount: string;
  readonly policy?: NamedPolicy;
  readonly versioned: boolean;
  readonly publicAccessBlocked: boolean;
  readonly encryption?: string;
  readonly objects: Map<string, StoredObject>;
}

/** Options of {@link S3StandIn.putObject}. */
export interface PutObjectOptions {
  /** Readable without credentials (as AWS's public buckets, e.g. the SSM agent's). @default false */
  readonly public?: boolean;
  /** @default application/octet-stream */
  readonly contentType?: string;
}

/** The account that owns buckets the deployment did not create (AWS's own, e.g. amazon-ssm-<region>). */
export const FOREIGN_ACCOUNT_ID = "000000000000";

/** Query parameters GetObject may carry that change nothing here. */
const HARMLESS_QUERY = new Set(["x-id"]);

/** Parse `Range: bytes=…` against a length: the inclusive byte range, or "invalid". */
function byteRange(header: string | undefined, length: number): [number, number] | "invalid" | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  const [start, end] =
    m[1] === "" ? [Math.max(0, length - Number(m[2])), length - 1] : [Number(m[1]), m[2] === "" ? length - 1 : Math.min(Number(m[2]), length - 1)];
  return start >= length || start > end ? "invalid" : [start, end];
}

/** The S3 of the world (every region). */
export class S3StandIn {
  private readonly buckets = new Map<string, StoredBucket>();

  constructor(
    private readonly env: ServiceEnv,
    deployed: readonly DeployedBucket[],
  ) {
    for (const bucket of deployed) {
      const stored: StoredBucket = {
        name: bucket.name,
        region: env.region,
        ownerAccount: env.accountId,
        ...(bucket.policy ? { policy: { name: `bucket policy of ${bucket.name}`, kind: "resource" as const, document: bucket.policy } } : {}),
        versioned: bucket.versioned,
        publicAccessBlocked: bucket.publicAccessBlocked,
        ...(bucket.encryption ? { encryption: bucket.encryption } : {}),
        objects: new Map(),
      };
      this.buckets.set(bucket.name, stored);
      for (const object of bucket.objects) this.putObject(bucket.name, object.key, object.body, { contentType: object.contentType ?? "binary/octet-stream" });
    }
  }

  /** The names of every bucket (for the endpoint's host names). */
  bucketNames(): string[] {
    return [...this.buckets.keys()];
  }

  /** Store an object; a bucket the deployment does not have is created as another account's (AWS's). */
  putObject(bucket: string, key: string, body: string | Buffer, options: PutObjectOptions = {}): void {
    let stored = this.buckets.get(bucket);
    if (!stored) {
      stored = { name: bucket, region: this.env.region, ownerAccount: FOREIGN_ACCOUNT_ID, versioned: false, publicAccessBlocked: false, objects: new Map() };
      this.buckets.set(bucket, stored);
    }
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    stored.objects.set(key, {
      body: bytes,
      contentType: options.contentType ?? "application/octet-stream",
      public: options.public === true,
      lastModified: this.env.now(),
      etag: `"${createHash("md5").update(bytes).digest("hex")}"`,
      ...(stored.versioned ? { versionId: createHash("sha256").update(bytes).digest("base64url").slice(0, 32) } : {}),
    });
  }

  /** Answer one request. */
  handle(request: AwsRequest): Promise<AwsReply> {
    return serve(this.env, s3Dialect, request, (call) => {
      call.action = `s3:${request.method} ${request.path}`;
      const address = s3Address(request.host, request.path);
      if (!address || address.bucket === "")
        return call.fail({ status: 501, code: "NotImplemented", message: "service-level S3 operations are not emulated by the rehearsal" });
      if (["GET", "HEAD"].includes(request.method) && address.key !== "") {
        // GET and HEAD of an object are both s3:GetObject to IAM.
        call.action = "s3:GetObject";
        call.resource = `arn:aws:s3:::${address.bucket}/${address.key}`;
      }
      const bucket = this.buckets.get(address.bucket);
      if (!bucket)
        return call.fail({ status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist", details: { BucketName: address.bucket } });
      const region = servingRegion(address, bucket.region);
      if (region !== bucket.region) {
        return call.fail({
          status: 301,
          code: "PermanentRedirect",
          message: "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
          details: { Endpoint: regionalEndpoint(address, bucket.region), Bucket: bucket.name },
          headers: { "x-amz-bucket-region": bucket.region },
        });
      }
      const query = request.query.split("&").filter((p) => p !== "" && !HARMLESS_QUERY.has(p.split("=")[0]!));
      if (!["GET", "HEAD"].includes(request.method) || address.key === "" || query.length > 0) {
        return call.fail({
          status: 501,
          code: "NotImplemented",
          message: `${request.method} ${address.key === "" ? "on a bucket" : "on an object"}${query.length > 0 ? ` with ?${query.join("&")}` : ""} is not emulated by the rehearsal`,
        });
      }
      return this.getObject(call, request, address, bucket);
    });
  }

  private getObject(call: ServiceCall, request: AwsRequest, address: S3Address, bucket: StoredBucket): AwsReply {
    const objectArn = `arn:aws:s3:::${bucket.name}/${address.key}`;
    const object = bucket.objects.get(address.key);
    const isPublic = object?.public === true && !bucket.publicAccessBlocked;
    const signed = headerOf(request, "authorization") !== undefined || /(^|&)X-Amz-/.test(request.query);
    let decision: Decision | undefined;
    let caller: CallerIdentity | undefined;
    if (signed) {
      caller = call.authenticate({ service: "s3", region: bucket.region, uriStyle: "s3" });
      decision = this.authorizeSigned(call, request, bucket, objectArn, isPublic, caller.sessionArn);
    } else {
      this.authorizeAnonymous(call, request, bucket, objectArn, isPublic);
    }
    if (!object) {
      // S3 tells "no such key" only to a caller who may list the bucket.
      const mayList =
        caller !== undefined &&
        this.env.access.authorize(caller, request, this.env.region, "s3:ListBucket", `arn:aws:s3:::${bucket.name}`, {}, bucket.policy ? [bucket.policy] : [])
          .effect === "Allow";
      if (mayList) call.fail({ status: 404, code: "NoSuchKey", message: "The specified key does not exist.", details: { Key: address.key } });
      call.deny({ status: 403, code: "AccessDenied", message: "Access Denied" });
    }
    const range = byteRange(headerOf(request, "range"), object!.body.length);
    if (range === "invalid")
      call.fail({
        status: 416,
        code: "InvalidRange",
        message: "The requested range is not satisfiable",
        headers: { "Content-Range": `bytes */${object!.body.length}` },
      });
    return call.succeed(this.objectReply(request, bucket, object!, range), decision, decision ? undefined : "public object, anonymous caller");
  }

  private authorizeSigned(call: ServiceCall, request: AwsRequest, bucket: StoredBucket, objectArn: string, isPublic: boolean, caller: string): Decision {
    const keys = {
      "s3:authType": "REST-HEADER",
      "s3:signatureversion": "AWS4-HMAC-SHA256",
      "s3:x-amz-content-sha256": headerOf(request, "x-amz-content-sha256") ?? "",
      "s3:TlsVersion": "1.3",
      "s3:ResourceAccount": bucket.ownerAccount,
    };
    if (bucket.ownerAccount === this.env.accountId)
      return call.authorize("s3:GetObject", objectArn, { keys, resourcePolicies: bucket.policy ? [bucket.policy] : [] });
    // Another account's bucket: the caller's own policies must allow it, and the owner must (public object).
    const decision = call.authorize("s3:GetObject", objectArn, { keys });
    if (!isPublic)
      call.deny({
        status: 403,
        code: "AccessDenied",
        message: `User: ${caller} is not authorized to perform: s3:GetObject on resource: ${objectArn} because no resource-based policy allows the s3:GetObject action`,
      });
    return decision;
  }

  private authorizeAnonymous(call: ServiceCall, request: AwsRequest, bucket: StoredBucket, objectArn: string, isPublic: boolean): void {
    const policyDecision = bucket.policy
      ? evaluatePolicies([bucket.policy], {
          principal: { arns: [], account: "" },
          action: "s3:GetObject",
          resource: objectArn,
          context: { "aws:SecureTransport": request.secure, "s3:authType": "REST-HEADER" },
        })
      : undefined;
    // A blocked bucket ignores public grants, by ACL (isPublic accounts for that) or by policy.
    const grantedByPolicy = policyDecision?.effect === "Allow" && !bucket.publicAccessBlocked;
    if (policyDecision?.effect === "ExplicitDeny" || !(isPublic || grantedByPolicy))
      call.deny({ status: 403, code: "AccessDenied", message: "Access Denied" }, policyDecision?.matched);
  }

  private objectReply(request: AwsRequest, bucket: StoredBucket, object: StoredObject, range: [number, number] | undefined): AwsReply {
    const body = range ? object.body.subarray(range[0], range[1] + 1) : object.body;
    const headers: Record<string, string> = {
      "Content-Type": object.contentType,
      "Content-Length": String(body.length),
      ETag: object.etag,
      "Last-Modified": object.lastModified.toUTCString(),
      "Accept-Ranges": "bytes",
      Server: "AmazonS3",
      ...(bucket.encryption ? { "x-amz-server-side-encryption": bucket.encryption } : {}),
      ...(object.versionId ? { "x-amz-version-id": object.versionId } : {}),
      ...(range ? { "Content-Range": `bytes ${range[0]}-${range[1]}/${object.body.length}` } : {}),
    };
    return { status: range ? 206 : 200, headers, body: request.method === "HEAD" ? "" : body };
  }
}
