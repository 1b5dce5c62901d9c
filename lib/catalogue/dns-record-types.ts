/**
 * The DNS records the platform publishes, as types: record types, record sets with values that
 * may wait for a public IP, and the RFC spellings of "nothing here" (null MX, unavailable SRV).
 * The plan derives the records (lib/plan/dns-records.ts), its checks judge them
 * (lib/plan/dns-checks.ts), and renderers and constructs write them.
 */

/** The public IP of one group address, known only after deploy unless adopted with its IP. */
export interface PublicIpRef {
  /** Host of the address. */
  readonly host: string;
  /** Group of the address. */
  readonly group: string;
}

/** Part of a record value: literal text or a public IP to fill in. */
export type DnsValuePart = string | { readonly publicIpOf: PublicIpRef };

/** One value of a record set: its parts, concatenated. */
export type DnsValue = readonly DnsValuePart[];

/** Record types the platform publishes. */
export type DnsRecordType = "A" | "MX" | "SRV" | "TXT" | "TLSA";

/** One record set: a name, a type, a TTL and its values. */
export interface DnsRecord {
  /** The zone the record lives in. */
  readonly zone: string;
  /** Owner name, fully qualified, without a trailing dot. */
  readonly name: string;
  /** Record type. */
  readonly type: DnsRecordType;
  /** Time to live in seconds. */
  readonly ttlSeconds: number;
  /** Values, in a fixed order. TXT values are the text without quotes. */
  readonly values: readonly DnsValue[];
  /** Why the record exists. */
  readonly purpose: string;
}

/** RFC 2782: "decidedly not available" — how a switched-off service is published. */
export const SRV_NOT_AVAILABLE = "0 0 0 .";

/** RFC 7505 null MX: the domain accepts no mail (port 25 is off). */
export const NULL_MX = "0 .";
