/**
 * Over-quota mail refused at RCPT: Postfix asks Dovecot's quota-status policy service
 * (lib/render/dovecot/quota.ts) about every recipient that is a mailbox with a quota, and only
 * about those. The addresses come from a table, so the policy never sees foreign recipients of
 * submitted mail, aliases or unknown addresses; an over-quota mailbox gets `452 4.2.2` (try again
 * later) while the sender is still connected, so nothing is accepted and bounced afterwards.
 *
 * The lookup is a restriction class, so the same one word works in main.cf (port 25) and in the
 * submission listeners' `-o smtpd_recipient_restrictions=…` (master.cf values have no blanks).
 * Rendered only when some mailbox has a quota (`plan.accounts.enforcesQuota`).
 */
import type { Plan } from "../../plan/types";
import type { PostconfSetting } from "./main-cf-format";
import type { TableBlock } from "./table-format";
import { TABLES, tableRef } from "./table-names";

/** The restriction class that looks the recipient up in the quota table. */
export const QUOTA_CHECK = "mailbox_quota_check";

/** The policy service, relative to Postfix's queue directory (Dovecot listens there). */
const QUOTA_POLICY = "check_policy_service unix:private/quota-status";

/** The restriction to put in a recipient restriction list, or nothing without quotas. */
export function quotaRestriction(plan: Plan): string[] {
  return plan.accounts.enforcesQuota ? [QUOTA_CHECK] : [];
}

/** main.cf settings that define the restriction class. */
export function quotaMainCf(plan: Plan): PostconfSetting[] {
  if (!plan.accounts.enforcesQuota) return [];
  return [
    { name: "smtpd_restriction_classes", value: [QUOTA_CHECK] },
    {
      name: QUOTA_CHECK,
      value: `check_recipient_access ${tableRef(TABLES.quotaMailboxes)}`,
      why: "Mailboxes with a quota ask Dovecot's quota-status; a full one gets 452 4.2.2 at RCPT.",
    },
  ];
}

/** The table rows: each mailbox with a quota → the policy lookup (user+tag@ finds user@ too). */
export function quotaTableBlocks(plan: Plan): TableBlock[] {
  const rows = plan.accounts.mailboxes.filter((m) => m.quotaMb !== undefined).map((m) => [m.address, QUOTA_POLICY] as const);
  return [{ why: "Mailboxes with a quota: Dovecot's quota-status decides (DUNNO under quota, 452 4.2.2 over it).", rows }];
}
