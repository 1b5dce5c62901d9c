/**
 * How an S3 request names its bucket and key, and which region answers it: path-style
 * (`s3.<region>.amazonaws.com/<bucket>/<key>`) or virtual-hosted (`<bucket>.s3.<region>.amazonaws.com/<key>`),
 * on a regional endpoint or the legacy global one (`s3.amazonaws.com`). DNS sends a virtual-hosted
 * global name to the bucket's own region; a path-style global request lands in us-east-1.
 */
import { percentDecode } from "./sigv4";

/** The parsed address of an S3 request. */
export interface S3Address {
  readonly style: "path" | "virtual";
  /** Empty for service-level requests (ListBuckets). */
  readonly bucket: string;
  /** Object key, decoded; empty for bucket-level requests. */
  readonly key: string;
  /** The region of the endpoint named, or `global` for s3.amazonaws.com. */
  readonly endpoint: string;
}

const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d";
const PATH_HOST = new RegExp(`^s3(?:\\.(${REGION}))?\\.amazonaws\\.com$`);
const VIRTUAL_HOST = new RegExp(`^(.+)\\.s3(?:\\.(${REGION}))?\\.amazonaws\\.com$`);

/** Whether a host name is an S3 endpoint (either style). */
export function isS3Host(host: string): boolean {
  return PATH_HOST.test(host) || VIRTUAL_HOST.test(host);
}

/** Parse bucket, key and endpoint region from the Host header and the wire path. */
export function s3Address(host: string, wirePath: string): S3Address | undefined {
  const path = PATH_HOST.exec(host);
  if (path) {
    const [, bucket = "", ...rest] = wirePath.split("/");
    return { style: "path", bucket: percentDecode(bucket), key: percentDecode(rest.join("/")), endpoint: path[1] ?? "global" };
  }
  const virtual = VIRTUAL_HOST.exec(host);
  if (virtual) return { style: "virtual", bucket: virtual[1]!, key: percentDecode(wirePath.replace(/^\//, "")), endpoint: virtual[2] ?? "global" };
  return undefined;
}

/** The region that serves a request for a bucket in `bucketRegion` sent to `address`. */
export function servingRegion(address: S3Address, bucketRegion: string): string {
  if (address.endpoint !== "global") return address.endpoint;
  return address.style === "virtual" ? bucketRegion : "us-east-1";
}

/** The endpoint S3 names in a redirect to the bucket's region. */
export function regionalEndpoint(address: S3Address, bucketRegion: string): string {
  return address.style === "virtual" ? `${address.bucket}.s3.${bucketRegion}.amazonaws.com` : `s3.${bucketRegion}.amazonaws.com`;
}
