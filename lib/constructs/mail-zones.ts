/**
 * The Route53 hosted zones of the platform: existing ones by id, missing ones created.
 * Separate from the records because the host roles need the zone ids before the records
 * (which need the hosts' public IPs) can be written.
 */
import { Construct } from "constructs";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import type { DnsSpec } from "../model/deployment-schema";

/** Properties of {@link MailZones}. */
export interface MailZonesProps {
  /** The platform's DNS section. */
  readonly dns: DnsSpec;
  /** Platform name (zone comments). */
  readonly platform: string;
  /** Tags for created zones. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Route53 hosted zones by name. */
export class MailZones extends Construct {
  /** Zone id by zone name (existing ids, or references to created zones). */
  readonly zoneIds: ReadonlyMap<string, string>;
  /** Zones created here, by name (escape hatch). */
  readonly createdZones: ReadonlyMap<string, Route53Zone>;

  constructor(scope: Construct, id: string, props: MailZonesProps) {
    super(scope, id);
    const zoneIds = new Map<string, string>();
    const created = new Map<string, Route53Zone>();
    for (const zone of props.dns.zones) {
      if (zone.route53ZoneId) {
        zoneIds.set(zone.name, zone.route53ZoneId);
        continue;
      }
      const hosted = new Route53Zone(this, `zone-${zone.name.replace(/\./g, "_")}`, {
        name: zone.name,
        comment: `Mail platform ${props.platform}`,
        tags: props.tags ? { ...props.tags } : undefined,
      });
      created.set(zone.name, hosted);
      zoneIds.set(zone.name, hosted.zoneId);
    }
    this.zoneIds = zoneIds;
    this.createdZones = created;
  }
}
