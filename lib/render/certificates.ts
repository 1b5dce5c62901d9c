/**
 * The certificate names a host needs (one per group host name and per mta-sts.<domain>), as a
 * file in its configuration: the certificates script issues whatever is missing, at first boot and
 * before each rollout. Names in DNSSEC-signed zones keep their key (a TLSA record pins it).
 */
import { certificateNames } from "../model/certificate-names";
import { zoneOf } from "../model/zones";
import type { HostPlan, Plan } from "../plan/types";
import { generatedHeader } from "./header";
import type { RenderedFile } from "./rendered-file";

/** Where the list lives on a host. */
export const CERTIFICATE_LIST = "etc/mail-platform/certificates";

/** The certificate list of a host. */
export function renderCertificateList(plan: Plan, host: HostPlan): RenderedFile {
  const zones = plan.spec.dns?.zones ?? [];
  const zoneNames = new Set(zones.map((z) => z.name));
  const signed = new Set(zones.filter((z) => z.dnssec).map((z) => z.name));
  const inDnssecZone = (name: string) => {
    const zone = zoneOf(name, zoneNames);
    return zone !== undefined && signed.has(zone);
  };
  const lines = certificateNames(plan.spec, host.name).map((name) => (inDnssecZone(name) ? `${name} --reuse-key` : name));
  return {
    path: CERTIFICATE_LIST,
    content: `${generatedHeader(plan.spec.name, host.name)}\n# One certificate per line; "--reuse-key": a TLSA record pins the key.\n${lines.join("\n")}\n`,
    mode: "0644",
  };
}
