/**
 * A hosting provider's platform of any size: `domains` customer domains spread over ten customer
 * groups on one host, every domain in its own DNS zone (half of them existing Route53 zones, half
 * created), with DKIM, DMARC and TLS-RPT — the per-domain load a real provider carries.
 */
import type { PlatformInput } from "../lib/model/schema";

/** Number of customer groups of a generated platform. */
export const GROUPS = 10;

/** A fixed 2048-bit RSA public key (base64 DER SPKI), so that the output is deterministic. */
export const DKIM_PUBLIC_KEY =
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqDh5CM+vhX5bKv8efZLFDC1/olPxaE9l7Pcl0aWQbmeSHoIGS1WWexkj9GxVo3v4TMx+0VU4aEYyAFKe1ycSINYuKPbIaTQpIYIRo3eqk9lvKzjnzoPJos87CIn6LuBIDtFNhXr/YwY77d6YoOHxi4XEA5/QBufaFJQyTKCfHfE1gpy4B4lLQB4usiv3NKp4PfuCUamMkI5Q0xzpow7fPfCG50crq3gRosB2wbFzuIFP2Mv9NLhrA9uM3Ohl+5qQMJ1WWmCGPcS7pB6gwD+vZBmz3cg0MTSQRYj1Oj0Je3SM/w9EV9MnuvfdF92S8y+S/5wHJXwWPKh/q6yQgMtobQIDAQAB";

/** The name of customer domain `i` of group `g`. */
export function customerDomain(group: number, i: number): string {
  return `customer${String(i).padStart(5, "0")}.group${group}.example`;
}

/** A Route53 zone id for an existing zone, derived from its index. */
function existingZoneId(index: number): string {
  return `Z${String(index).padStart(8, "0")}EXISTING`;
}

/** Every domain in its own zone, half of them existing Route53 zones (odd indexes), half created. */
export function ownZones(domains: readonly string[]): Array<{ name: string; route53ZoneId?: string }> {
  return domains.map((name, i) => (i % 2 === 0 ? { name } : { name, route53ZoneId: existingZoneId(i) }));
}

/**
 * The model of a platform with `domains` customer domains (at least one per group).
 * @param domains total number of customer domains, spread evenly over {@link GROUPS} groups
 */
export function generatedPlatform(domains: number): PlatformInput {
  if (domains < GROUPS) throw new Error(`at least ${GROUPS} domains (one per group)`);
  const groups = Array.from({ length: GROUPS }, (_, g) => {
    const count = Math.floor(domains / GROUPS) + (g < domains % GROUPS ? 1 : 0);
    return {
      name: `group${g}`,
      priority: (["high", "normal", "bulk"] as const)[g % 3]!,
      domains: Array.from({ length: count }, (_, i) => ({ name: customerDomain(g, i), requireTlsInbound: i % 10 === 0 })),
      addresses: [{ host: "mx1", privateIp: `10.0.1.${11 + g}`, hostName: `mail.${customerDomain(g, 0)}` }],
    };
  });
  const zoneNames = groups.flatMap((g) => g.domains.map((d) => d.name));
  return {
    name: "hoster",
    hosts: [{ name: "mx1" }],
    groups,
    services: { smtp: true, submission: true, submissions: true, imap: false, imaps: true, pop3: false, pop3s: true },
    dkim: { selector: "mail2026", publicKey: DKIM_PUBLIC_KEY, privateKeyParameter: "/hoster/dkim/mail2026" },
    dns: {
      zones: ownZones(zoneNames),
      dmarc: { policy: "reject", aggregateReports: ["dmarc-reports@group0.example"] },
      tlsReports: ["tls-reports@group0.example"],
    },
    aws: {
      vpcId: "vpc-0a1b2c3d4e5f60718",
      hosts: { mx1: { subnetId: "subnet-0a1b2c3d4e5f60718", instanceType: "m5.xlarge" } },
      acmeEmail: "hostmaster@group0.example",
    },
  };
}
