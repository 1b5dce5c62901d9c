/**
 * Over-quota mail refused at RCPT: Postfix asks Dovecot's quota-status policy service
 * (lib/render/dovecot/quota.ts) about every recipient that is a mailbox with a quota, and only
 * about those. The addresses come from a table, so the policy never sees foreign recipients of
 * submitted mail, aliases or unknown addresses; an over-quota mailbox gets `452 4.2.2` (try again
 * later) while the sender is still connected, so nothing is accepted and bounced afterwards.
 *
 * Two restriction classes: the table lookup, so the same one word works in main.cf (port 25) and
 * in the submission listeners' `-o smtpd_recipient_restrictions=…` (master.cf values have no
 * blanks); and the policy call, which the table names (Postfix refuses a restriction with its own
 * table or socket argument inside an access map: "define a restriction class").
 * Rendered only when some mailbox has a quota (`plan.accounts.enforcesQuota`).
 */
import type { MailboxPlan, Plan } from "../../plan/types";
import type { PostconfSetting } from "./main-cf-format";
import type { TableBlock } from "./table-format";
import { TABLES, tableRef } from "./table-names";
import { QUOTA_STATUS_SOCKET } from "../dovecot/quota";

/** The restriction class that looks the recipient up in the quota table. */
export const QUOTA_CHECK = "mailbox_quota_check";

/** The restriction class that asks Dovecot's quota-status (the quota table's result). */
export const QUOTA_STATUS = "mailbox_quota_status";

/** The restriction to put in a recipient restriction list, or nothing without quotas. */
export function quotaRestriction(plan: Plan): string[] {
  return plan.accounts.enforcesQuota ? [QUOTA_CHECK] : [];
}

/** main.cf settings that define the restriction class. */
export function quotaMainCf(plan: Plan): PostconfSetting[] {
  if (!plan.accounts.enforcesQuota) return [];
  return [
    { name: "smtpd_restriction_classes", value: [QUOTA_CHECK, QUOTA_STATUS] },
    {
      name: QUOTA_CHECK,
      value: `check_recipient_access ${tableRef(TABLES.quotaMailboxes)}`,
      why: "Only mailboxes with a quota are looked up (the table's result is the next class).",
    },
    {
      name: QUOTA_STATUS,
      value: `check_policy_service unix:${QUOTA_STATUS_SOCKET}`,
      why: "Dovecot's quota-status: DUNNO under quota, 452 4.2.2 over it; unreachable: 451, mail waits at the sender.",
    },
  ];
}

/** The table rows: each mailbox with a quota → the policy lookup (user+tag@ finds user@ too). */
export function quotaTableBlocks(mailboxes: readonly MailboxPlan[]): TableBlock[] {
  const rows = mailboxes.filter((m) => m.quotaMb !== undefined).map((m) => [m.address, QUOTA_STATUS] as const);
  return [{ why: "Mailboxes with a quota: Dovecot's quota-status decides (DUNNO under quota, 452 4.2.2 over it).", rows }];
}
