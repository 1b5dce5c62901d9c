/**
 * The certificate names a host needs (one per group host name and per mta-sts.<domain>), as a
 * file in its configuration: the certificates script issues whatever is missing, at first boot and
 * before each rollout. Names in DNSSEC-signed zones keep their key (a TLSA record pins it).
 */
import { zoneOf } from "../model/deployment-checks";
import type { HostPlan, Plan } from "../plan/types";
import { generatedHeader } from "./header";
import { mtaStsHostNames } from "./nginx/mta-sts";
import type { RenderedFile } from "./rendered-file";

/** Where the list lives on a host. */
export const CERTIFICATE_LIST = "etc/mail-platform/certificates";

/** The names a host needs certificates for: its group host names, then `mta-sts.<domain>`. */
export function certificateNames(plan: Plan, host: HostPlan): string[] {
  return [...host.addresses.map((a) => a.hostName), ...mtaStsHostNames(plan)];
}

/**
 * The zones a host writes ACME DNS-01 challenges to: the zones of its certificate names, each
 * once, in the order of first use. Its IAM role may change these zones and no other.
 */
export function certificateZones(plan: Plan, host: HostPlan): string[] {
  const zoneNames = new Set((plan.spec.dns?.zones ?? []).map((z) => z.name));
  const zones = new Set<string>();
  for (const name of certificateNames(plan, host)) {
    const zone = zoneOf(name, zoneNames);
    if (zone !== undefined) zones.add(zone);
  }
  return [...zones];
}

/** The certificate list of a host. */
export function renderCertificateList(plan: Plan, host: HostPlan): RenderedFile {
  const zones = plan.spec.dns?.zones ?? [];
  const zoneNames = new Set(zones.map((z) => z.name));
  const signed = new Set(zones.filter((z) => z.dnssec).map((z) => z.name));
  const inDnssecZone = (name: string) => {
    const zone = zoneOf(name, zoneNames);
    return zone !== undefined && signed.has(zone);
  };
  const lines = certificateNames(plan, host).map((name) => (inDnssecZone(name) ? `${name} --reuse-key` : name));
  return {
    path: CERTIFICATE_LIST,
    content: `${generatedHeader(plan.spec.name, host.name)}\n# One certificate per line; "--reuse-key": a TLSA record pins the key.\n${lines.join("\n")}\n`,
    mode: "0644",
  };
}
