/**
 * DNS records as data, derived from the plan: the one source for Route53 resources (and for a
 * zone-file export). Values that exist only after deploy (new Elastic IPs) are symbolic
 * references, resolved by whoever writes the records.
 */
import { UserError } from "../errors";
import { createHash } from "crypto";
import { zoneOf } from "../model/zones";
import { dkimTxtValue } from "../model/dkim-key";
import type { PlatformSpec } from "../model/schema";
import { NULL_MX, SRV_NOT_AVAILABLE, type DnsRecord, type DnsValue, type DnsValuePart } from "../catalogue/dns-record-types";
import { checkRecords } from "./dns-checks";
import { clientServices } from "./client-endpoints";
import type { AddressPlan, GroupPlacement, Plan } from "./types";

/** The MTA-STS policy text of a group (RFC 8461 section 3.2): its MX host names, mode and max age. */
export function mtaStsPolicy(plan: Plan, group: string): string | undefined {
  if (!plan.mtaSts.served) return undefined;
  const sts = plan.mtaSts.settings;
  const mx = placementOf(plan, group).mxHosts.map(({ address }) => address.hostName);
  return ["version: STSv1", `mode: ${sts.mode}`, ...mx.map((m) => `mx: ${m}`), `max_age: ${sts.maxAgeSeconds}`, ""].join("\r\n");
}

/** The policy id: changes whenever the policy text changes (RFC 8461: 1-32 alphanumerics). */
export function mtaStsPolicyId(policy: string): string {
  return createHash("sha256").update(policy).digest("hex").slice(0, 32);
}

/** The identity of a record set: adding or removing another record never changes it. */
export function recordKey(record: Pick<DnsRecord, "name" | "type">): string {
  return `${record.name}/${record.type}`;
}

function placementOf(plan: Plan, group: string): GroupPlacement {
  return plan.placements.find((p) => p.group === group)!;
}

function ipOf(address: AddressPlan, host: string): DnsValuePart {
  return address.publicIp ?? { publicIpOf: { host, group: address.group } };
}

