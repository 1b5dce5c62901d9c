/**
 * Mailbox quotas in dovecot.conf, for Dovecot 2.3 and 2.4: the quota plugin with the `count`
 * driver (usage kept in Dovecot's own indexes; the driver Dovecot recommends in both versions),
 * limits per user from the userdb (the mailbox list, see mailboxes-file.ts), the quota-status
 * policy service Postfix asks at RCPT, and a quota check at LMTP RCPT.
 *
 * Over-quota mail is refused while the sender is still connected, with a temporary 452 4.2.2:
 * never accepted and bounced later (backscatter), and a mailbox that is emptied receives again
 * when the sender retries. Dovecot's default grace stays: one delivery may exceed the limit by a
 * little (2.3: 10 %, 2.4: 10 MiB), so a nearly full mailbox still gets its last message and the
 * user sees the quota reached rather than a silent gap.
 *
 * Rendered only when some mailbox has a quota (`plan.accounts.enforcesQuota`).
 */
import type { HostPaths } from "../host-paths";
import { block, setting, trusted, type DovecotNode } from "./conf-format";

/** The quota root's name, shown to IMAP clients (some hide the quota when it is empty). */
export const QUOTA_ROOT = "User";

/** The quota-status socket below Postfix's queue directory, as Postfix names it (chroot-relative). */
export const QUOTA_STATUS_SOCKET = "private/quota-status";

/**
 * What quota-status answers Postfix. A mailbox under its quota, or an address Dovecot does not
 * know, gets DUNNO: the policy neither accepts nor refuses, the next restriction decides.
 */
const QUOTA_STATUS_REPLIES: ReadonlyArray<readonly [string, string, string]> = [
  ["quota_status_success", "DUNNO", "Under quota: the next restriction decides (never OK, which would skip them)."],
  ["quota_status_nouser", "DUNNO", "Not a mailbox Dovecot knows: Postfix's recipient checks decide."],
  ["quota_status_overquota", "452 4.2.2 Mailbox is full", "Temporary: the sender keeps the message and retries; nothing is bounced later."],
];

/** The policy service Postfix asks at RCPT, on a socket inside Postfix's queue directory. */
export function quotaStatusService(paths: HostPaths): DovecotNode {
  return block(
    "service",
    "quota-status",
    [
      setting("executable", "quota-status -p postfix"),
      block("unix_listener", `${paths.postfixSpool}/${QUOTA_STATUS_SOCKET}`, [
        setting("mode", "0660"),
        setting("user", "postfix"),
        setting("group", "postfix"),
      ]),
      setting("client_limit", 1, "One policy connection per process, as Dovecot documents for quota-status."),
    ],
    "Postfix asks it at RCPT (check_policy_service), so over-quota mail is refused before it is accepted.",
  );
}

/** The quota settings of Dovecot 2.3 (plugin { } block, quota_rule from the userdb). */
export function quota23(imap: boolean): DovecotNode[] {
  return [
    setting("mailbox_list_index", true, "The count driver sums per-folder usage from the mailbox list index (Dovecot recommends it with count)."),
    setting(
      "lmtp_rcpt_check_quota",
      true,
      "LMTP checks the quota at RCPT too: mail queued before the mailbox filled up is deferred there, not failed after DATA.",
    ),
    ...(imap ? [block("protocol", "imap", [trusted("mail_plugins", "$mail_plugins imap_quota")], "IMAP clients can show the quota (RFC 2087).")] : []),
    block(
      "plugin",
      undefined,
      [
        setting("quota", `count:${QUOTA_ROOT}`, "Usage kept in Dovecot's indexes; limits come from each user's quota_rule (the mailbox list)."),
        setting("quota_vsizes", true, "The count driver needs virtual sizes."),
        ...QUOTA_STATUS_REPLIES.map(([name, value, why]) => setting(name, value, why)),
      ],
      "No global quota_rule: a mailbox without quotaMb has no limit.",
    ),
  ];
}

/** The quota settings of Dovecot 2.4 (named quota root, quota_storage_size from the userdb). */
export function quota24(imap: boolean): DovecotNode[] {
  return [
    block("mail_plugins", undefined, [setting("quota", true)]),
    ...(imap
      ? [block("protocol", "imap", [block("mail_plugins", undefined, [setting("imap_quota", true)])], "IMAP clients can show the quota (RFC 2087).")]
      : []),
    block(
      "quota",
      QUOTA_ROOT,
      [setting("driver", "count", "Usage kept in Dovecot's indexes (mailbox_list_index is on by default in 2.4).")],
      "No global quota_storage_size: a mailbox without quotaMb has no limit (each user's comes from the mailbox list).",
    ),
    setting(
      "lmtp_rcpt_check_quota",
      true,
      "LMTP checks the quota at RCPT too: mail queued before the mailbox filled up is deferred there, not failed after DATA.",
    ),
    ...QUOTA_STATUS_REPLIES.map(([name, value, why]) => setting(name, value, why)),
  ];
}
