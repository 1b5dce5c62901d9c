/**
 * The platform's records in Route53, written from the plan's record model: MX, A, SRV and SPF per
 * the plan, and the reverse name (PTR) of every Elastic IP, set after its A record exists.
 */
import { Construct } from "constructs";
import { EipDomainName } from "@cdktf/provider-aws/lib/eip-domain-name";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { dnsRecords, recordKey, type DnsRecord, type DnsValue } from "../plan/dns-records";
import { chunkTxtParts } from "../render/dns/txt-strings";
import type { Plan } from "../plan/types";

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
  /** Route53 zone id by zone name (see {@link MailZones}). */
  readonly zoneIds: ReadonlyMap<string, string>;
}

/** A construct id from a record identity: stable while the record exists. */
function recordId(record: DnsRecord): string {
  return `record-${record.type}-${record.name}`.replace(/[^A-Za-z0-9-]/g, "_");
}

/** Route53 records of the platform. */
export class MailDns extends Construct {
  /** Records by `name/type`. */
  readonly records: ReadonlyMap<string, Route53Record>;
  /** The record model that was written (for outputs and exports). */
  readonly recordModel: readonly DnsRecord[];
  /** Reverse names of the Elastic IPs, by host name. */
  readonly reverseNames: ReadonlyMap<string, EipDomainName>;

  constructor(scope: Construct, id: string, props: MailDnsProps) {
    super(scope, id);
    const { plan } = props;
    const dns = plan.spec.dns;
    if (!dns) throw new Error("MailDns needs the platform's dns section (zones)");

    const zoneIds = props.zoneIds;
    for (const zone of dns.zones) {
      if (!zoneIds.has(zone.name)) throw new Error(`no Route53 zone id for ${zone.name}`);
    }

    const resolve = (value: DnsValue): string =>
      value
        .map((part) => {
          if (typeof part === "string") return part;
          const address = props.publicAddresses.find((a) => a.host === part.publicIpOf.host && a.group === part.publicIpOf.group);
          if (!address) throw new Error(`no public address for ${part.publicIpOf.group} on ${part.publicIpOf.host}`);
          return address.publicIp;
        })
        .join("");

    // Route53 takes a TXT value over 255 bytes as character-strings joined by "" (it adds the
    // outer quotes); the chunking is the zone export's, so both say exactly the same.
    const recordValue = (record: DnsRecord, value: DnsValue): string =>
      record.type === "TXT" ? chunkTxtParts(value).map(resolve).join('""') : resolve(value);

    this.recordModel = dnsRecords(plan);
    const records = new Map<string, Route53Record>();
    for (const record of this.recordModel) {
      records.set(
        recordKey(record),
        new Route53Record(this, recordId(record), {
          zoneId: zoneIds.get(record.zone)!,
          name: record.name,
          type: record.type,
          ttl: record.ttlSeconds,
          records: record.values.map((value) => recordValue(record, value)),
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
            dependsOn: [records.get(`${address.hostName}/A`)!],
          }),
        );
      }
    }
    this.reverseNames = reverse;
  }
}
