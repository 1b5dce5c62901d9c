/**
 * The operating systems a mail host can run, and what differs between them. Debian 13 is
 * Debian's stable release and the default; Debian 12 (LTS) stays available for platforms that run
 * on it. Renderers, the package list, the AMI lookup and the rehearsal read these facts here.
 */

/** The host operating systems, newest first. */
export const HOST_OS = ["debian-13", "debian-12"] as const;

/** A host operating system. */
export type HostOs = (typeof HOST_OS)[number];

/** The default for new platforms: Debian's current stable release. */
export const DEFAULT_HOST_OS: HostOs = "debian-13";

/** What the platform depends on, per operating system. */
export interface HostOsFacts {
  /** Debian's code name (debootstrap suite, apt sources). */
  readonly codename: "trixie" | "bookworm";
  /** Name prefix of Debian's official AMIs (`debian-13-amd64-…`). */
  readonly amiNamePrefix: string;
  /** Postfix major.minor, as the compatibility level names it. */
  readonly postfix: "3.10" | "3.7";
  /** Dovecot's configuration language. */
  readonly dovecot: "2.4" | "2.3";
  /** OpenSSL major.minor: 3.5 knows the post-quantum hybrid group X25519MLKEM768, 3.0 does not. */
  readonly openssl: "3.5" | "3.0";
  /**
   * The systemd unit that runs Postfix's master: Debian 13's `postfix.service` itself; on Debian 12
   * `postfix.service` only starts the instance `postfix@-.service`, which runs it.
   */
  readonly postfixUnit: "postfix.service" | "postfix@-.service";
  /**
   * The public-suffix list rspamd compiles at its first start (Debian's `url_tld` in
   * /etc/rspamd/options.inc): rspamd's own copy on Debian 12, the publicsuffix package's on 13.
   */
  readonly rspamdTldList: string;
}

/** The facts of each operating system. */
export const HOST_OS_FACTS: Readonly<Record<HostOs, HostOsFacts>> = {
  "debian-13": {
    codename: "trixie",
    amiNamePrefix: "debian-13",
    postfix: "3.10",
    dovecot: "2.4",
    openssl: "3.5",
    postfixUnit: "postfix.service",
    rspamdTldList: "/usr/share/publicsuffix/effective_tld_names.dat",
  },
  "debian-12": {
    codename: "bookworm",
    amiNamePrefix: "debian-12",
    postfix: "3.7",
    dovecot: "2.3",
    openssl: "3.0",
    postfixUnit: "postfix@-.service",
    rspamdTldList: "/usr/share/rspamd/effective_tld_names.dat",
  },
};
