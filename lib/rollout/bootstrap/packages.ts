/** The Debian packages a mail host installs at first boot. */
import type { DaemonName } from "../../plan/daemons";
import type { HostPlan, Plan } from "../../plan/types";
import { when } from "../../plan/when";

/**
 * Tools of the setup and the certificate renewal, installed on every host. AWS calls go through
 * boto3 (lib/apply/mail-platform-aws.py), which the Route53 plugin needs anyway: the AWS CLI's own
 * packages took half of the package step.
 */
const TOOLS: readonly string[] = ["ca-certificates", "certbot", "python3", "python3-boto3", "python3-certbot-dns-route53"];

/**
 * The Debian packages a host needs for the enabled features on its operating system: the tools,
 * and each daemon that runs with its package and the add-ons the features need. Each daemon's
 * packages stay together; tools and daemons are ordered by their (first) package name.
 * Full-text search: Debian 13 packages Dovecot's own flatcurve backend (from Dovecot's source,
 * updated with it); Debian 12 has only the third-party Xapian plugin.
 */
export function hostPackages(plan: Plan, host: HostPlan): string[] {
  const { services, mailbox } = plan.spec;
  const addOns: Partial<Record<DaemonName, string[]>> = {
    dovecot: [
      ...when(services.imap || services.imaps, "dovecot-imapd"),
      "dovecot-lmtpd",
      ...when(services.pop3 || services.pop3s, "dovecot-pop3d"),
      // Sieve filters and vacation replies at delivery; ManageSieve only when its port is on.
      "dovecot-sieve",
      ...when(services.managesieve, "dovecot-managesieved"),
      ...when(mailbox.fullTextSearch, host.os === "debian-12" ? "dovecot-fts-xapian" : "dovecot-flatcurve"),
    ],
    // The jail reads the systemd journal (python3-systemd) and bans with nftables; Debian 12's
    // cloud images have neither rsyslog's log files nor nftables installed.
    fail2ban: ["nftables", "python3-systemd"],
    postfix: ["postfix-pcre"],
    // Signatures for clamd, updated from ClamAV's mirrors.
    clamav: ["clamav-freshclam"],
    // Debian's copy of the DNSSEC root trust anchor, which unbound's unit installs before it starts.
    unbound: ["dns-root-data"],
  };
  const groups = [...TOOLS.map((tool) => [tool]), ...plan.daemons.map((d) => [d.package, ...(addOns[d.name] ?? [])])];
  return groups.sort((a, b) => (a[0]! < b[0]! ? -1 : 1)).flat();
}
