/**
 * How much of the public internet the extra ingress rules of one port open, taken together:
 * `0.0.0.0/1` and `128.0.0.0/1` open SSH to everyone just as `0.0.0.0/0` does. Used by checkAws
 * (deployment-checks.ts), which asks for a written reason for administration ports opened that
 * wide, and by the semantic checks, which report the rules that do it together.
 */
import { ipv4ToNumber } from "./syntax";

/** Ports that must not be open to the internet without a written reason: SSH, HTTP, RDP. */
export const ADMIN_PORTS: readonly number[] = [22, 80, 3389];

/**
 * Public addresses above which an administration port counts as open to the internet: a /8
 * (16,777,216 addresses). No office, VPN or provider network is that large; a set of rules whose
 * union is, is the internet written in pieces.
 */
export const WIDE_OPEN_ADDRESSES = 2 ** 24;

/** A half-open range of IPv4 addresses [start, end). */
type Range = readonly [number, number];

/** Address space that is not reachable from the internet: this network, RFC 1918, shared, loopback, link-local, multicast and reserved. */
const NON_PUBLIC: readonly Range[] = (
  [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.168.0.0", 16],
    ["224.0.0.0", 3],
  ] as const
).map(([network, bits]) => rangeOf(network, bits));

function rangeOf(network: string, bits: number): Range {
  const size = 2 ** (32 - bits);
  const start = ipv4ToNumber(network) - (ipv4ToNumber(network) % size);
  return [start, start + size];
}

/** The range of a CIDR that the schema accepted (host bits, if set, are ignored as AWS ignores them). */
export function cidrRange(cidr: string): Range {
  const [network, bits] = cidr.split("/");
  return rangeOf(network!, Number(bits));
}

function merge(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** How many public addresses the union of the CIDRs holds. */
export function publicAddressCount(cidrs: readonly string[]): number {
  let count = 0;
  for (const [start, end] of merge(cidrs.map(cidrRange))) {
    let size = end - start;
    for (const [nStart, nEnd] of NON_PUBLIC) size -= Math.max(0, Math.min(end, nEnd) - Math.max(start, nStart));
    count += size;
  }
  return count;
}

/** An extra ingress rule as far as this module reads it. */
export interface IngressRule {
  readonly port: number;
  readonly cidr: string;
  readonly acknowledgement?: string | undefined;
}

/** What the rules of the administration ports open together. */
export interface AdminExposure {
  /**
   * Rules (by index) that may carry an acknowledgement: rules of an administration port whose
   * rules together open more than {@link WIDE_OPEN_ADDRESSES} public addresses, and that open
   * some public addresses themselves.
   */
  readonly mayBeAcknowledged: ReadonlySet<number>;
  /**
   * Rules (by index) without an acknowledgement that open an administration port to more than
   * {@link WIDE_OPEN_ADDRESSES} public addresses, alone or together with the others listed;
   * `0.0.0.0/0` itself is left to checkAws, which reports it on its own.
   */
  readonly needAcknowledgement: ReadonlyMap<number, WideOpening>;
}

/** An administration port opened too wide by one rule or a few together. */
export interface WideOpening {
  readonly port: number;
  /** Public addresses the rules open together. */
  readonly publicAddresses: number;
  /** The rules (by index) that do it together; just the rule itself when it does it alone. */
  readonly together: readonly number[];
}

/** Judge the administration ports of a list of extra ingress rules. */
export function adminExposure(rules: readonly IngressRule[]): AdminExposure {
  const mayBeAcknowledged = new Set<number>();
  const needAcknowledgement = new Map<number, WideOpening>();
  for (const port of ADMIN_PORTS) {
    const ofPort = rules.flatMap((rule, index) => {
      const size = rule.port === port ? publicAddressCount([rule.cidr]) : 0;
      return size > 0 ? [{ rule, index, size }] : [];
    });
    if (publicAddressCount(ofPort.map((r) => r.rule.cidr)) > WIDE_OPEN_ADDRESSES) ofPort.forEach((r) => mayBeAcknowledged.add(r.index));
    const unacknowledged = ofPort.filter((r) => r.rule.acknowledgement === undefined && r.rule.cidr !== "0.0.0.0/0");
    // A rule wide open on its own is reported on its own.
    for (const r of unacknowledged.filter((u) => u.size > WIDE_OPEN_ADDRESSES)) {
      needAcknowledgement.set(r.index, { port, publicAddresses: r.size, together: [r.index] });
    }
    // Narrower rules that are wide open together: drop the smallest while the rest still is, so an
    // office /24 beside 0.0.0.0/1 + 128.0.0.0/1 is not blamed.
    let together = unacknowledged.filter((u) => u.size <= WIDE_OPEN_ADDRESSES).sort((a, b) => a.size - b.size);
    const open = (list: typeof together) => publicAddressCount(list.map((r) => r.rule.cidr));
    if (open(together) <= WIDE_OPEN_ADDRESSES) continue;
    for (const candidate of [...together]) {
      const rest = together.filter((r) => r !== candidate);
      if (open(rest) > WIDE_OPEN_ADDRESSES) together = rest;
    }
    const indexes = together.map((r) => r.index).sort((a, b) => a - b);
    for (const r of together) needAcknowledgement.set(r.index, { port, publicAddresses: open(together), together: indexes });
  }
  return { mayBeAcknowledged, needAcknowledgement };
}
