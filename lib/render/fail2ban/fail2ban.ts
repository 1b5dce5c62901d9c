/**
 * fail2ban's configuration: the platform's jail and its filter. Brute-force protection of every
 * login port. Why fail2ban (Debian's package, the same files on Debian 12 and 13):
 * - it BLOCKS the attacking address (nftables drops it on the login ports), for every protocol at
 *   once; Dovecot's auth penalty only delays each failure (2 s growing to 15 s) and, keyed by the
 *   address, made the correct password of a user behind the same address time out with 454;
 * - Postfix's smtpd_client_auth_rate_limit (anvil) counts AUTH commands per minute, good and bad
 *   alike, on SMTP only, and resets every minute: an attacker keeps its rate below the limit for ever;
 * - Dovecot's auth policy needs an external policy server (weakforced) that Debian does not package.
 *
 * What is counted: each failed password in Dovecot's authentication log (auth_verbose, rendered
 * with this jail). Postfix asks Dovecot to check SMTP AUTH passwords, so one filter counts 587/465,
 * IMAP, POP3 and ManageSieve alike, each failed password exactly once. The filter reads only the
 * auth process's own lines: their user name has passed auth_username_chars (letters, digits and
 * `.-_@`, `?` when refused), so no user name can put another address where the client's is read.
 * The login processes' "auth failed" lines are not read: they carry the raw user name before the
 * client address, and a crafted name moves a different `rip=` there.
 *
 * On the host, fail2ban reads the systemd journal (Debian's cloud images have no rsyslog files) and
 * bans with nftables. Proof: test/integration/live/brute-force.test.ts runs this jail with the real
 * fail2ban and nftables against a local instance; test/integration/fail2ban-config.test.ts checks
 * the files with fail2ban's own parser and its filter against Dovecot 2.3 and 2.4 lines.
 */
import type { BruteForcePlan, HostPlan, Plan } from "../../plan/types";
import { generatedHeader } from "../header";
import { UnsafeValueError, type RenderedFile } from "../rendered-file";

/** The platform's jail: one name, also the nftables set and the filter's name. */
export const FAIL2BAN_JAIL = "mail-platform-auth";
/** The jail file: read after Debian's defaults-debian.conf, so its [DEFAULT] settings win. */
export const FAIL2BAN_JAIL_FILE = "etc/fail2ban/jail.d/mail-platform.conf";
/** The filter file. */
export const FAIL2BAN_FILTER_FILE = `etc/fail2ban/filter.d/${FAIL2BAN_JAIL}.conf`;

type EnabledBruteForce = Extract<BruteForcePlan, { enabled: true }>;

/** An address or network as fail2ban's ignoreip takes it (space-separated): validated by the model, checked again here. */
function checkedAddress(value: string): string {
  if (!/^[0-9a-f.:]+(?:\/\d{1,3})?$/.test(value)) {
    throw new UnsafeValueError(FAIL2BAN_JAIL_FILE, "ignoreip entry", value, "expected an IPv4 or IPv6 address or CIDR network");
  }
  return value;
}

/** The jail and filter of a host, when brute-force protection is on (the same on both releases). */
export function renderFail2ban(plan: Plan, host: HostPlan): RenderedFile[] {
  const bruteForce = plan.bruteForce;
  if (!bruteForce.enabled) return [];
  const header = generatedHeader(plan.spec.name, host.name);
  return [
    { path: FAIL2BAN_JAIL_FILE, content: jailText(header, bruteForce), mode: "0644" },
    { path: FAIL2BAN_FILTER_FILE, content: filterText(header), mode: "0644" },
  ];
}

