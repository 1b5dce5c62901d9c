/**
 * The lookup tables the rendered Postfix uses. `texthash:`, `pcre:` and `cidr:` tables need no
 * `postmap` step (no stale .db file after an edit) and are read again on `postfix reload`; they
 * are opened before a daemon enters its chroot.
 */

/** A lookup table file in the Postfix configuration directory. */
export interface TableName {
  /** File name in the configuration directory. */
  readonly file: string;
  /** Postfix table type. */
  readonly type: "texthash" | "pcre" | "cidr";
}

/** Every table, by role. */
export const TABLES = {
  /** Customer domains whose mail is delivered to Dovecot. */
  mailboxDomains: { file: "mailbox_domains", type: "texthash" },
  /** The declared mailboxes (plan.accounts.mailboxes): every other address of a mailbox domain is unknown. */
  virtualMailboxes: { file: "virtual_mailboxes", type: "texthash" },
  /** Address (or `@domain` for a catch-all) → comma-separated targets: aliases, forwards, role addresses. */
  virtualAliases: { file: "virtual_aliases", type: "texthash" },
  /** `@domain` → the sender group's outbound transport; `<>` (the null sender) → the bounce group's. */
  senderTransport: { file: "sender_transport", type: "texthash" },
  /** Envelope senders refused from authenticated users on submission: the null sender `<>`. */
  submissionSenderAccess: { file: "submission_sender_access", type: "texthash" },
  /** Domains that refuse plaintext sessions. */
  recipientTlsRequired: { file: "recipient_tls_required", type: "texthash" },
  /** Footer for the reply to plaintext mail to those domains. */
  rejectFooter: { file: "reject_footer.pcre", type: "pcre" },
  /** Per-destination outbound TLS requirements. */
  tlsPolicy: { file: "tls_policy", type: "texthash" },
  /** Headers removed from all other mail, port 25's above all (Authentication-Results from outside). */
  inboundHeaderChecks: { file: "inbound_header_checks.pcre", type: "pcre" },
  /** Loopback clients → their milters on port 25 (smtpd_milter_maps): OpenDKIM signs their mail. */
  loopbackMilters: { file: "loopback_milters.cidr", type: "cidr" },
  /** Header rewriting of submitted mail (privacy). */
  submissionHeaderChecks: { file: "submission_header_checks.pcre", type: "pcre" },
  /** Envelope sender address → the logins (mailbox addresses) that may use it on submission. */
  senderLogin: { file: "sender_logins", type: "texthash" },
  /** Mailboxes with a quota → Dovecot's quota-status policy (asked at RCPT). */
  quotaMailboxes: { file: "quota_mailboxes", type: "texthash" },
  /** Domains of the groups this host is a backup MX for (relay_domains). */
  backupDomains: { file: "backup_domains", type: "texthash" },
  /** The addresses a backup MX accepts for those groups (relay_recipient_maps): every other is refused at RCPT. */
  backupRecipients: { file: "backup_recipients", type: "texthash" },
  /** Domain of a group this host is a backup MX for → its forwarding transport and the home host's channel. */
  backupTransport: { file: "backup_transport", type: "texthash" },
  /** The platform's own addresses (every host): clients that may say the platform's host names in HELO. */
  platformClients: { file: "platform_clients", type: "texthash" },
  /** The platform's host names and addresses: refused as HELO from any other client. */
  ownHeloNames: { file: "own_helo_names", type: "texthash" },
  /** Relay credentials: provisioned on the host from a secret store, never rendered. */
  relayPassword: { file: "relay_password", type: "texthash" },
} as const satisfies Record<string, TableName>;

/** The table as Postfix references it: `type:$config_directory/file`. */
export function tableRef(table: TableName): string {
  return `${table.type}:$config_directory/${table.file}`;
}
