/**
 * The names a host needs certificates for, and so the zones it writes ACME DNS-01 challenges to:
 * its group host names, mta-sts.<domain> of every group domain when it serves MTA-STS, and
 * autoconfig.<domain> and autodiscover.<domain> when it serves client autoconfiguration. The
 * certificate list, the host's IAM policy and the model's size check all read them here.
 */
import type { PlatformSpec } from "./schema";
import { homeOf } from "./group-home";
import { zoneOf } from "./zones";

type CertificateInputs = Pick<PlatformSpec, "hosts" | "groups" | "dns" | "services">;

/** MTA-STS is served (it protects port 25, so only with smtp on). */
export function servesMtaSts(spec: Pick<PlatformSpec, "dns" | "services">): boolean {
  return spec.dns?.mtaSts !== undefined && spec.services.smtp;
}

/** The groups whose home is `host`; every group when `host` is not given. */
function groupsAt(spec: CertificateInputs, host: string | undefined): CertificateInputs["groups"] {
  return host === undefined ? spec.groups : spec.groups.filter((g) => homeOf(spec, g) === host);
}

/**
 * The MTA-STS policy host of every group domain, in model order (none without MTA-STS); with
 * `host`, of the domains of the groups whose home it is (the policy is served there).
 */
export function mtaStsNames(spec: CertificateInputs, host?: string): string[] {
  return servesMtaSts(spec) ? groupsAt(spec, host).flatMap((g) => g.domains.map((d) => `mta-sts.${d.name}`)) : [];
}

/** The services a mail client reads mail with (IMAP, POP3), and sends mail with (submission). */
const INCOMING_SERVICES = ["imaps", "imap", "pop3s", "pop3"] as const;
const OUTGOING_SERVICES = ["submissions", "submission"] as const;

/**
 * Client autoconfiguration can describe a working account: at least one service to read mail
 * and one to send it are on.
 */
export function clientServicesComplete(services: PlatformSpec["services"]): boolean {
  return INCOMING_SERVICES.some((s) => services[s]) && OUTGOING_SERVICES.some((s) => services[s]);
}

/** Client autoconfiguration is served (set in the model, and the clients have services to use). */
export function servesClientAutoconfig(spec: Pick<PlatformSpec, "dns" | "services">): boolean {
  return spec.dns?.clientAutoconfig !== undefined && clientServicesComplete(spec.services);
}

/**
 * The autoconfig and autodiscover host of every group domain, in model order (none when not
 * served); with `host`, of the domains of the groups whose home it is (they are served there).
 */
export function clientAutoconfigNames(spec: CertificateInputs, host?: string): string[] {
  return servesClientAutoconfig(spec) ? groupsAt(spec, host).flatMap((g) => g.domains.flatMap((d) => [`autoconfig.${d.name}`, `autodiscover.${d.name}`])) : [];
}

/**
 * A host's certificate names: its group host names (group order), then the MTA-STS names and
 * the autoconfiguration names of the groups whose home it is.
 */
export function certificateNames(spec: CertificateInputs, host: string): string[] {
  return [
    ...spec.groups.flatMap((g) => g.addresses.filter((a) => a.host === host).map((a) => a.hostName)),
    ...mtaStsNames(spec, host),
    ...clientAutoconfigNames(spec, host),
  ];
}

/** The zones of a host's certificate names, each once, in order of first use. */
export function certificateZones(spec: CertificateInputs, host: string): string[] {
  const zoneNames = new Set((spec.dns?.zones ?? []).map((z) => z.name));
  const zones = new Set<string>();
  for (const name of certificateNames(spec, host)) {
    const zone = zoneOf(name, zoneNames);
    if (zone !== undefined) zones.add(zone);
  }
  return [...zones];
}
