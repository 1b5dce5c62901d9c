/**
 * BIND zone files from the plan's record model. Values that exist only after deploy (new
 * Elastic IPs) are filled in by the caller's resolver.
 */
import type { DnsRecord, DnsValue, PublicIpRef } from "../../catalogue/dns-record-types";
import { chunkTxtParts, quoteTxt } from "./txt-strings";

/** What a zone file needs beyond the records. */
export interface ZoneFileOptions {
  /** Zone apex without trailing dot. */
  readonly zone: string;
  /** Name servers of the zone (host names), with their IPv4 addresses when inside the zone (glue). */
  readonly nameServers: ReadonlyArray<{ readonly name: string; readonly ipv4?: string }>;
  /** SOA serial. @default 1 */
  readonly serial?: number;
  /** Fills in public IPs that exist only after deploy. */
  readonly resolvePublicIp: (ref: PublicIpRef) => string;
  /** First line, a comment. */
  readonly header: string;
}

function value(record: DnsRecord, parts: DnsValue, resolve: (ref: PublicIpRef) => string): string {
  const text = (chunk: DnsValue) => chunk.map((p) => (typeof p === "string" ? p : resolve(p.publicIpOf))).join("");
  // TXT: the same 255-byte chunking as the Route53 records, so both say exactly the same.
  return record.type === "TXT"
    ? chunkTxtParts(parts)
        .map((chunk) => quoteTxt(text(chunk)))
        .join(" ")
    : text(parts);
}

/** The zone file text of one zone: SOA, NS (+ glue), then every record of that zone. */
export function renderZoneFile(records: readonly DnsRecord[], options: ZoneFileOptions): string {
  const origin = `${options.zone}.`;
  const primary = options.nameServers[0];
  if (!primary) throw new Error(`zone ${options.zone} needs at least one name server`);
  const lines = [
    options.header,
    `$ORIGIN ${origin}`,
    "$TTL 3600",
    `@ 3600 IN SOA ${primary.name}. hostmaster.${origin} ${options.serial ?? 1} 7200 3600 1209600 300`,
    ...options.nameServers.map((ns) => `@ 3600 IN NS ${ns.name}.`),
    ...options.nameServers
      .filter((ns) => ns.ipv4 && (ns.name === options.zone || ns.name.endsWith(`.${options.zone}`)))
      .map((ns) => `${ns.name}. 3600 IN A ${ns.ipv4}`),
  ];
  for (const record of records.filter((r) => r.zone === options.zone)) {
    for (const parts of record.values) {
      lines.push(`${record.name}. ${record.ttlSeconds} IN ${record.type} ${value(record, parts, options.resolvePublicIp)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
