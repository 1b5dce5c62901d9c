/**
 * Users as data: the mailboxes, aliases and forwards of each group, and the platform-wide
 * settings of accounts. No password or hash is ever part of the model: each mailbox's hash lives
 * in SSM Parameter Store (`accounts.passwordParameterPrefix`), written by `mail-platform user
 * passwd` and read by the host.
 */
import { z } from "zod";
import { mailTarget, ownMailAddress } from "./syntax";

/** Largest quota a mailbox may have, in MiB (16 TiB: far beyond any volume a host mounts). */
export const MAX_QUOTA_MB = 16_777_216;

/** A mailbox quota in MiB. */
export const quotaMb = z.int().min(1).max(MAX_QUOTA_MB);

/** A display name: letters, marks, digits, blanks and `. , ' & ( ) -`; no field separators. */
const displayName = z.string().regex(/^[\p{L}\p{M}\p{N}.,'&()-](?:[\p{L}\p{M}\p{N} .,'&()-]{0,62}[\p{L}\p{M}\p{N}.,'&()-])?$/u, {
  error: "expected a display name of 1 to 64 letters, digits, blanks and . , ' & ( ) - (no blank at either end)",
});

/** One mailbox: an address that logs in and receives mail. */
export const MailboxAccountSchema = z
  .strictObject({
    /**
     * The mailbox address, also its login. In one of the group's domains; lowercase letters,
     * digits and `. _ -` before the `@`.
     */
    address: ownMailAddress("a mailbox address such as alice@example.com").describe("The mailbox address and login, in one of the group's domains."),
    /** The user's name, shown by client autoconfiguration. @default - none */
    displayName: displayName.optional().describe("The user's name, shown by client autoconfiguration. Default: none."),
    /**
     * Storage quota in MiB. Mail that would exceed it is refused at RCPT (4xx), never bounced later.
     * @default - `mailbox.defaultQuotaMb`, else unlimited
     */
    quotaMb: quotaMb.optional().describe("Storage quota in MiB (1..16777216). Default: mailbox.defaultQuotaMb, else unlimited."),
    /**
     * Forward every message to these addresses (own or foreign). Forwarded mail keeps passing SPF
     * through SRS.
     * @default [] - no forwarding
     */
    forwardTo: z.array(mailTarget("a forwarding address")).max(20).default([]).describe("Forward every message to these addresses. Default: none."),
    /**
     * With `forwardTo`: also keep a copy in this mailbox.
     * @default true
     */
    keepCopy: z.boolean().default(true).describe("With forwardTo: also keep a copy in the mailbox. Default: true."),
  })
  .describe("A mailbox: an address that logs in and receives mail.")
  .meta({ title: "MailboxAccountInput" });

/** An alias: one address that delivers to others. */
export const AliasSchema = z
  .strictObject({
    /** The alias address, in one of the group's domains. */
    address: ownMailAddress("an alias address such as sales@example.com").describe("The alias address, in one of the group's domains."),
    /** Where its mail goes: mailboxes or aliases of the platform, or foreign addresses. */
    to: z.array(mailTarget("an alias target")).min(1).max(100).describe("Where its mail goes: the platform's mailboxes or aliases, or foreign addresses."),
  })
  .describe("An alias: one address that delivers to others.")
  .meta({ title: "AliasInput" });

/** SSM parameter path: `/` then letters, digits and `_ . - /` (what SSM allows in a name). */
const parameterPath = z
  .string()
  .regex(/^\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/, { error: "expected an SSM parameter path such as /acme-mail/mail-users (no trailing /)" })
  .max(900);

/** Platform-wide settings of accounts. */
export const AccountsSchema = z
  .strictObject({
    /**
     * Where `postmaster@` (RFC 5321 §4.5.1) and `abuse@` (RFC 2142) of every domain deliver: one
     * of the platform's mailboxes or aliases. A group may name its own (`groups[].roleMailbox`);
     * a domain may declare the role addresses itself as mailbox or alias. Required as soon as the
     * platform has a mailbox.
     * @default - none
     */
    roleMailbox: ownMailAddress("a mailbox or alias address").optional().describe("Where postmaster@ and abuse@ of every domain deliver. Default: none."),
    /**
     * SSM Parameter Store path under which each mailbox's password hash is kept, one SecureString
     * per mailbox at `<prefix>/<domain>/<local part>`. The hosts may read exactly this path.
     * @default "/<platform name>/mail-users"
     */
    passwordParameterPrefix: parameterPath
      .optional()
      .describe("SSM path of the password hashes, one SecureString per mailbox at <prefix>/<domain>/<local>. Default: /<platform name>/mail-users."),
  })
  .describe("Platform-wide settings of accounts.")
  .meta({ title: "AccountsInput" });

/** The validated account settings. */
export type AccountsSpec = z.output<typeof AccountsSchema>;
/** A validated mailbox. */
export type MailboxAccountSpec = z.output<typeof MailboxAccountSchema>;
/** A validated alias. */
export type AliasSpec = z.output<typeof AliasSchema>;

/** The SSM path of the password hashes: the model's, else `/<platform name>/mail-users`. */
export function passwordParameterPrefix(spec: { readonly name: string; readonly accounts: AccountsSpec }): string {
  return spec.accounts.passwordParameterPrefix ?? `/${spec.name}/mail-users`;
}
