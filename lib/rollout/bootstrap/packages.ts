/** The Debian packages a mail host installs at first boot. */
import type { HostPlan, Plan } from "../../plan/types";
import { signsDkim } from "../../render/opendkim/opendkim";
import { optionalDaemons } from "../daemons";

/**
 * The Debian packages a host needs for the enabled features on its operating system.
 * Full-text search: Debian 13 packages Dovecot's own flatcurve backend (from Dovecot's source,
 * updated with it); Debian 12 has only the third-party Xapian plugin.
 */
export function hostPackages(plan: Plan, host: HostPlan): string[] {
  const { services, mailbox } = plan.spec;
  const dkim = signsDkim(plan.spec);
  return [
    "awscli",
    "ca-certificates",
    "certbot",
    "dovecot-core",
    ...(services.imap || services.imaps ? ["dovecot-imapd"] : []),
    "dovecot-lmtpd",
    ...(services.pop3 || services.pop3s ? ["dovecot-pop3d"] : []),
    ...(mailbox.fullTextSearch ? [host.os === "debian-12" ? "dovecot-fts-xapian" : "dovecot-flatcurve"] : []),
    ...(optionalDaemons(plan).nginx ? ["nginx-light"] : []),
    ...(dkim ? ["opendkim"] : []),
    "postfix",
    "postfix-pcre",
    "python3",
    "python3-certbot-dns-route53",
  ];
}
