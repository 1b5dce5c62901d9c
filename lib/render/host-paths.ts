/**
 * Paths on a Debian 12 mail host that the rendered configuration refers to. They are
 * Debian's own locations; the certificate directory comes from the model.
 */
/** Host paths and accounts the rendered configuration refers to. */
export interface HostPaths {
  /** Postfix's queue directory; Dovecot's sockets for Postfix live below it. */
  readonly postfixSpool: string;
  /** Dovecot's password database (passwd-file with hashes), managed on the host and never rendered. */
  readonly dovecotUsers: string;
  /** Dovecot's user database: the rendered, secret-free list of declared mailboxes (passwd-file). */
  readonly dovecotMailboxes: string;
  /** The per-address login lists (one secret-free passwd-file per group address, named by it). */
  readonly dovecotLogins: string;
  /** Mailbox homes, one per user: <root>/<domain>/<user>. */
  readonly mailHomeRoot: string;
  /** Diffie-Hellman parameters (RFC 7919 ffdhe2048) for DHE suites in Postfix, Dovecot and nginx; rendered. */
  readonly dhParameters: string;
  /** The system user that owns every mailbox. */
  readonly mailUser: string;
  /** The group of that user. */
  readonly mailGroup: string;
  /** OpenDKIM's tables and keys directory. */
  readonly opendkimDir: string;
  /** OpenDKIM's runtime directory (pid file). */
  readonly opendkimRun: string;
  /** Where the MTA-STS policy files are served from. */
  readonly mtaStsRoot: string;
  /** Where the client autoconfiguration documents are served from (`autoconfig/`, `autodiscover/` below it). */
  readonly autoconfigRoot: string;
  /** The address the host's helper daemons listen on (rspamd's milters and controller, redis): loopback. */
  readonly helperAddress: string;
  /** The DNS resolver rspamd asks (SPF, DKIM, DMARC records): the host's own unbound. */
  readonly resolverAddress: string;
  /** redis's data directory. */
  readonly redisDir: string;
}

/** Debian 12's locations: what production renders. */
export const HOST_PATHS: HostPaths = {
  /** Postfix's queue directory; Dovecot's sockets for Postfix live below it. */
  postfixSpool: "/var/spool/postfix",
  /** Dovecot's password database (passwd-file with hashes), managed on the host and never rendered. */
  dovecotUsers: "/etc/dovecot/users",
  /** Dovecot's user database: the rendered list of declared mailboxes (etc/dovecot/mailboxes). */
  dovecotMailboxes: "/etc/dovecot/mailboxes",
  /** The per-address login lists (etc/dovecot/logins). */
  dovecotLogins: "/etc/dovecot/logins",
  /** Mailbox homes, one per user: <root>/<domain>/<user>. */
  mailHomeRoot: "/var/mail/vhosts",
  /** The rendered RFC 7919 group (etc/mail-platform/ffdhe2048.pem), not Debian's RFC 3526 /usr/share/dovecot/dh.pem. */
  dhParameters: "/etc/mail-platform/ffdhe2048.pem",
  /** The system user that owns every mailbox. */
  mailUser: "vmail",
  /** Its group. */
  mailGroup: "vmail",
  /** OpenDKIM's tables and keys. */
  opendkimDir: "/etc/opendkim",
  /** OpenDKIM's pid file directory. */
  opendkimRun: "/run/opendkim",
  /** MTA-STS policy files. */
  mtaStsRoot: "/var/www/mail-platform/mta-sts",
  /** Client autoconfiguration documents. */
  autoconfigRoot: "/var/www/mail-platform/client-config",
  /** Loopback only: nothing outside the host reaches the milters or redis. */
  helperAddress: "127.0.0.1",
  /** unbound on loopback (lib/render/unbound). */
  resolverAddress: "127.0.0.1",
  /** Debian's. */
  redisDir: "/var/lib/redis",
};
