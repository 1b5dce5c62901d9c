/**
 * The platform's addresses as one book: every mailbox, every alias (declared, forwarding, role),
 * every catch-all, and who owns what. The validation (accounts-checks.ts) judges the model by it
 * and the plan derives Postfix's recipient, alias and sender-login tables from it, so both read
 * the same answer to "where does mail to this address go".
 */
import type { MailboxAccountSpec } from "./accounts-schema";
import type { PlatformSpec } from "./schema";

/** The role addresses every domain has: RFC 5321 §4.5.1 and RFC 2142. */
export const ROLE_LOCAL_PARTS = ["postmaster", "abuse"] as const;

/** A mailbox with its group. */
export interface BookMailbox {
  readonly group: string;
  readonly mailbox: MailboxAccountSpec;
}

/** Why an alias exists. */
export type AliasOrigin = "alias" | "forward" | "role";

/** One address that delivers to others. */
export interface BookAlias {
  readonly group: string;
  readonly targets: readonly string[];
  readonly origin: AliasOrigin;
}

/** Every address of the platform. */
export interface AddressBook {
  /** Declared mailboxes by address, in model order. */
  readonly mailboxes: ReadonlyMap<string, BookMailbox>;
  /**
   * Addresses that deliver elsewhere, in model order: declared aliases, mailboxes that forward
   * (with themselves first when they keep a copy), and the role addresses of every domain that does
   * not declare them and has a role target.
   */
  readonly aliases: ReadonlyMap<string, BookAlias>;
  /** Catch-all target by domain. */
  readonly catchAlls: ReadonlyMap<string, string>;
  /** Every domain of the platform, with its group. */
  readonly domains: ReadonlyMap<string, string>;
}

/** The domain part of an address. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1);
}

/** The book of a model (whose own fields are valid; relations may not be). First declaration wins. */
export function addressBook(spec: Pick<PlatformSpec, "groups" | "accounts">): AddressBook {
  const domains = new Map<string, string>();
  const mailboxes = new Map<string, BookMailbox>();
  const aliases = new Map<string, BookAlias>();
  const catchAlls = new Map<string, string>();
  for (const group of spec.groups) {
    for (const domain of group.domains) {
      if (!domains.has(domain.name)) domains.set(domain.name, group.name);
      if (domain.catchAll !== undefined && !catchAlls.has(domain.name)) catchAlls.set(domain.name, domain.catchAll);
    }
    for (const mailbox of group.mailboxes) if (!mailboxes.has(mailbox.address)) mailboxes.set(mailbox.address, { group: group.name, mailbox });
  }
  for (const group of spec.groups) {
    for (const alias of group.aliases) {
      if (!mailboxes.has(alias.address) && !aliases.has(alias.address)) aliases.set(alias.address, { group: group.name, targets: alias.to, origin: "alias" });
    }
  }
  for (const [address, { group, mailbox }] of mailboxes) {
    if (mailbox.forwardTo.length === 0 || aliases.has(address)) continue;
    const targets = [...(mailbox.keepCopy ? [address] : []), ...mailbox.forwardTo.filter((t) => t !== address)];
    aliases.set(address, { group, targets, origin: "forward" });
  }
  for (const group of spec.groups) {
    const target = group.roleMailbox ?? spec.accounts.roleMailbox;
    if (target === undefined) continue;
    for (const domain of group.domains) {
      for (const local of ROLE_LOCAL_PARTS) {
        const address = `${local}@${domain.name}`;
        if (!mailboxes.has(address) && !aliases.has(address)) aliases.set(address, { group: group.name, targets: [target], origin: "role" });
      }
    }
  }
  return { mailboxes, aliases, catchAlls, domains };
}

/** The sub-address delimiter of Postfix and Dovecot (`recipient_delimiter`): alice+news@ reaches alice@. */
export const RECIPIENT_DELIMITER = "+";

/** An address without its sub-address extension (`alice+news@d` → `alice@d`). */
export function withoutExtension(address: string): string {
  const at = address.lastIndexOf("@");
  const plus = address.slice(0, at).indexOf(RECIPIENT_DELIMITER);
  return plus < 0 ? address : `${address.slice(0, plus)}${address.slice(at)}`;
}

/**
 * Whether mail to a local address is delivered somewhere: a mailbox, an alias, or its domain's
 * catch-all, looked up as Postfix does (the address, then without its `+extension`).
 */
export function isDeliverable(book: AddressBook, address: string): boolean {
  const known = (a: string) => book.mailboxes.has(a) || book.aliases.has(a);
  return known(address) || known(withoutExtension(address)) || book.catchAlls.has(domainOf(address));
}

/** Whether an address is in one of the platform's domains. */
export function isLocal(book: AddressBook, address: string): boolean {
  return book.domains.has(domainOf(address).toLowerCase());
}

/**
 * The mailboxes mail to `address` ends in, following aliases (local targets only, a
 * `+extension` reaching its base address), in order of first reach. Foreign targets are left out; cycles end where they close.
 */
export function mailboxesReached(book: AddressBook, address: string): string[] {
  const reached: string[] = [];
  const seen = new Set<string>();
  const visit = (current: string) => {
    if (seen.has(current)) return;
    seen.add(current);
    const alias = book.aliases.get(current);
    if (alias) {
      for (const target of alias.targets) {
        if (target === current) {
          if (book.mailboxes.has(current) && !reached.includes(current)) reached.push(current);
        } else visit(target);
      }
    } else if (book.mailboxes.has(current)) {
      if (!reached.includes(current)) reached.push(current);
    } else if (withoutExtension(current) !== current) visit(withoutExtension(current));
  };
  visit(address);
  return reached;
}
