/**
 * Identifiers AWS would assign at deploy, made up deterministically: the same platform and host
 * always get the same instance, volume and zone ids, so a rehearsal's logs and reports compare
 * across runs. Each has the shape of the real thing (length, prefix, alphabet), which the host's
 * scripts depend on (e.g. the NVMe device name derived from the volume id).
 */
import { createHash } from "crypto";

/** The AWS account the rehearsal deploys into (AWS's documentation example account). */
export const TEST_ACCOUNT_ID = "123456789012";

function digest(kind: string, seed: string): Buffer {
  return createHash("sha256").update(`${kind}\u0000${seed}`).digest();
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Upper-case letters and digits, as in zone, role and change ids. */
function alnum(bytes: Buffer, length: number): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return [...bytes.subarray(0, length)].map((b) => alphabet[b % alphabet.length]).join("");
}

/** An EC2 instance id, e.g. `i-0123456789abcdef0` (17 hex digits). */
export function fakeInstanceId(seed: string): string {
  return `i-0${digest("instance", seed).toString("hex").slice(0, 16)}`;
}

/** An EBS volume id, e.g. `vol-0123456789abcdef0`. */
export function fakeVolumeId(seed: string): string {
  return `vol-0${digest("volume", seed).toString("hex").slice(0, 16)}`;
}

/** An AMI id. */
export function fakeAmiId(seed: string): string {
  return `ami-0${digest("ami", seed).toString("hex").slice(0, 16)}`;
}

/** A Route53 hosted zone id, e.g. `Z0123456789ABCDEFGHIJ` (Z and 20 characters). */
export function fakeZoneId(zoneName: string): string {
  return `Z0${alnum(digest("zone", zoneName), 19)}`;
}

/** An IAM unique id with its type prefix (`AROA` role, `AIPA` instance profile). */
export function fakeIamUniqueId(prefix: "AROA" | "AIPA", seed: string): string {
  return prefix + [...digest(prefix, seed).subarray(0, 17)].map((b) => BASE32[b % 32]).join("");
}

/** An Elastic IP allocation id, e.g. `eipalloc-0123456789abcdef0`. */
export function fakeAllocationId(seed: string): string {
  return `eipalloc-0${digest("eipalloc", seed).toString("hex").slice(0, 16)}`;
}

/** A network interface id, e.g. `eni-0123456789abcdef0`. */
export function fakeNetworkInterfaceId(seed: string): string {
  return `eni-0${digest("eni", seed).toString("hex").slice(0, 16)}`;
}

/**
 * A MAC address as EC2 gives an interface: unicast and locally administered (first octet 02),
 * lowercase and colon-separated as the instance metadata lists it.
 */
export function fakeMacAddress(seed: string): string {
  const bytes = [...digest("mac", seed).subarray(0, 5)].map((b) => b.toString(16).padStart(2, "0"));
  return ["02", ...bytes].join(":");
}
