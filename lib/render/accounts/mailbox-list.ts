/**
 * The mailbox list a host's user sync reads (`mail-platform-users-sync`): every mailbox of the
 * plan with the SSM parameter that holds its password hash and the userdb fields of its line in
 * Dovecot's passwd-file. It travels in the bundle, so it holds no secret: the hashes stay in SSM
 * and only the host fetches them.
 */
import type { HostPlan, MailboxPlan, Plan } from "../../plan/types";
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
  /** Extra userdb fields of its passwd-file line (`userdb_<name>=<value>`), in order. */
  readonly userdbFields: readonly string[];
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
const USERDB_FIELD = /^userdb_[a-z0-9_]+=[^\s:]+$/;

/**
 * The userdb extra fields of one mailbox's passwd-file line. None yet: per-user settings (a quota
 * rule, for one) are added here, one field per setting, in the syntax of the host's Dovecot.
 */
export function mailboxUserdbFields(mailbox: MailboxPlan, host: HostPlan): string[] {
  void mailbox;
  void host;
  return [];
}

function entry(mailbox: MailboxPlan, host: HostPlan, prefix: string): MailboxListEntry {
  if (!ADDRESS.test(mailbox.address)) throw new UnsafeValueError(FILE, "a mailbox address", mailbox.address, "lowercase local@domain without : or blanks");
  if (!PARAMETER.test(mailbox.passwordParameter) || !mailbox.passwordParameter.startsWith(`${prefix}/`))
    throw new UnsafeValueError(FILE, "a password parameter", mailbox.passwordParameter, `an SSM parameter name below ${prefix}/`);
  const userdbFields = mailboxUserdbFields(mailbox, host);
  for (const field of userdbFields) {
    if (!USERDB_FIELD.test(field)) throw new UnsafeValueError(FILE, "a userdb field", field, "userdb_<name>=<value> without blanks or :");
  }
  return { address: mailbox.address, passwordParameter: mailbox.passwordParameter, userdbFields };
}

/** The list of one host (every host serves every group, so every mailbox). */
export function mailboxList(plan: Plan, host: HostPlan): MailboxList {
  const prefix = plan.accounts.passwordParameterPrefix;
  if (!PARAMETER.test(prefix)) throw new UnsafeValueError(FILE, "the password parameter prefix", prefix, "an SSM path such as /acme-mail/mail-users");
  return {
    comment: generatedHeader(plan.spec.name, host.name, "").trim(),
    format: MAILBOX_LIST_FORMAT,
    passwordParameterPrefix: prefix,
    mailboxes: plan.accounts.mailboxes.map((m) => entry(m, host, prefix)),
  };
}

/** The rendered file (no secret: readable by everyone on the host). */
export function renderMailboxList(plan: Plan, host: HostPlan): RenderedFile {
  return { path: MAILBOX_LIST_PATH, content: `${JSON.stringify(mailboxList(plan, host), null, 1)}\n`, mode: "0644" };
}
