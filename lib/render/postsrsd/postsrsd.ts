/**
 * postsrsd's configuration. Both Debian releases ship postsrsd 1.10 (bookworm 1.10-2, trixie
 * 1.10-2.2; postsrsd 2.x with /etc/postsrsd.conf and a socketmap is not packaged in either), so
 * one file serves both: /etc/default/postsrsd, shell variables sourced by Debian's
 * postsrsd-systemd-launcher (the ExecStart of postsrsd.service), two TCP lookup tables on
 * loopback. The SRS secret is never rendered: Debian's package generates /etc/postsrsd.secret on
 * the host when it is installed, and the first-boot setup makes sure it exists.
 * Proof: test/integration/postsrsd-config.test.ts runs each release's launcher with this file.
 */
import type { HostPlan, Plan, SrsPlan } from "../../plan/types";
import { generatedHeader } from "../header";
import { UnsafeValueError, type RenderedFile } from "../rendered-file";

/** The postsrsd this file is written for: what Debian 12 and Debian 13 both ship. */
export const POSTSRSD_VERSION = "1.10";
/** Where the host keeps the SRS secret (generated on the host; the only secret path the package's AppArmor profile lets postsrsd read). */
export const POSTSRSD_SECRET_FILE = "/etc/postsrsd.secret";
/** The file Debian's launcher sources (both releases). */
export const POSTSRSD_DEFAULTS_FILE = "/etc/default/postsrsd";
/**
 * The TCP lookup tables (Debian's defaults), loopback only. TCP rather than a socket file:
 * Postfix's cleanup and smtpd run chrooted in /var/spool/postfix on Debian, and a TCP table needs
 * no path inside that chroot (postsrsd 1.x has no unix-socket listener anyway).
 */
export const POSTSRSD_TCP = { address: "127.0.0.1", forwardPort: 10001, reversePort: 10002 } as const;

/** A domain as the launcher's shell takes it: no quote, blank, comma or shell character can get in. */
function checkedDomain(domain: string): string {
  if (!/^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/.test(domain)) {
    throw new UnsafeValueError(POSTSRSD_DEFAULTS_FILE, "SRS domain", domain, "expected a lowercase domain name (letters, digits, dots and hyphens)");
  }
  return domain;
}

/** The postsrsd file of a host, when the platform forwards to foreign domains (same on both releases). */
export function renderPostsrsd(plan: Plan, host: HostPlan): RenderedFile[] {
  const srs = plan.srs;
  if (!srs.enabled) return [];
  const header = generatedHeader(plan.spec.name, host.name);
  return [{ path: POSTSRSD_DEFAULTS_FILE.slice(1), content: postsrsdDefaults(header, srs), mode: "0644" }];
}

type EnabledSrs = Extract<SrsPlan, { enabled: true }>;

function postsrsdDefaults(header: string, srs: EnabledSrs): string {
  return [
    header,
    `# Read by Debian's postsrsd-systemd-launcher (postsrsd ${POSTSRSD_VERSION}).`,
    "",
    "# Forwarded mail leaves with SRS0=...@ this domain: its MX brings bounces back here.",
    `SRS_DOMAIN=${checkedDomain(srs.domain)}`,
    "# The platform's own senders pass SPF as they are: never rewritten.",
    `SRS_EXCLUDE_DOMAINS=${srs.excludedDomains.map(checkedDomain).join(",")}`,
    "SRS_SEPARATOR==",
    `SRS_SECRET=${POSTSRSD_SECRET_FILE}`,
    "SRS_HASHLENGTH=4",
    "SRS_HASHMIN=4",
    "# Loopback only: the reverse table turns SRS addresses back into deliverable ones. TCP, not a",
    "# socket file: Postfix's chrooted cleanup and smtpd reach it without a path in their chroot.",
    `SRS_LISTEN_ADDR=${POSTSRSD_TCP.address}`,
    `SRS_FORWARD_PORT=${POSTSRSD_TCP.forwardPort}`,
    `SRS_REVERSE_PORT=${POSTSRSD_TCP.reversePort}`,
    "RUN_AS=postsrsd",
    "CHROOT=/var/lib/postsrsd",
    "",
  ].join("\n");
}
