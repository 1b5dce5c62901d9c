/**
 * The DNS the host resolves through (EC2's link-local resolver address): a real `named`,
 * authoritative for the platform's zones (as Route53 would serve them after deploy, the group
 * addresses as public IPs), the outside world of the local instance (foreign MX, blocklists), and
 * the names of the stand-ins — AWS's endpoints, Debian's mirror and the ACME server — each
 * pointing at its stand-in on the test side.
 */
import { spawn, type ChildProcess } from "child_process";
import { closeSync, openSync } from "fs";
import { join } from "path";
import type { DnsRecord } from "../catalogue/dns-record-types";
import type { Plan } from "../plan/types";
import { renderZoneFile } from "../render/dns/zone-file";
import { stateLayout } from "../local/conventions";
import { localZones, writeDnsServer } from "../local/dns-server";
import { waitForPort } from "./acme";
import { UserError } from "../errors";
import { blocklistWatchZones } from "../model/blocklist-watch";
import { blocklistLines, type BlocklistListing } from "./world-blocklists";

const HEADER = "; mail-platform rehearsal DNS";

/** A name the host must reach, and the stand-in address it resolves to. */
export interface StandInName {
  /** Fully qualified, without trailing dot; `*.` for a wildcard. */
  readonly name: string;
  readonly address: string;
}

/** The zone a stand-in name lives in (its last two labels, e.g. amazonaws.com, debian.org). */
function standInZone(name: string): string {
  return name.split(".").slice(-2).join(".");
}

/**
 * Zone texts for the platform, the outside world, its blocklists and the stand-in names.
 * @param listings addresses (a group's public address) a blocklist of the model lists besides the listed client
 * @throws UserError for a listing in a zone the model does not use
 */
export function worldZones(
  plan: Plan,
  addresses: { readonly resolver: string; readonly outsideMx: string; readonly listedClient: string },
  standIns: readonly StandInName[],
  listings: readonly BlocklistListing[] = [],
): Map<string, string> {
  const outside = {
    block: "rehearsal",
    dns: addresses.resolver,
    outside: addresses.outsideMx,
    address(): string {
      throw new Error("the rehearsal uses the model's own addresses");
    },
  };
  const zones = localZones(plan, outside);
  // The zones Postfix's postscreen asks and the zones the blocklist watch checks (by default the
  // same): each answers its RFC 5782 test point. Every one of postscreen's also lists the
  // rehearsal's listed client (the local instance's listed client is a loopback address no
  // packet from outside can carry), and each lists what the rehearsal asked it to.
  const blocklists = [...new Set([...plan.spec.dnsbl.sites.map((s) => s.zone), ...(plan.spec.blocklistWatch.enabled ? blocklistWatchZones(plan.spec) : [])])];
  const unserved = listings.find((l) => !blocklists.includes(l.zone));
  if (unserved) throw new UserError(`cannot list ${unserved.address} in ${unserved.zone}: the model uses no such blocklist (zones: ${blocklists.join(", ")})`);
  for (const zone of blocklists) {
    const isSite = plan.spec.dnsbl.sites.some((s) => s.zone === zone);
    const base =
      zones.get(zone) ??
      renderZoneFile([], { zone, nameServers: [{ name: `ns.${zone}`, ipv4: addresses.resolver }], resolvePublicIp: () => addresses.resolver, header: HEADER });
    const listed = [...(isSite ? [addresses.listedClient] : []), ...listings.filter((l) => l.zone === zone).map((l) => l.address)];
    zones.set(zone, `${base}${blocklistLines(zone, listed)}`);
  }
  const byZone = new Map<string, StandInName[]>();
  for (const standIn of standIns) {
    const zone = standInZone(standIn.name);
    if (zones.has(zone)) throw new Error(`stand-in name ${standIn.name} falls into the platform's zone ${zone}`);
    byZone.set(zone, [...(byZone.get(zone) ?? []), standIn]);
  }
  for (const [zone, names] of byZone) {
    const records: DnsRecord[] = names.map((n) => ({ zone, name: n.name, type: "A", ttlSeconds: 60, values: [[n.address]], purpose: "stand-in" }));
    zones.set(
      zone,
      renderZoneFile(records, {
        zone,
        nameServers: [{ name: `ns.${zone}`, ipv4: addresses.resolver }],
        resolvePublicIp: () => addresses.resolver,
        header: HEADER,
      }),
    );
  }
  return zones;
}

/** `named` serving the world's zones on the resolver address. */
export class WorldDns {
  private named?: ChildProcess;
  readonly logFile: string;

  constructor(
    private readonly dir: string,
    private readonly resolver: string,
    private readonly zones: ReadonlyMap<string, string>,
  ) {
    this.logFile = join(dir, "log", "named.log");
  }

  /** Write, check (named-checkzone, named-checkconf) and start. */
  async start(): Promise<void> {
    const layout = stateLayout(this.dir);
    const conf = writeDnsServer(layout, { block: "rehearsal", dns: this.resolver, outside: this.resolver, address: () => this.resolver }, this.zones);
    const log = openSync(join(this.dir, "named.out"), "a");
    this.named = spawn("named", ["-c", conf, "-f"], { stdio: ["ignore", log, log] });
    closeSync(log);
    await waitForPort(this.resolver, 53);
  }

  /** Stop named. */
  async stop(): Promise<void> {
    const named = this.named;
    if (!named || named.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => named.once("exit", () => resolve()));
    named.kill("SIGTERM");
    await exited;
    this.named = undefined;
  }
}
