/**
 * The daemons a mail host may run, as one table: package, systemd unit and the condition under
 * which the platform runs each. Packages, enabling and restarting at first boot, the certificate
 * renewal hook and the reload and start commands of a bundle are all derived from `plan.daemons`,
 * so a new daemon (a content filter, a policy service) is one more row here.
 */
import type { DaemonInfo } from "./types";

export type { DaemonFacts, DaemonInfo, DaemonName } from "./types";

/** Every daemon, in the order a bundle reloads and starts them. */
export const DAEMONS: readonly DaemonInfo[] = [
  {
    name: "unbound",
    package: "unbound",
    unit: "unbound",
    // Not called by Postfix as a milter is, but every lookup of Postfix goes through it: started first.
    calledByPostfix: true,
    purpose: "The host's own DNSSEC-validating resolver on loopback (DNS blocklists, DANE, MX lookups)",
    runs: () => true,
  },
  { name: "postfix", package: "postfix", unit: "postfix", calledByPostfix: false, purpose: "SMTP: MX, submission, outbound transports", runs: () => true },
  {
    name: "dovecot",
    package: "dovecot-core",
    unit: "dovecot",
    calledByPostfix: false,
    purpose: "IMAP, POP3, LMTP delivery, SASL for Postfix",
    runs: () => true,
  },
  {
    name: "opendkim",
    package: "opendkim",
    unit: "opendkim",
    calledByPostfix: true,
    purpose: "DKIM signing and verifying (a Postfix milter)",
    runs: (facts) => facts.dkim.signs,
  },
  {
    name: "nginx",
    package: "nginx-light",
    unit: "nginx",
    calledByPostfix: false,
    purpose: "MTA-STS policies and client autoconfiguration over HTTPS",
    runs: (facts) => facts.mtaSts.served || facts.autoconfig.served,
  },
  {
    name: "postsrsd",
    package: "postsrsd",
    unit: "postsrsd",
    calledByPostfix: true,
    purpose: "SRS: rewrites the envelope sender of mail forwarded to foreign domains (Postfix canonical maps)",
    runs: (facts) => facts.srs.enabled,
  },
  {
    name: "fail2ban",
    package: "fail2ban",
    unit: "fail2ban",
    calledByPostfix: false,
    purpose: "brute-force protection: bans addresses that fail to log in too often (nftables)",
    runs: (facts) => facts.bruteForce.enabled,
  },
  {
    name: "redis",
    package: "redis-server",
    program: "redis-server",
    unit: "redis-server",
    // rspamd keeps greylisting, rate and reputation data in it: up before rspamd.
    calledByPostfix: true,
    applyBy: "restart",
    purpose: "rspamd's store (greylisting triplets, Bayes, reputation), on loopback only",
    runs: (facts) => facts.contentFilter.enabled,
  },
  {
    name: "clamav",
    package: "clamav-daemon",
    program: "clamd",
    unit: "clamav-daemon",
    calledByPostfix: true,
    purpose: "virus scanning of attachments, asked by rspamd",
    runs: (facts) => facts.contentFilter.enabled && facts.contentFilter.antivirus,
  },
  {
    name: "rspamd",
    package: "rspamd",
    unit: "rspamd",
    calledByPostfix: true,
    purpose: "content filtering (a Postfix milter): spam scoring, SPF, DKIM, DMARC and ARC evaluation, outbound scanning",
    runs: (facts) => facts.contentFilter.enabled,
  },
];