/** Every record the platform publishes, sorted by name then type. Needs `dns` in the spec. */
export function dnsRecords(plan: Plan): DnsRecord[] {
  const spec: PlatformSpec = plan.spec;
  if (!spec.dns)
    throw new UserError("DNS records need the platform's dns section (its zones); this platform has none (render-only models have no records)", {
      path: "dns",
    });
  const zones = new Set(spec.dns.zones.map((z) => z.name));
  const signedZones = new Set(spec.dns.zones.filter((z) => z.dnssec).map((z) => z.name));
  const zone = (name: string) => {
    const found = zoneOf(name, zones);
    if (!found) throw new Error(`${name} lies in no zone (the model checks prevent this)`);
    return found;
  };
  const records: DnsRecord[] = [];
  // Short for addresses (quick renumbering), long for records that rarely change.
  const ttl = {
    A: spec.dns.addressTtlSeconds,
    TLSA: spec.dns.addressTtlSeconds,
    MX: spec.dns.recordTtlSeconds,
    SRV: spec.dns.recordTtlSeconds,
    TXT: spec.dns.recordTtlSeconds,
  };
  const dmarc = spec.dns.dmarc;
  const dmarcValue: DnsValue[] = [
    [`v=DMARC1; p=${dmarc.policy}${dmarc.aggregateReports.length > 0 ? `; rua=${dmarc.aggregateReports.map((a) => `mailto:${a}`).join(",")}` : ""}`],
  ];
  const tlsRptValue: DnsValue[] | undefined =
    spec.dns.tlsReports.length > 0 ? [[`v=TLSRPTv1; rua=${spec.dns.tlsReports.map((a) => `mailto:${a}`).join(",")}`]] : undefined;
  for (const group of spec.groups) {
    // The group's MX hosts: its home first, then its backup MX.
    const hosts = placementOf(plan, group.name).mxHosts;
    // What every domain of the group publishes alike, computed once per group: a provider's
    // group holds thousands of domains.
    const mxValues: DnsValue[] = spec.services.smtp ? hosts.map(({ address }, i) => [`${(i + 1) * 10} ${address.hostName}.`]) : [[NULL_MX]];
    const dkim = plan.dkim.groupKeys.get(group.name);
    const dkimValue = dkim ? [[dkimTxtValue(dkim.publicKey)]] : undefined;
    const retiringValue = dkim?.retiring ? [[dkimTxtValue(dkim.retiring.publicKey)]] : undefined;
    const policy = mtaStsPolicy(plan, group.name);
    const policyValue = policy ? [[`v=STSv1; id=${mtaStsPolicyId(policy)}`]] : undefined;
    // MTA-STS policies and client autoconfiguration are served by the group's home.
    const homeIp: DnsValue[] = [[ipOf(hosts[0]!.address, hosts[0]!.host)]];
    const spf = [spfValue(plan, group.name)];
    // The same endpoints as the autoconfig and autodiscover documents (plan/client-endpoints.ts).
    const srvValues = clientServices(plan, group.name).map(({ service, enabled, endpoints }) => ({
      service,
      values: enabled ? endpoints.map((e): DnsValue => [`${e.priority} ${e.weight} ${e.port} ${e.hostName}.`]) : [[SRV_NOT_AVAILABLE]],
      purpose: enabled ? `RFC 6186/8314 discovery of ${service.description}` : `${service.description} is off (RFC 2782 "not available")`,
    }));
    // Texts that name no domain, written once per group rather than once per record.
    const dmarcPurpose = `DMARC: receivers ${dmarc.policy} mail that fails SPF and DKIM alignment`;
    const dkimPurpose = dkim ? `DKIM key ${dkim.selector} of group ${group.name}` : "";
    const retiringPurpose = dkim?.retiring ? `retiring DKIM key ${dkim.retiring.selector}, still verifiable` : "";
    const dav = spec.dns.dav;
    const davRecords = dav
      ? (
          [
            ["_carddavs._tcp", true],
            ["_caldavs._tcp", true],
            ["_carddav._tcp", false],
            ["_caldav._tcp", false],
          ] as const
        ).map(([label, enabled]) => ({
          label,
          values: [[enabled ? `0 1 ${dav.port} ${dav.hostName}.` : SRV_NOT_AVAILABLE]] as DnsValue[],
          purpose: enabled ? "RFC 6764 CardDAV/CalDAV discovery over TLS" : "plaintext DAV is not available (RFC 6764)",
        }))
      : [];
    for (const domain of group.domains) {
      const domainZone = zone(domain.name);
      records.push({
        zone: domainZone,
        name: domain.name,
        type: "MX",
        ttlSeconds: ttl.MX,
        values: mxValues,
        purpose: spec.services.smtp
          ? `mail for ${domain.name} goes to group ${group.name}'s home, then its backup MX`
          : `${domain.name} accepts no mail: port 25 is off (RFC 7505 null MX)`,
      });
      const txt = (name: string, values: readonly DnsValue[], purpose: string) =>
        records.push({ zone: domainZone, name, type: "TXT", ttlSeconds: ttl.TXT, values, purpose });
      txt(`_dmarc.${domain.name}`, dmarcValue, dmarcPurpose);
      if (dkim && dkimValue) {
        txt(`${dkim.selector}._domainkey.${domain.name}`, dkimValue, dkimPurpose);
        if (dkim.retiring && retiringValue) {
          txt(`${dkim.retiring.selector}._domainkey.${domain.name}`, retiringValue, retiringPurpose);
        }
      }
      if (tlsRptValue) txt(`_smtp._tls.${domain.name}`, tlsRptValue, "SMTP TLS reporting (RFC 8460)");
      if (policyValue) {
        txt(`_mta-sts.${domain.name}`, policyValue, "MTA-STS: the id changes when the policy changes (RFC 8461)");
        records.push({
          zone: domainZone,
          name: `mta-sts.${domain.name}`,
          type: "A",
          ttlSeconds: ttl.A,
          values: homeIp,
          purpose: `serves https://mta-sts.${domain.name}/.well-known/mta-sts.txt`,
        });
      }
      if (plan.autoconfig.served) {
        for (const [name, path] of [
          [`autoconfig.${domain.name}`, "/mail/config-v1.1.xml"],
          [`autodiscover.${domain.name}`, "/autodiscover/autodiscover.xml"],
        ] as const) {
          records.push({ zone: domainZone, name, type: "A", ttlSeconds: ttl.A, values: homeIp, purpose: `serves https://${name}${path}` });
        }
      }
      for (const { label, values, purpose } of davRecords) {
        records.push({ zone: domainZone, name: `${label}.${domain.name}`, type: "SRV", ttlSeconds: ttl.SRV, values, purpose });
      }
      records.push({
        zone: domainZone,
        name: domain.name,
        type: "TXT",
        ttlSeconds: ttl.TXT,
        values: spf,
        purpose: `SPF: only group ${group.name}'s addresses send for ${domain.name}`,
      });
      for (const { service, values, purpose } of srvValues) {
        records.push({ zone: domainZone, name: `${service.srvLabel}.${domain.name}`, type: "SRV", ttlSeconds: ttl.SRV, values, purpose });
      }
    }
    for (const { host, address } of hosts) {
      const tlsaZone = zone(address.hostName);
      const pin = group.addresses.find((a) => a.host === host)?.tlsaSpkiSha256;
      if (pin && spec.services.smtp && signedZones.has(tlsaZone)) {
        records.push({
          zone: tlsaZone,
          name: `_25._tcp.${address.hostName}`,
          type: "TLSA",
          ttlSeconds: ttl.TLSA,
          values: [[`3 1 1 ${pin}`]],
          purpose: "DANE: the MX presents this public key (DNSSEC-signed zone)",
        });
      }
      records.push({
        zone: zone(address.hostName),
        name: address.hostName,
        type: "A",
        ttlSeconds: ttl.A,
        values: [[ipOf(address, host)]],
        purpose: `group ${group.name} on host ${host}; the PTR of this IP names it back`,
      });
    }
  }
  records.sort((a, b) => (a.name === b.name ? (a.type < b.type ? -1 : 1) : a.name < b.name ? -1 : 1));
  const problems = checkRecords(records);
  if (problems.length > 0) throw new Error(`the derived DNS records are unsound (a bug):\n${problems.join("\n")}`);
  return records;
}

function spfValue(plan: Plan, group: string): DnsValue {
  const parts: DnsValuePart[] = ["v=spf1"];
  for (const { host, address } of placementOf(plan, group).mxHosts) parts.push(" ip4:", ipOf(address, host));
  const relay = plan.spec.outbound.relayHost;
  if (relay) parts.push(` a:${relay.host}`);
  parts.push(" -all");
  return parts;
}
