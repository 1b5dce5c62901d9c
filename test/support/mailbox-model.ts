/**
 * Mailboxes for the example model, for tests of features that need them (quotas): a role
 * mailbox, the report aliases the example's DNS names, and the given mailboxes, all in the
 * first domain of the first group.
 */
import type { PlatformInput } from "../../lib/model/schema";

/** A mailbox as the model takes it. */
export interface TestMailbox {
  readonly local: string;
  readonly quotaMb?: number;
}

/** The example's first domain. */
export function firstDomain(input: PlatformInput): string {
  return input.groups[0]!.domains[0]!.name;
}

/**
 * Add mailboxes to the first group; the first one is the role mailbox and receives the DMARC and
 * TLS reports (the model requires those addresses to exist once the platform has mailboxes).
 */
export function withMailboxes(input: PlatformInput, mailboxes: readonly TestMailbox[], defaultQuotaMb?: number): void {
  const domain = firstDomain(input);
  const address = (local: string) => `${local}@${domain}`;
  const role = address(mailboxes[0]!.local);
  clearAccounts(input);
  const group = input.groups[0]!;
  group.mailboxes = mailboxes.map((m) => ({ address: address(m.local), ...(m.quotaMb === undefined ? {} : { quotaMb: m.quotaMb }) }));
  group.aliases = [
    { address: address("dmarc-reports"), to: [role] },
    { address: address("tls-reports"), to: [role] },
  ];
  input.accounts = { roleMailbox: role };
  if (defaultQuotaMb !== undefined) input.mailbox = { ...input.mailbox, defaultQuotaMb };
}

/**
 * Remove every mailbox, alias, catch-all and role target the example declares, and the DMARC and
 * TLS-RPT report addresses that would then reach no one (in place).
 */
export function withoutAccounts(input: PlatformInput): void {
  clearAccounts(input);
  if (input.dns) {
    input.dns = { ...input.dns, dmarc: { ...input.dns.dmarc, aggregateReports: [] }, tlsReports: [] };
  }
}

function clearAccounts(input: PlatformInput): void {
  for (const group of input.groups) {
    group.mailboxes = [];
    group.aliases = [];
    delete group.roleMailbox;
    for (const domain of group.domains) delete domain.catchAll;
  }
  delete input.accounts;
}
