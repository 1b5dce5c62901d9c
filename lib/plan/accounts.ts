/**
 * Users as data, derived: the mailboxes every host serves, the virtual alias table (declared
 * aliases, forwards, role addresses, catch-alls), which login may send as which address, and
 * where each mailbox's password hash lives in SSM. No secret is part of it.
 */
import { passwordParameterPrefix } from "../model/accounts-schema";
import { addressBook, domainOf, mailboxesReached } from "../model/address-book";
import type { PlatformSpec } from "../model/schema";
import type { AccountsPlan, AliasEntry, MailboxPlan } from "./types";

/** SSM parameter of one mailbox's hash: `<prefix>/<domain>/<local part>` (SSM names allow no `@`). */
export function passwordParameterName(prefix: string, address: string): string {
  const at = address.lastIndexOf("@");
  return `${prefix}/${address.slice(at + 1)}/${address.slice(0, at)}`;
}

/** The accounts of a validated model. */
export function accountsPlan(spec: PlatformSpec): AccountsPlan {
  const book = addressBook(spec);
  const prefix = passwordParameterPrefix(spec);
  const mailboxes: MailboxPlan[] = [...book.mailboxes].map(([address, { group, mailbox }]) => {
    const quotaMb = mailbox.quotaMb ?? spec.mailbox.defaultQuotaMb;
    return {
      address,
      group,
      ...(mailbox.displayName === undefined ? {} : { displayName: mailbox.displayName }),
      ...(quotaMb === undefined ? {} : { quotaMb }),
      passwordParameter: passwordParameterName(prefix, address),
    };
  });
  const aliases: AliasEntry[] = [...book.aliases].map(([address, alias]) => ({ address, targets: alias.targets, origin: alias.origin, group: alias.group }));
  // A catch-all (`@domain`) would also catch the domain's real mailboxes unless each maps to
  // itself first: Postfix looks up the full address before `@domain`.
  for (const [domain, target] of book.catchAlls) {
    for (const mailbox of mailboxes) {
      if (domainOf(mailbox.address) === domain && !book.aliases.has(mailbox.address)) {
        aliases.push({ address: mailbox.address, targets: [mailbox.address], origin: "catch-all", group: mailbox.group });
      }
    }
    aliases.push({ address: `@${domain}`, targets: [target], origin: "catch-all", group: book.domains.get(domain)! });
  }
  // Who may use an address as sender on submission: a mailbox itself, and the mailboxes an alias
  // (or role address) delivers to. A catch-all gives no sender rights.
  const senderLogins = new Map<string, readonly string[]>();
  for (const mailbox of mailboxes) senderLogins.set(mailbox.address, [mailbox.address]);
  for (const [address, alias] of book.aliases) {
    if (alias.origin === "forward") continue;
    const logins = mailboxesReached(book, address);
    if (logins.length > 0) senderLogins.set(address, logins);
  }
  return { passwordParameterPrefix: prefix, mailboxes, aliases, senderLogins, enforcesQuota: mailboxes.some((m) => m.quotaMb !== undefined) };
}
