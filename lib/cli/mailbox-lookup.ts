/**
 * Finding the mailbox a `user` command names, and saying plainly why an address is not one: an
 * alias or role address (which has no password of its own), a catch-all's address, a domain of the
 * platform without that mailbox, or a domain the platform does not serve.
 */
import { UserError } from "../errors";
import { addressBook, domainOf, mailboxesReached } from "../model/address-book";
import type { PlatformSpec } from "../model/schema";
import { accountsPlan } from "../plan/accounts";
import type { AccountsPlan, MailboxPlan } from "../plan/types";

/** Mailboxes named in a "the domain has these" hint, at most. */
const LISTED = 10;

/** The address as the model writes it (lower case), or a usage problem when it is not one. */
export function normalizedAddress(address: string): string | undefined {
  const lower = address.trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(lower) ? lower : undefined;
}

/** The model's accounts, and the mailbox of `address` or why it is none. */
export function lookUpMailbox(spec: PlatformSpec, file: string, address: string): { accounts: AccountsPlan; mailbox?: MailboxPlan; why?: string } {
  const accounts = accountsPlan(spec);
  const mailbox = accounts.mailboxes.find((m) => m.address === address);
  if (mailbox) return { accounts, mailbox };
  const book = addressBook(spec);
  const domain = domainOf(address);
  const alias = book.aliases.get(address);
  let why: string;
  if (alias) {
    const kind = alias.origin === "role" ? "a role address (RFC 5321 postmaster@, RFC 2142 abuse@)" : "an alias";
    const reached = mailboxesReached(book, address);
    why =
      `${address} is ${kind} of group ${alias.group} that delivers to ${alias.targets.join(", ")}: it has no password of its own` +
      (reached.length > 0 ? `; set the password of the mailbox it reaches (${reached.join(", ")})` : "");
  } else if (!book.domains.has(domain)) {
    why = `${domain} is not a domain of platform ${spec.name} (its domains: ${[...book.domains.keys()].slice(0, LISTED).join(", ")}${book.domains.size > LISTED ? ", …" : ""})`;
  } else {
    const same = accounts.mailboxes.filter((m) => domainOf(m.address) === domain).map((m) => m.address);
    const catchAll = book.catchAlls.get(domain);
    why =
      `${address} is not declared as a mailbox in ${file}` +
      (catchAll !== undefined ? ` (mail to it reaches ${catchAll}, ${domain}'s catch-all)` : "") +
      `; the mailboxes of ${domain}: ${same.length === 0 ? "none" : same.slice(0, LISTED).join(", ") + (same.length > LISTED ? ", …" : "")}. ` +
      `Declare it under groups[].mailboxes of group ${book.domains.get(domain)} first`;
  }
  return { accounts, why };
}

/** The declared mailbox of `address`. @throws UserError saying why the address is none */
export function declaredMailbox(spec: PlatformSpec, file: string, address: string): { accounts: AccountsPlan; mailbox: MailboxPlan } {
  const found = lookUpMailbox(spec, file, address);
  if (!found.mailbox) throw new UserError(found.why!);
  return { accounts: found.accounts, mailbox: found.mailbox };
}
