/**
 * postsrsd's configuration, in the language of the host's package: Debian 12 ships postsrsd 1.10
 * (shell variables in /etc/default/postsrsd, read by its systemd launcher; two TCP lookup tables),
 * Debian 13 ships postsrsd 2 (/etc/postsrsd.conf, libconfuse syntax; one socketmap). The SRS
 * secret is never rendered: Debian's package generates /etc/postsrsd.secret on the host when it
 * is installed, and the first-boot setup makes sure it exists.
 */
import type { HostPlan, Plan, SrsPlan } from "../../plan/types";
import { generatedHeader } from "../header";
import { UnsafeValueError, type RenderedFile } from "../rendered-file";

/** Where the host keeps the SRS secret (both Debian releases; generated on the host). */
export const POSTSRSD_SECRET_FILE = "/etc/postsrsd.secret";
/** postsrsd 1.x: the TCP lookup tables (Debian's defaults), loopback only. */
export const POSTSRSD_TCP = { address: "127.0.0.1", forwardPort: 10001, reversePort: 10002 } as const;
/**
 * postsrsd 2.x: the socketmap, inside Postfix's queue directory so that the chrooted cleanup and
 * smtpd reach it (a socket below /run is outside their chroot). Postfix names it relative to the
 * queue directory.
 */
export const POSTSRSD_SOCKET = { path: "/var/spool/postfix/srs", postfixName: "srs" } as const;

/** A domain as both syntaxes take it: no quote, blank, comma or shell character can get in. */
function checkedDomain(file: string, domain: string): string {
  if (!/^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/.test(domain)) {
    throw new UnsafeValueError(file, "SRS domain", domain, "expected a lowercase domain name (letters, digits, dots and hyphens)");
  }
  return domain;
}

/** The postsrsd file of a host, when the platform forwards to foreign domains. */
export function renderPostsrsd(plan: Plan, host: HostPlan): RenderedFile[] {
  const srs = plan.srs;
  if (!srs.enabled) return [];
  const header = generatedHeader(plan.spec.name, host.name);
  return host.os === "debian-12"
    ? [{ path: "etc/default/postsrsd", content: postsrsd1Defaults(header, srs), mode: "0644" }]
    : [{ path: "etc/postsrsd.conf", content: postsrsd2Conf(header, srs), mode: "0644" }];
}

type EnabledSrs = Extract<SrsPlan, { enabled: true }>;

function postsrsd1Defaults(header: string, srs: EnabledSrs): string {
  const file = "/etc/default/postsrsd";
  return [
    header,
    "# Read by Debian's postsrsd-systemd-launcher (postsrsd 1.x).",
    "",
    "# Forwarded mail leaves with SRS0=...@ this domain: its MX brings bounces back here.",
    `SRS_DOMAIN=${checkedDomain(file, srs.domain)}`,
    "# The platform's own senders pass SPF as they are: never rewritten.",
    `SRS_EXCLUDE_DOMAINS=${srs.excludedDomains.map((d) => checkedDomain(file, d)).join(",")}`,
    "SRS_SEPARATOR==",
    `SRS_SECRET=${POSTSRSD_SECRET_FILE}`,
    "SRS_HASHLENGTH=4",
    "SRS_HASHMIN=4",
    "# Loopback only: the reverse table turns SRS addresses back into deliverable ones.",
    `SRS_LISTEN_ADDR=${POSTSRSD_TCP.address}`,
    `SRS_FORWARD_PORT=${POSTSRSD_TCP.forwardPort}`,
    `SRS_REVERSE_PORT=${POSTSRSD_TCP.reversePort}`,
    "RUN_AS=postsrsd",
    "CHROOT=/var/lib/postsrsd",
    "",
  ].join("\n");
}

function postsrsd2Conf(header: string, srs: EnabledSrs): string {
  const file = "/etc/postsrsd.conf";
  const quoted = (d: string) => `"${checkedDomain(file, d)}"`;
  return [
    header,
    "",
    "# Forwarded mail leaves with SRS0=...@ this domain: its MX brings bounces back here.",
    `srs-domain = ${quoted(srs.domain)}`,
    "# The platform's own domains: their senders pass SPF as they are and are never rewritten.",
    `domains = { ${srs.excludedDomains.map(quoted).join(", ")} }`,
    "# Inside Postfix's queue directory, so the chrooted cleanup and smtpd reach it.",
    `socketmap = unix:${POSTSRSD_SOCKET.path}`,
    `secrets-file = "${POSTSRSD_SECRET_FILE}"`,
    "",
  ].join("\n");
}