function jailText(header: string, bruteForce: EnabledBruteForce): string {
  const ports = bruteForce.ports.map((p) => {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new UnsafeValueError(FAIL2BAN_JAIL_FILE, "port", String(p), "expected a TCP port");
    return String(p);
  });
  const ignore = bruteForce.neverBan.map(checkedAddress);
  return [
    header,
    "# Brute-force protection of the login ports: fail2ban counts failed passwords in Dovecot's",
    "# authentication log (SMTP AUTH included: Postfix asks Dovecot) and bans the address with nftables.",
    "# Not Postfix's smtpd_client_auth_rate_limit (per minute, SMTP only, good and bad AUTH alike) nor",
    "# Dovecot's auth penalty (delays, never blocks): only a ban stops an attacker while the same user",
    "# keeps logging in from other addresses.",
    "",
    "[DEFAULT]",
    "# Every jail reads the systemd journal: Debian 12's package defaults to log files, and its sshd",
    "# jail then looks for /var/log/auth.log, which a journal-only cloud image lacks (fail2ban would",
    "# refuse to start). Bans go to nftables (iptables is not installed).",
    "backend = systemd",
    "banaction = nftables",
    "banaction_allports = nftables[type=allports]",
    "",
    `[${FAIL2BAN_JAIL}]`,
    "enabled = true",
    `filter = ${FAIL2BAN_JAIL}`,
    "# Only the login ports: port 25 keeps taking mail from a shared address an attacker also uses.",
    `port = ${ports.join(",")}`,
    "protocol = tcp",
    `maxretry = ${bruteForce.maxFailures}`,
    `findtime = ${bruteForce.findTimeSeconds}`,
    `bantime = ${bruteForce.banSeconds}`,
    "# The host's own addresses are never banned (a local client with an old password).",
    "ignoreself = true",
    ...(ignore.length > 0 ? ["# Never banned, from the model (bruteForce.neverBan).", `ignoreip = ${ignore.join(" ")}`] : []),
    "",
  ].join("\n");
}

/**
 * The filter. Dovecot 2.3 (Debian 12) logs `auth: passwd-file(user,203.0.113.9,<session>): Password
 * mismatch`; Dovecot 2.4 (Debian 13) `auth(user,203.0.113.9,sasl:plain)<session>: passwd-file:
 * Password mismatch`. Both name the client address right after the user name.
 */
function filterText(header: string): string {
  return [
    header,
    "# Failed passwords in Dovecot's authentication log (auth_verbose = yes), one line per attempt, for",
    "# IMAP, POP3, ManageSieve and SMTP AUTH (Postfix asks Dovecot). Only the auth process's lines: their",
    '# user name passed auth_username_chars (letters, digits, .-_@; "?" when refused), so no user name',
    "# can carry a comma, parenthesis or blank that puts a different address where the client's is read.",
    "",
    "[INCLUDES]",
    "before = common.conf",
    "",
    "[Definition]",
    "_daemon = dovecot",
    "_user = [A-Za-z0-9.@_?+-]*",
    "_reason = (?:[Pp]assword mismatch|[Uu]nknown user|[Ii]nvalid credentials|Username character disallowed by auth_username_chars)",
    "# Dovecot 2.3: auth: passwd-file(user,203.0.113.9,<session>): Password mismatch",
    "# Dovecot 2.4: auth(user,203.0.113.9,sasl:plain)<session>: passwd-file: Password mismatch",
    "failregex = ^%(__prefix_line)sauth: (?:Info: )?[a-z][a-z0-9-]*\\(%(_user)s,<HOST>(?:,<[A-Za-z0-9+/=]*>)?\\): %(_reason)s",
    "            ^%(__prefix_line)sauth\\(%(_user)s,<HOST>(?:,[a-z0-9:-]+)?\\)(?:<[A-Za-z0-9+/=:]*>)*: (?:Info: )?(?:[a-z][a-z0-9-]*(?:\\([^)]*\\))?: )?%(_reason)s",
    "ignoreregex =",
    "# The journal entries of Dovecot's unit (the systemd backend).",
    "journalmatch = _SYSTEMD_UNIT=dovecot.service",
    "",
  ].join("\n");
}
