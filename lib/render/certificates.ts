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

/** The certificate list of a host. */
export function renderCertificateList(plan: Plan, host: HostPlan): RenderedFile {
  const zones = plan.spec.dns?.zones ?? [];
  const inDnssecZone = (name: string) => zones.find((z) => z.name === zoneOf(name, zones.map((x) => x.name)))?.dnssec === true;
  const lines = [
    ...host.addresses.map((a) => (inDnssecZone(a.hostName) ? `${a.hostName} --reuse-key` : a.hostName)),
    ...mtaStsHostNames(plan),
  ];
  return {
    path: CERTIFICATE_LIST,
    content: `${generatedHeader(plan.spec.name, host.name)}\n# One certificate per line; "--reuse-key": a TLSA record pins the key.\n${lines.join("\n")}\n`,
    mode: "0644",
  };
}
