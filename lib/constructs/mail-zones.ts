/**
 * The Route53 hosted zones of the platform: existing ones by id, missing ones created.
 * Separate from the records because the host roles need the zone ids before the records
 * (which need the hosts' public IPs) can be written.
 *
 * Created zones are one resource iterating over a map keyed by zone name, so adding or removing
 * a customer's zone never renames another one (`aws_route53_zone.<id>["<zone>"]`), and a
 * thousand zones cost one construct, not a thousand. Records find their zone id in one map
 * ({@link MailZones.zoneIdMap}) instead of carrying a reference each.
 */
import { UserError } from "../errors";
import { Construct } from "constructs";
import { Fn, TerraformIterator, TerraformLocal, Token } from "../cdk/core";
import { Route53Zone } from "../cdk/aws";
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
  /** The zone names, in model order. */
  readonly zoneNames: readonly string[];
  /**
   * The zones created here: one resource with an instance per zone name (escape hatch).
   * Undefined when every zone already exists.
   */
  readonly createdZones?: Route53Zone;
  /** A Terraform map from zone name to hosted zone id, for every zone of the platform. */
  readonly zoneIdMap: TerraformLocal;

  private readonly existing: ReadonlyMap<string, string>;
  private readonly names: ReadonlySet<string>;
  private readonly references = new Map<string, string>();

  constructor(scope: Construct, id: string, props: MailZonesProps) {
    super(scope, id);
    this.zoneNames = props.dns.zones.map((zone) => zone.name);
    this.names = new Set(this.zoneNames);
    this.existing = new Map(props.dns.zones.flatMap((zone) => (zone.route53ZoneId ? [[zone.name, zone.route53ZoneId] as const] : [])));
    const toCreate = props.dns.zones.filter((zone) => !zone.route53ZoneId).map((zone) => zone.name);
    const existingMap = Object.fromEntries(this.existing);
    if (toCreate.length > 0) {
      const names = TerraformIterator.fromMap(Object.fromEntries(toCreate.map((name) => [name, { name }])));
      this.createdZones = new Route53Zone(this, "created", {
        forEach: names,
        name: names.getString("name"),
        comment: `Mail platform ${props.platform}`,
        tags: props.tags ? { ...props.tags } : undefined,
      });
      const created = TerraformIterator.fromResources(this.createdZones);
      // Given ids stay plain data; only the created zones need an expression.
      const given = new TerraformLocal(this, "given-zone-ids", existingMap);
      this.zoneIdMap = new TerraformLocal(this, "zone-ids", Fn.merge([given.expression, created.forExpressionForMap("key", "val.zone_id")]));
    } else {
      this.zoneIdMap = new TerraformLocal(this, "zone-ids", existingMap);
    }
  }

  /**
   * The hosted zone id of one zone: its given id, or a reference to the instance created here
   * (`aws_route53_zone.<id>["<zone>"].zone_id`).
   * @throws UserError when the zone is not one of the platform's
   */
  zoneId(name: string): string {
    const given = this.existing.get(name);
    if (given !== undefined) return given;
    if (!this.createdZones || !this.names.has(name))
      throw new UserError(`${name} is not one of the platform's zones (${[...this.names].join(", ")})`, { path: this.node.path });
    // One reference per zone: each new one records a stack trace, and hosts share zones.
    let reference = this.references.get(name);
    if (reference === undefined) {
      reference = Token.asString(Fn.lookupNested(this.createdZones, [name, "zone_id"]));
      this.references.set(name, reference);
    }
    return reference;
  }
}
