/**
 * DNS records as data, derived from the plan: the one source for Route53 resources (and for a
 * zone-file export). Values that exist only after deploy (new Elastic IPs) are symbolic
 * references, resolved by whoever writes the records.
 */
import { zoneOf } from "../model/deployment-checks";
import type { PlatformSpec } from "../model/schema";
import { SERVICES } from "./services";
import type { Plan } from "./types";

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
export type DnsRecordType = "A" | "MX" | "SRV" | "TXT";

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

/** TTLs: long for records that rarely change, short for addresses (quick renumbering). */
export const DNS_TTL_SECONDS = { A: 300, MX: 3600, SRV: 3600, TXT: 3600 } as const;

/** RFC 2782: "decidedly not available" — how a switched-off service is published. */
export const SRV_NOT_AVAILABLE = "0 0 0 .";

/** The identity of a record set: adding or removing another record never changes it. */
export function recordKey(record: Pick<DnsRecord, "name" | "type">): string {
  return `${record.name}/${record.type}`;
}

function ipOf(plan: Plan, host: string, group: string): DnsValuePart {
  const address = plan.hosts.find((h) => h.name === host)!.addresses.find((a) => a.group === group)!;
  return address.publicIp ?? { publicIpOf: { host, group } };
}

/** Every record the platform publishes, sorted by name then type. Needs `dns` in the spec. */
export function dnsRecords(plan: Plan): DnsRecord[] {
  const spec: PlatformSpec = plan.spec;
  if (!spec.dns) throw new Error("dnsRecords needs the dns section (zones)");
  const zones = spec.dns.zones.map((z) => z.name);
  const zone = (name: string) => {
    const found = zoneOf(name, zones);
    if (!found) throw new Error(`${name} lies in no zone (the model checks prevent this)`);
    return found;
  };
  const records: DnsRecord[] = [];
  for (const group of spec.groups) {
    const hosts = plan.hosts.map((h) => ({ host: h.name, address: h.addresses.find((a) => a.group === group.name)! }));
    for (const domain of group.domains) {
      if (spec.services.smtp) {
        records.push({
          zone: zone(domain.name),
          name: domain.name,
          type: "MX",
          ttlSeconds: DNS_TTL_SECONDS.MX,
          values: hosts.map(({ address }, i) => [`${(i + 1) * 10} ${address.hostName}.`]),
          purpose: `mail for ${domain.name} goes to group ${group.name}'s host names, first host preferred`,
        });
      }
      records.push({
        zone: zone(domain.name),
        name: domain.name,
        type: "TXT",
        ttlSeconds: DNS_TTL_SECONDS.TXT,
        values: [spfValue(plan, group.name)],
        purpose: `SPF: only group ${group.name}'s addresses send for ${domain.name}`,
      });
      for (const service of SERVICES) {
        if (!service.srvLabel) continue;
        const enabled = spec.services[service.name];
        records.push({
          zone: zone(domain.name),
          name: `${service.srvLabel}.${domain.name}`,
          type: "SRV",
          ttlSeconds: DNS_TTL_SECONDS.SRV,
          values: enabled ? hosts.map(({ address }, i) => [`${i * 10} 1 ${service.port} ${address.hostName}.`]) : [[SRV_NOT_AVAILABLE]],
          purpose: enabled ? `RFC 6186/8314 discovery of ${service.description}` : `${service.description} is off (RFC 2782 "not available")`,
        });
      }
    }
    for (const { host, address } of hosts) {
      records.push({
        zone: zone(address.hostName),
        name: address.hostName,
        type: "A",
        ttlSeconds: DNS_TTL_SECONDS.A,
        values: [[ipOf(plan, host, group.name)]],
        purpose: `group ${group.name} on host ${host}; the PTR of this IP names it back`,
      });
    }
  }
  return records.sort((a, b) => (a.name === b.name ? (a.type < b.type ? -1 : 1) : a.name < b.name ? -1 : 1));
}

function spfValue(plan: Plan, group: string): DnsValue {
  const parts: DnsValuePart[] = ["v=spf1"];
  for (const host of plan.hosts) parts.push(" ip4:", ipOf(plan, host.name, group));
  const relay = plan.spec.outbound.relayHost;
  if (relay) parts.push(` a:${relay.host}`);
  parts.push(" -all");
  return parts;
}
