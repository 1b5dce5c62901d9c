/**
 * The baseline way to write the platform's DNS: one construct per record set and one per zone,
 * the records taken from our own record model so that both baselines publish exactly what the
 * platform publishes. It renders no configuration and creates no host: it does less than
 * MailPlatform, which keeps the comparison conservative.
 */
import type { Construct } from "constructs";
import { plan } from "../../lib/plan/plan";
import { dnsRecords } from "../../lib/plan/dns-records";
import { parsePlatform } from "../../lib/validation/validate";
import type { PlatformInput } from "../../lib/model/schema";

/** The provider classes a baseline uses (root or deep imports). */
export interface RecordClasses {
  readonly Route53Zone: new (scope: Construct, id: string, config: { name: string }) => { readonly zoneId: string };
  readonly Route53Record: new (scope: Construct, id: string, config: { zoneId: string; name: string; type: string; ttl: number; records: string[] }) => unknown;
}

/** Add one zone construct per zone and one record construct per record set. */
export function recordsPerConstruct(scope: Construct, input: PlatformInput, classes: RecordClasses): void {
  const spec = parsePlatform(input, "the benchmark platform");
  const zoneIds = new Map<string, string>();
  for (const zone of spec.dns!.zones) {
    zoneIds.set(zone.name, zone.route53ZoneId ?? new classes.Route53Zone(scope, `zone-${zone.name}`, { name: zone.name }).zoneId);
  }
  for (const record of dnsRecords(plan(spec))) {
    new classes.Route53Record(scope, `${record.type}-${record.name}`, {
      zoneId: zoneIds.get(record.zone)!,
      name: record.name,
      type: record.type,
      ttl: record.ttlSeconds,
      // Deploy-time addresses become a documentation address: the baselines own no Elastic IPs.
      records: record.values.map((value) => value.map((part) => (typeof part === "string" ? part : "192.0.2.1")).join("")),
    });
  }
}
