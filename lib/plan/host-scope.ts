/**
 * What one host serves of the platform's users and domains: the mailboxes, aliases, sender
 * rights and domains of the groups whose home it is, and the recipients it accepts as a backup
 * MX. Mailboxes live on their group's home only; a backup knows their addresses, never more.
 */
import type { AliasEntry, AddressPlan, DomainPlan, ForwardPlan, GroupSendingLimitsPlan, HostPlan, MailboxPlan, Plan } from "./types";

/** The host's addresses of the groups whose home it is. */
export function homeAddresses(host: HostPlan): AddressPlan[] {
  return host.addresses.filter((a) => a.role === "home");
}

/**
 * The addresses Dovecot listens on: the home addresses; loopback on a host that is home to no
 * group (a backup MX only, whose Dovecot serves nobody; Dovecot 2.3 refuses an empty list).
 */
export function dovecotListenAddresses(host: HostPlan): string[] {
  const home = homeAddresses(host).map((a) => a.privateIp);
  return home.length > 0 ? home : ["127.0.0.1"];
}

/** The domains of the groups whose home the host is, in plan order. */
export function homeDomains(plan: Plan, host: HostPlan): DomainPlan[] {
  const home = new Set(host.homeGroups);
  return plan.domains.filter((d) => home.has(d.group));
}

/** The mailboxes of the groups whose home the host is, in plan order. */
export function homeMailboxes(plan: Plan, host: HostPlan): MailboxPlan[] {
  const home = new Set(host.homeGroups);
  return plan.accounts.mailboxes.filter((m) => home.has(m.group));
}

/** The alias lines of the groups whose home the host is, in plan order. */
export function homeAliases(plan: Plan, host: HostPlan): AliasEntry[] {
  const home = new Set(host.homeGroups);
  return plan.accounts.aliases.filter((a) => home.has(a.group));
}

/**
 * The sending limits a host enforces: those of the groups whose home it is, where their users
 * submit (a backup MX has no submission listener for a group, so its limits there would count nothing).
 */
export function homeSendingLimits(host: HostPlan, limits: readonly GroupSendingLimitsPlan[]): GroupSendingLimitsPlan[] {
  const home = new Set(host.homeGroups);
  return limits.filter((l) => home.has(l.group));
}

/**
 * The sender rights of the host's mailboxes: each address with the logins homed here that may
 * send as it (an address whose logins all live elsewhere is left out).
 */
export function homeSenderLogins(plan: Plan, host: HostPlan): Array<readonly [string, readonly string[]]> {
  const logins = new Set(homeMailboxes(plan, host).map((m) => m.address));
  const rows: Array<readonly [string, readonly string[]]> = [];
  for (const [address, allowed] of plan.accounts.senderLogins) {
    const here = allowed.filter((login) => logins.has(login));
    if (here.length > 0) rows.push([address, here]);
  }
  return rows;
}

/**
 * The recipients a backup MX accepts for one group: its mailboxes, its alias addresses (role
 * addresses and forwards included) and `@domain` for a catch-all, in plan order, each once.
 */
export function backupRecipients(plan: Plan, forward: ForwardPlan): string[] {
  const recipients = new Set<string>();
  for (const mailbox of plan.accounts.mailboxes) if (mailbox.group === forward.group) recipients.add(mailbox.address);
  for (const alias of plan.accounts.aliases) if (alias.group === forward.group) recipients.add(alias.address);
  return [...recipients];
}
