/**
 * The per-user quota of a mailbox as Dovecot userdb extra fields, in each Dovecot version's
 * words. One place formats them, whoever writes the userdb lines (the rendered mailbox list, the
 * on-host users file).
 *
 * The `userdb_` prefix makes a field a userdb field in a passwd-file used as passdb (prefetch) and
 * is stripped when the same kind of file is the userdb, so the fields read the same in both.
 */
import type { MailboxPlan } from "../../plan/types";

/** The Dovecot settings language: 2.3 (Debian 12) or 2.4 (Debian 13). */
export type DovecotLanguage = "2.3" | "2.4";

/**
 * The userdb extra fields that give one mailbox its storage quota.
 * - 2.3: `userdb_quota_rule=*:storage=<N>M` (a rule for every mailbox of the quota root)
 * - 2.4: `userdb_quota_storage_size=<N>M` (overrides the global `quota_storage_size`)
 * @returns no field for a mailbox without a quota (unlimited)
 */
export function quotaUserdbFields(mailbox: Pick<MailboxPlan, "quotaMb">, language: DovecotLanguage): string[] {
  const { quotaMb } = mailbox;
  if (quotaMb === undefined) return [];
  // The model allows whole MiB from 1 to 16 TiB; anything else here is a programming error, and
  // a field with a blank or a colon would change the userdb line's meaning.
  if (!Number.isSafeInteger(quotaMb) || quotaMb < 1) throw new RangeError(`quota must be a positive whole number of MiB, got ${quotaMb}`);
  return language === "2.3" ? [`userdb_quota_rule=*:storage=${quotaMb}M`] : [`userdb_quota_storage_size=${quotaMb}M`];
}
