/** The Debian packages a mail host installs at first boot. */
import type { Plan } from "../../plan/types";
import { signsDkim } from "../opendkim/opendkim";
import { optionalDaemons } from "../../rollout/daemons";

/** The Debian packages a host needs for the enabled features. */
export function hostPackages(plan: Plan): string[] {
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
    ...(mailbox.fullTextSearch ? ["dovecot-fts-xapian"] : []),
    ...(optionalDaemons(plan).nginx ? ["nginx-light"] : []),
    ...(dkim ? ["opendkim"] : []),
    "postfix",
    "postfix-pcre",
    "python3",
    "python3-certbot-dns-route53",
  ];
}
