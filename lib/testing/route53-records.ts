/**
 * The DNS records a synthesized platform creates, as data. MailPlatform writes records as a
 * few data-driven `aws_route53_record` resources with `for_each` (ten thousand domains add no
 * resources), so cdktf's `toHaveResourceWithProperties(Route53Record, { type: "MX", … })`
 * cannot see individual records: this expands them the way Terraform will.
 */
import { UserError } from "../errors";
import { synthesizedStack } from "./synthesized";

/** A Route53 record set as Terraform creates it: one instance of a data-driven record resource. */
export interface Route53RecordInstance {
  /** Terraform address, e.g. `aws_route53_record.mail_dns_records-mx_0176A9A6["acme.example"]`. */
  readonly address: string;
  /** Owner name, e.g. `acme.example` or `_submissions._tcp.acme.example`. */
  readonly name: string;
  /** Record type, e.g. `MX`. */
  readonly type: string;
  /** TTL in seconds. */
  readonly ttl: number;
  /** Zone name the record is written to. */
  readonly zone: string;
  /** `zone_id` as Terraform receives it: a given id, or a reference to the created zone instance. */
  readonly zone_id: string;
  /** Values as Route53 receives them (TXT values in their quoted strings; A values may be references to Elastic IPs). */
  readonly records: readonly string[];
}

/** The expressions MailDns synthesizes; anything else is a change this helper must learn. */
const FOR_EACH =
  /^\$\{\{ for key, val in flatten\(\[ for key, val in local\.([\w-]+): \[ for entry in split\(" ", val\) : \{ name = split\("=", entry\)\[0\], zone = key, values = split\("=", entry\)\[1\] \} \]\]\): val\.name => val \}\}$/;
const RECORDS = /^\$\{local\.([\w-]+)\[each\.value\.values\]\}$/;
const ZONE_ID = /^\$\{local\.([\w-]+)\[each\.value\.zone\]\}$/;
const ZONE_IDS = /^\$\{merge\(local\.([\w-]+), \{ for key, val in aws_route53_zone\.([\w-]+): key => val\.zone_id \}\)\}$/;

/**
 * Every record set of the synthesized data-driven record resources, expanded the way Terraform
 * expands their `for_each`. The expressions are checked to be exactly the ones MailPlatform
 * writes, so a change of shape fails loudly instead of being misread.
 *
 * @param synthesized what `Testing.synth(stack)` returns (text or parsed)
 * @example
 * const mx = route53Records(Testing.synth(stack)).filter((r) => r.type === "MX");
 * expect(mx.map((r) => [r.name, r.records])).toContainEqual(["acme.example", ["10 mx.acme.example"]]);
 */
export function route53Records(synthesized: string | object): Route53RecordInstance[] {
  const json = synthesizedStack(synthesized);
  const locals = json.locals ?? {};
  const local = (name: string): unknown => {
    if (!(name in locals)) throw new UserError(`the stack has no local ${name}; route53Records reads stacks with a MailPlatform (or MailDns) in them`);
    return locals[name];
  };
  const zoneIdOf = (zoneIdsLocal: string, zone: string): string => {
    const ids = local(zoneIdsLocal);
    if (typeof ids === "object" && ids !== null) return (ids as Record<string, string>)[zone]!;
    const merged = ZONE_IDS.exec(String(ids));
    if (!merged) throw new Error(`unexpected zone id map ${String(ids)}`);
    const given = local(merged[1]!) as Record<string, string>;
    if (zone in given) return given[zone]!;
    const created = json.resource.aws_route53_zone?.[merged[2]!]?.for_each as Record<string, unknown> | undefined;
    if (!created || !(zone in created)) throw new Error(`zone ${zone} is neither given nor created`);
    return `\${aws_route53_zone.${merged[2]}["${zone}"].zone_id}`;
  };
  return Object.entries(json.resource.aws_route53_record ?? {}).flatMap(([logicalId, resource]) => {
    const forEach = FOR_EACH.exec(String(resource.for_each));
    const records = RECORDS.exec(String(resource.records));
    const zoneId = ZONE_ID.exec(String(resource.zone_id));
    if (!forEach || !records || !zoneId || resource.name !== "${each.value.name}") {
      throw new UserError(
        `aws_route53_record.${logicalId} is not in the data-driven shape MailPlatform writes; route53Records reads only the records of MailDns`,
      );
    }
    const valueSets = local(records[1]!) as Record<string, string[]>;
    const byZone = local(forEach[1]!) as Record<string, string>;
    // As Terraform's split(" ", …) and split("=", …) read each zone's "name=key name=key".
    return Object.entries(byZone).flatMap(([zone, entries]) =>
      entries
        .split(" ")
        .map((entry) => entry.split("=") as [string, string])
        .map(([name, key]) => ({
          address: `aws_route53_record.${logicalId}["${name}"]`,
          name,
          type: String(resource.type),
          ttl: Number(resource.ttl),
          zone,
          zone_id: zoneIdOf(zoneId[1]!, zone),
          records: valueSets[key]!,
        })),
    );
  });
}
