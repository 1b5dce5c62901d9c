/**
 * The mailbox list a host's user sync reads (`mail-platform-users-sync`): every mailbox of the
 * plan with the SSM parameter that holds its password hash and the userdb fields of its line in
 * Dovecot's passwd-file. It travels in the bundle, so it holds no secret: the hashes stay in SSM
 * and only the host fetches them.
 */
import type { HostPlan, MailboxPlan, Plan } from "../../plan/types";
import { homeMailboxes } from "../../plan/host-scope";
import { generatedHeader } from "../header";
import { UnsafeValueError, type RenderedFile } from "../rendered-file";

/** Where the list is installed (below the host root, without the leading slash). */
export const MAILBOX_LIST_PATH = "etc/mail-platform/mailboxes.json";

/** The format the sync program accepts. */
export const MAILBOX_LIST_FORMAT = "mail-platform-mailboxes/1";

/** One mailbox of the list. */
export interface MailboxListEntry {
  /** Address and login (lowercase). */
  readonly address: string;
  /** SSM SecureString parameter of its hash. */
  readonly passwordParameter: string;
}

/** The whole list, as the sync program reads it. */
export interface MailboxList {
  /** A generated-file note (JSON has no comments). */
  readonly comment: string;
  readonly format: typeof MAILBOX_LIST_FORMAT;
  /** The SSM path the sync reads recursively (the host role may read exactly this path). */
  readonly passwordParameterPrefix: string;
  readonly mailboxes: readonly MailboxListEntry[];
}

const FILE = `/${MAILBOX_LIST_PATH}`;
/** What a passwd-file user field may hold: no `:` (field separator), blank, newline or `%`. */
const ADDRESS = /^[a-z0-9._+-]+@[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;
/** SSM parameter names: `/` separated words of letters, digits and `_ . -`. */
const PARAMETER = /^\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
/** A userdb extra field: `userdb_<name>=<value>`, no blank, `:` or newline (they separate fields and lines). */
// Per-user settings (the quota) are not here: Dovecot's userdb is the rendered mailbox list
// /etc/dovecot/mailboxes (mailboxes-file.ts); the users file the sync writes is the passdb only.
function entry(mailbox: MailboxPlan, prefix: string): MailboxListEntry {
  if (!ADDRESS.test(mailbox.address)) throw new UnsafeValueError(FILE, "a mailbox address", mailbox.address, "lowercase local@domain without : or blanks");
  if (!PARAMETER.test(mailbox.passwordParameter) || !mailbox.passwordParameter.startsWith(`${prefix}/`))
    throw new UnsafeValueError(FILE, "a password parameter", mailbox.passwordParameter, `an SSM parameter name below ${prefix}/`);
  return { address: mailbox.address, passwordParameter: mailbox.passwordParameter };
}

/** The list of one host: the mailboxes of the groups whose home it is. */
export function mailboxList(plan: Plan, host: HostPlan): MailboxList {
  const prefix = plan.accounts.passwordParameterPrefix;
  if (!PARAMETER.test(prefix)) throw new UnsafeValueError(FILE, "the password parameter prefix", prefix, "an SSM path such as /acme-mail/mail-users");
  return {
    comment: generatedHeader(plan.spec.name, host.name, "").trim(),
    format: MAILBOX_LIST_FORMAT,
    passwordParameterPrefix: prefix,
    mailboxes: homeMailboxes(plan, host).map((m) => entry(m, prefix)),
  };
}

/** The rendered file (no secret: readable by everyone on the host). */
export function renderMailboxList(plan: Plan, host: HostPlan): RenderedFile {
  return { path: MAILBOX_LIST_PATH, content: `${JSON.stringify(mailboxList(plan, host), null, 1)}\n`, mode: "0644" };
}
