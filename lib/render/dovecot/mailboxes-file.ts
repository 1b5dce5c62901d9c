/**
 * Dovecot's user database as a rendered file: one passwd-file line per declared mailbox, without
 * a password (the hashes live in SSM and reach the host's separate passdb file, HostPaths
 * `dovecotUsers`). Every declared mailbox is in it, with or without a hash, so LMTP delivers to
 * every mailbox Postfix accepts, and a mailbox removed from the model is no user any more.
 * uid, gid and home come from the userdb's default fields in dovecot.conf; a line may carry
 * per-user `userdb_` extra fields after the seventh colon (the quota, quota-fields.ts).
 */
import type { HostPlan, Plan } from "../../plan/types";
import { homeMailboxes } from "../../plan/host-scope";
import { generatedHeader } from "../header";
import type { RenderedFile } from "../rendered-file";
import { UnsafeValueError } from "../rendered-file";
import { quotaUserdbFields, type DovecotLanguage } from "./quota-fields";

/** Path of the file below the host root. */
export const MAILBOXES_FILE_PATH = "etc/dovecot/mailboxes";

/** What a mailbox address may contain in a passwd-file line (no `:`, blank, `#` or line break). */
const PASSWD_FILE_USER = /^[a-z0-9_.-]+@[a-z0-9.-]+$/;

/** The passwd-file line of one mailbox: user, then empty password, uid, gid, gecos, home, shell and extra fields. */
export function mailboxLine(address: string, extraFields: readonly string[] = []): string {
  if (!PASSWD_FILE_USER.test(address)) {
    throw new UnsafeValueError(MAILBOXES_FILE_PATH, "user", address, "a mailbox address is lowercase letters, digits and . _ - @ only");
  }
  return `${address}:::::::${extraFields.join(" ")}`;
}

/** The rendered mailbox list (mode 0644: it holds no secret). */
export function renderMailboxesFile(plan: Plan, host: HostPlan, language: DovecotLanguage): RenderedFile {
  const lines = [generatedHeader(plan.spec.name, host.name), ...homeMailboxes(plan, host).map((m) => mailboxLine(m.address, quotaUserdbFields(m, language)))];
  return { path: MAILBOXES_FILE_PATH, content: `${lines.join("\n")}\n`, mode: "0644" };
}
