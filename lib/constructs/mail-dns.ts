/**
 * The platform's records in Route53, written from the plan's record model, and the reverse name
 * (PTR) of every Elastic IP, set after its A record exists.
 *
 * Records are data, not constructs: one resource per record type iterating over a map keyed by
 * the owner name (`aws_route53_record.<id>["<name>"]`). Adding or removing a customer domain adds
 * or removes map entries only; no other record is renamed or replaced, and a thousand domains
 * cost a handful of constructs.
 */
import { UserError } from "../errors";
import { createHash } from "crypto";
import { Construct } from "constructs";
import { Fn, TerraformIterator, TerraformLocal, Token, forExpression, type IResolvable } from "../cdk/core";
import { EipDomainName, Route53Record } from "../cdk/aws";
import type { DnsRecord, DnsRecordType, DnsValue } from "../catalogue/dns-record-types";
import { dnsRecords } from "../plan/dns-records";
import { chunkTxtParts } from "../render/dns/txt-strings";
import type { Plan } from "../plan/types";
import type { MailZones } from "./mail-zones";

/** Where a group address's public IP and Elastic IP come from. */
export interface PublicAddress {
  /** Host of the address. */
  readonly host: string;
  /** Group of the address. */
  readonly group: string;
  /** Public IP (a Terraform reference until deploy). */
  readonly publicIp: string;
  /** Elastic IP allocation id, for the reverse name. */
  readonly allocationId: string;
}

/** Properties of {@link MailDns}. */
export interface MailDnsProps {
  /** The platform plan (its `dns` section names the zones). */
  readonly plan: Plan;
  /** Public addresses of every group address on every host. */
  readonly publicAddresses: readonly PublicAddress[];
  /** The hosted zones of the records. */
  readonly zones: MailZones;
}

/**
 * The records of one type: zone name → its records as `name=key` pairs separated by blanks
 * (`key` names a value set). Owner names and keys hold neither blanks nor `=`.
 *
 * One string per zone, not an object per record: cdktf walks every value of the document three
 * times at synth, and at a thousand domains the per-record objects alone cost more than the
 * rest of the platform.
 */
type RecordsByZone = Record<string, string>;

/**
 * `for_each` over the records of one type: one instance per owner name, carrying its zone and
 * the key of its values. A zone is named once, not once per record; a value set (one SPF, one
 * DKIM key, one set of SRV targets per group) is written once and referenced by key from the
 * thousands of domains that publish it. The instance key stays the owner name.
 */
function instancesOf(records: TerraformLocal): IResolvable {
  const perZone = forExpression(
    records.expression,
    '[ for entry in split(" ", val) : { name = split("=", entry)[0], zone = key, values = split("=", entry)[1] } ]',
  );
  return forExpression(Fn.flatten(perZone), "val", "val.name");
}

/** A stable key for a value set: its type and a digest of its plan form (not of deploy-time tokens). */
function valueSetKey(type: DnsRecordType, values: readonly DnsValue[]): string {
  return `${type.toLowerCase()}-${createHash("sha256").update(JSON.stringify(values)).digest("hex").slice(0, 12)}`;
}

/** Route53 records of the platform. */
export class MailDns extends Construct {
  /**
   * The record resources by record type, each with one instance per owner name (escape hatch:
   * e.g. `records.get("MX")!.addOverride("lifecycle.prevent_destroy", true)`).
   */
  readonly records: ReadonlyMap<DnsRecordType, Route53Record>;
  /** Every distinct value set of the records, by key (`records` of an instance is one of them). */
  readonly valueSets: TerraformLocal;
  /** Reverse names of the Elastic IPs, by host name. */
  readonly reverseNames: ReadonlyMap<string, EipDomainName>;

  private readonly plan: Plan;

