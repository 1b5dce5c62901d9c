/**
 * The DNS of a local instance: a real `named` on the instance's DNS address, authoritative for
 * the platform's zones (from the plan's record model, public IPs = the loopback addresses),
 * for every foreign destination the tests use (MX → the outside-world address), and for each
 * configured blocklist (listing only the DNSBL test client). Postfix's chroot resolves through it.
 */
import { execFileSync } from "child_process";
import { mkdirSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import type { DnsRecord } from "../catalogue/dns-record-types";
import { dnsRecords } from "../plan/dns-records";
import type { Plan } from "../plan/types";
import { renderZoneFile } from "../render/dns/zone-file";
import { DNSBL_LISTED_CLIENT, OUTSIDE_DOMAIN, type LoopbackPlan, type StateLayout } from "./conventions";

const HEADER = "; mail-platform local test DNS";

function reverseName(ip: string): string {
  return ip.split(".").reverse().join(".");
}

/** Zone name → zone text, for every zone the instance serves. */
export function localZones(plan: Plan, loopback: LoopbackPlan): Map<string, string> {
  const zones = new Map<string, string>();
  const ns = (zone: string) => [{ name: `ns.${zone}`, ipv4: loopback.dns }];
  const records = plan.spec.dns ? dnsRecords(plan) : [];
  const resolve = (ref: { host: string; group: string }) =>
    plan.hosts.find((h) => h.name === ref.host)!.addresses.find((a) => a.group === ref.group)!.privateIp;
  for (const zone of plan.spec.dns?.zones ?? []) {
    zones.set(zone.name, renderZoneFile(records, { zone: zone.name, nameServers: ns(zone.name), resolvePublicIp: resolve, header: HEADER }));
  }

  const outside = new Set([OUTSIDE_DOMAIN, ...plan.spec.outbound.tlsRules.map((r) => r.destination)]);
  for (const zone of outside) {
    if (zones.has(zone)) continue;
    const extra: DnsRecord[] = [
      { zone, name: zone, type: "MX", ttlSeconds: 300, values: [[`10 mx.${zone}.`]], purpose: "test destination" },
      { zone, name: `mx.${zone}`, type: "A", ttlSeconds: 300, values: [[loopback.outside]], purpose: "the outside world" },
    ];
    zones.set(zone, renderZoneFile(extra, { zone, nameServers: ns(zone), resolvePublicIp: () => loopback.outside, header: HEADER }));
  }
  const relay = plan.spec.outbound.relayHost;
  if (relay && !zones.has(relay.host)) {
    const extra: DnsRecord[] = [{ zone: relay.host, name: relay.host, type: "A", ttlSeconds: 300, values: [[loopback.outside]], purpose: "relay host" }];
    zones.set(relay.host, renderZoneFile(extra, { zone: relay.host, nameServers: ns(relay.host), resolvePublicIp: () => loopback.outside, header: HEADER }));
  }

  for (const site of plan.spec.dnsbl.sites) {
    if (zones.has(site.zone)) continue;
    const listed = `${reverseName(DNSBL_LISTED_CLIENT)}.${site.zone}`;
    const extra: DnsRecord[] = [
      { zone: site.zone, name: listed, type: "A", ttlSeconds: 60, values: [["127.0.0.2"]], purpose: "listed test client" },
      { zone: site.zone, name: listed, type: "TXT", ttlSeconds: 60, values: [[`listed for mail-platform local tests`]], purpose: "reason" },
    ];
    zones.set(site.zone, renderZoneFile(extra, { zone: site.zone, nameServers: ns(site.zone), resolvePublicIp: () => loopback.dns, header: HEADER }));
  }
  return zones;
}

/** Write named.conf and the zone files; check them with named-checkconf/named-checkzone. */
export function writeDnsServer(layout: StateLayout, loopback: LoopbackPlan, zones: ReadonlyMap<string, string>): string {
  mkdirSync(layout.dns, { recursive: true });
  mkdirSync(dirname(layout.namedLog), { recursive: true });
  const conf = join(layout.dns, "named.conf");
  const zoneBlocks: string[] = [];
  for (const [zone, text] of [...zones].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = join(layout.dns, `${zone}.zone`);
    writeFileSync(file, text);
    execFileSync("named-checkzone", ["-q", zone, file], { stdio: ["ignore", "ignore", "pipe"] });
    zoneBlocks.push(`zone "${zone}" { type primary; file "${file}"; };`);
  }
  writeFileSync(
    conf,
    [
      "options {",
      `  directory "${layout.dns}";`,
      `  pid-file "${join(layout.dns, "named.pid")}";`,
      `  listen-on port 53 { ${loopback.dns}; };`,
      "  listen-on-v6 { none; };",
      "  recursion no;",
      "  allow-query { any; };",
      "  dnssec-validation no;",
      "};",
      "logging {",
      `  channel file { file "${layout.namedLog}"; severity info; };`,
      "  category default { file; };",
      "};",
      ...zoneBlocks,
      "",
    ].join("\n"),
  );
  execFileSync("named-checkconf", [conf], { stdio: ["ignore", "ignore", "pipe"] });
  return conf;
}
