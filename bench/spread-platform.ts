/**
 * A provider's platform spread over several hosts: `groups` customer groups, each with its home
 * on one host and a backup MX on the next one (home = g mod hosts, backup = (g + 1) mod hosts),
 * so that every host is home to some groups and backup MX for others; `domains` customer
 * domains spread evenly over the groups, every domain in its own DNS zone (as
 * {@link generatedPlatform} makes them), with DKIM, DMARC, TLS-RPT and MTA-STS.
 */
import { typesOfFamily } from "../lib/model/aws-limits";
import type { PlatformInput } from "../lib/model/schema";
import { customerDomain, DKIM_PUBLIC_KEY, ownZones } from "./generated-platform";

/** Hosts and groups of the benchmark's `spread-<domains>` platforms. */
export const SPREAD = { hosts: 16, groups: 100 } as const;

/** The domains of a `spread-<domains>` platform name, or undefined for another name. */
export function spreadDomains(platform: string): number | undefined {
  const match = /^spread-(\d+)$/.exec(platform);
  return match ? Number(match[1]) : undefined;
}

/** The instance family of the hosts; the size is the smallest that carries a host's addresses. */
const FAMILY = "m5";

/** The name of host `h` (0-based): `mx1` … */
export function spreadHostName(h: number): string {
  return `mx${h + 1}`;
}

/** The home and backup host indexes of group `g` on `hosts` hosts. */
export function spreadPlacement(g: number, hosts: number): { home: number; backup: number } {
  return { home: g % hosts, backup: (g + 1) % hosts };
}

/**
 * The model of `groups` groups with `domains` domains over `hosts` hosts.
 * @param hosts number of hosts, 2 … 16 (each group needs a backup on another host)
 * @param groups number of groups, at least `hosts` (so that every host is home to one)
 * @param domains total number of customer domains, at least one per group
 */
export function spreadPlatform(hosts: number, groups: number, domains: number): PlatformInput {
  if (!Number.isInteger(hosts) || hosts < 2) throw new Error(`at least 2 hosts (a home and a backup MX), not ${hosts}`);
  if (!Number.isInteger(groups) || groups < hosts) throw new Error(`at least ${hosts} groups (one home per host), not ${groups}`);
  if (!Number.isInteger(domains) || domains < groups) throw new Error(`at least ${groups} domains (one per group), not ${domains}`);
  const perHost = new Array<number>(hosts).fill(0);
  const groupList = Array.from({ length: groups }, (_, g) => {
    const count = Math.floor(domains / groups) + (g < domains % groups ? 1 : 0);
    const { home, backup } = spreadPlacement(g, hosts);
    perHost[home]!++;
    perHost[backup]!++;
    // A private network per host (10.0.<h+1>.0/24): each address's IP is unique on the platform.
    const address = (h: number, label: string) => ({
      host: spreadHostName(h),
      privateIp: `10.0.${h + 1}.${11 + g}`,
      hostName: `${label}.${customerDomain(g, 0)}`,
    });
    return {
      name: `group${g}`,
      priority: (["high", "normal", "bulk"] as const)[g % 3]!,
      domains: Array.from({ length: count }, (_, i) => ({ name: customerDomain(g, i), requireTlsInbound: i % 10 === 0 })),
      // Explicit: where the backup comes first in `hosts` order (the last host's groups), the default would pick it.
      home: spreadHostName(home),
      addresses: [address(home, "mail"), address(backup, "backup")],
    };
  });
  const needed = Math.max(...perHost);
  const instanceType = typesOfFamily(FAMILY).find(([, limit]) => limit >= needed)?.[0];
  if (!instanceType) throw new Error(`${needed} addresses on one host: more than any ${FAMILY} type carries`);
  const hostNames = Array.from({ length: hosts }, (_, h) => spreadHostName(h));
  return {
    name: "spread",
    hosts: hostNames.map((name) => ({ name })),
    groups: groupList,
    services: { smtp: true, submission: true, submissions: true, imap: false, imaps: true, pop3: false, pop3s: true },
    dkim: { selector: "mail2026", publicKey: DKIM_PUBLIC_KEY, privateKeyParameter: "/spread/dkim/mail2026" },
    dns: {
      zones: ownZones(groupList.flatMap((g) => g.domains.map((d) => d.name))),
      dmarc: { policy: "reject", aggregateReports: ["dmarc-reports@group0.example"] },
      tlsReports: ["tls-reports@group0.example"],
      mtaSts: { mode: "enforce", maxAgeSeconds: 604_800 },
    },
    aws: {
      vpcId: "vpc-0a1b2c3d4e5f60718",
      hosts: Object.fromEntries(hostNames.map((name, h) => [name, { subnetId: `subnet-0a1b2c3d4e5f6${h.toString(16).padStart(4, "0")}`, instanceType }])),
      acmeEmail: "hostmaster@group0.example",
    },
  };
}