  constructor(scope: Construct, id: string, props: MailDnsProps) {
    super(scope, id);
    const { plan } = props;
    this.plan = plan;
    const dns = plan.spec.dns;
    if (!dns) throw new UserError("MailDns needs a platform with a dns section (its zones); this platform has none", { path: this.node.path });

    const zoneNames = new Set(props.zones.zoneNames);
    for (const zone of dns.zones) {
      if (!zoneNames.has(zone.name))
        throw new UserError(
          `the zones given have no Route53 zone for ${zone.name}; they must hold every zone of the platform's dns section (${dns.zones.map((z) => z.name).join(", ")})`,
          { path: this.node.path },
        );
    }

    const resolve = (value: DnsValue): string =>
      value
        .map((part) => {
          if (typeof part === "string") return part;
          const address = props.publicAddresses.find((a) => a.host === part.publicIpOf.host && a.group === part.publicIpOf.group);
          if (!address)
            throw new UserError(
              `publicAddresses has no address for group ${part.publicIpOf.group} on host ${part.publicIpOf.host}; it needs one for every group address of every host`,
              { path: this.node.path },
            );
          return address.publicIp;
        })
        .join("");

    // Route53 takes a TXT value over 255 bytes as character-strings joined by "" (it adds the
    // outer quotes); the chunking is the zone export's, so both say exactly the same.
    const recordValue = (record: DnsRecord, value: DnsValue): string => (record.type === "TXT" ? chunkTxtParts(value).map(resolve).join('""') : resolve(value));

    const recordModel = dnsRecords(plan);
    const valueSets: Record<string, string[]> = {};
    const keyOfValues = new Map<readonly DnsValue[], string>();
    // Each zone's entries are collected, then joined once: appending to a growing string per
    // record would build a chain of a hundred thousand pieces for a provider's large zone.
    const byType = new Map<DnsRecordType, { ttl: number; zones: Map<string, string[]> }>();
    for (const record of recordModel) {
      let ofType = byType.get(record.type);
      if (!ofType) byType.set(record.type, (ofType = { ttl: record.ttlSeconds, zones: new Map() }));
      // The plan gives every record of a type the same TTL (address or record TTL).
      if (ofType.ttl !== record.ttlSeconds)
        throw new Error(`the plan gave ${record.type} records different TTLs (${ofType.ttl}, ${record.ttlSeconds}); it gives every record of a type one TTL`);
      let key = keyOfValues.get(record.values);
      if (key === undefined) {
        key = valueSetKey(record.type, record.values);
        keyOfValues.set(record.values, key);
        valueSets[key] ??= record.values.map((value) => recordValue(record, value));
      }
      // The model admits no such name; this guards the "name=key name=key" encoding itself.
      if (/[\s=]/.test(record.name)) throw new Error(`record name ${JSON.stringify(record.name)} cannot be encoded (blank or "=")`);
      const entry = `${record.name}=${key}`;
      const inZone = ofType.zones.get(record.zone);
      if (inZone) inZone.push(entry);
      else ofType.zones.set(record.zone, [entry]);
    }
    this.valueSets = new TerraformLocal(this, "value-sets", Object.fromEntries(Object.entries(valueSets).sort(([a], [b]) => (a < b ? -1 : 1))));
    const records = new Map<DnsRecordType, Route53Record>();
    for (const [type, { ttl, zones }] of [...byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const byZone: RecordsByZone = Object.fromEntries([...zones].map(([zone, entries]) => [zone, entries.join(" ")]));
      const data = new TerraformLocal(this, `${type.toLowerCase()}-records`, byZone);
      const each = TerraformIterator.fromMap(Token.asAnyMap(instancesOf(data)));
      records.set(
        type,
        new Route53Record(this, `records-${type.toLowerCase()}`, {
          forEach: each,
          zoneId: Token.asString(Fn.lookupNested(props.zones.zoneIdMap.expression, [each.getString("zone")])),
          name: each.getString("name"),
          type,
          ttl,
          records: Token.asList(Fn.lookupNested(this.valueSets.expression, [each.getString("values")])),
        }),
      );
    }
    this.records = records;

    const reverse = new Map<string, EipDomainName>();
    for (const host of plan.hosts) {
      for (const address of host.addresses) {
        const pub = props.publicAddresses.find((a) => a.host === host.name && a.group === address.group)!;
        reverse.set(
          address.hostName,
          new EipDomainName(this, `ptr-${host.name}-${address.group}`, {
            allocationId: pub.allocationId,
            domainName: address.hostName,
            // AWS checks that the name resolves to the IP before it sets the PTR.
            dependsOn: [records.get("A")!],
          }),
        );
      }
    }
    this.reverseNames = reverse;
  }

  /**
   * The record model that was written (for outputs and exports). Derived again on each read
   * rather than kept: for a provider's hundred thousand domains it is a million records, held
   * through all of synthesis for nobody.
   */
  get recordModel(): readonly DnsRecord[] {
    return dnsRecords(this.plan);
  }
}
