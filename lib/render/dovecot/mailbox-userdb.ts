/**
 * The mailbox list Dovecot reads as a passwd-file userdb: one line per declared mailbox, no
 * password (the hashes stay in the on-host users file), and the userdb extra fields that carry
 * the mailbox's quota. Rendered from the plan, so it travels in the bundle like every other file.
 *
 * Line format: `address:::::::fields` (user, password, uid, gid, gecos, home, shell, extra
 * fields); uid, gid and home come from the userdb block's defaults in dovecot.conf.
 */
import type { Plan } from "../../plan/types";
import { generatedHeader } from "../header";
import { UnsafeValueError, type RenderedFile } from "../rendered-file";
import { quotaUserdbFields, type DovecotLanguage } from "./quota-fields";

/** Where the file goes below the host root (`HOST_PATHS.dovecotMailboxes`). */
export const MAILBOX_USERDB_FILE = "etc/dovecot/mailboxes";

/** An address as a passwd-file user name: no field separator, blank or comment can slip in. */
function checkedAddress(address: string): string {
  if (!/^[a-z0-9._+-]+@[a-z0-9.-]+$/.test(address)) {
    throw new UnsafeValueError(MAILBOX_USERDB_FILE, "user", address, "user names are lowercase addresses without ':' or blanks");
  }
  return address;
}

/**
 * The mailbox list of one host, or nothing while no mailbox has a quota (then Dovecot's static
 * userdb alone serves every mailbox, as before).
 */
export function renderMailboxUserdb(plan: Plan, hostName: string, language: DovecotLanguage): RenderedFile[] {
  if (!plan.accounts.enforcesQuota) return [];
  const lines = plan.accounts.mailboxes.map((m) => `${checkedAddress(m.address)}:::::::${quotaUserdbFields(m, language).join(" ")}`);
  return [{ path: MAILBOX_USERDB_FILE, content: `${[generatedHeader(plan.spec.name, hostName), ...lines].join("\n")}\n`, mode: "0644" }];
}
