/**
 * Relations between the platform's addresses: each address in its group's domains and declared
 * once, every local target deliverable, no alias loop, a catch-all inside its group, a target for
 * the role addresses of every domain, and report addresses (DMARC, TLS-RPT) that reach a mailbox.
 */
import { addressBook, domainOf, isDeliverable, isLocal, ROLE_LOCAL_PARTS, type AddressBook } from "./address-book";
import { issue, type PathSegment, type PlatformIssue } from "./issues";
import { check, type SemanticCheck } from "./semantic-checks";
import type { PlatformSpec } from "./schema";

type Spec = Pick<PlatformSpec, "groups" | "accounts">;

/** Every address declared in the model with its path, in model order. */
function declarations(spec: Spec): Array<{ address: string; group: number; path: PathSegment[]; kind: "mailbox" | "alias" }> {
  return spec.groups.flatMap((group, g) => [
    ...group.mailboxes.map((m, i) => ({ address: m.address, group: g, path: ["groups", g, "mailboxes", i, "address"], kind: "mailbox" as const })),
    ...group.aliases.map((a, i) => ({ address: a.address, group: g, path: ["groups", g, "aliases", i, "address"], kind: "alias" as const })),
  ]);
}

function pathText(path: PathSegment[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/** Mailboxes and aliases: in the group's domains, and each address once in the platform. */
function ownership(spec: Spec): PlatformIssue[] {
  const found: PlatformIssue[] = [];
  const first = new Map<string, PathSegment[]>();
  for (const { address, group, path, kind } of declarations(spec)) {
    const domains = spec.groups[group]!.domains.map((d) => d.name);
    if (!domains.includes(domainOf(address))) {
      found.push(
        issue(
          path,
          address,
          `${kind === "alias" ? "an" : "a"} ${kind} of group "${spec.groups[group]!.name}" must be in one of its domains: ${domains.join(", ")}`,
        ),
      );
    }
    const seen = first.get(address);
    if (seen) found.push(issue(path, address, `each address is declared once, as mailbox or alias; already declared at ${pathText(seen)}`));
    else first.set(address, path);
  }
  return found;
}

/** A local target must be deliverable; a foreign one is the operator's business. */
function targetProblem(book: AddressBook, target: string): string | undefined {
  if (!isLocal(book, target)) return undefined;
  if (target !== target.toLowerCase()) return `${target} is in one of the platform's domains: write it in lowercase`;
  return isDeliverable(book, target)
    ? undefined
    : `${target} is in one of the platform's domains but is no mailbox or alias there (and the domain has no catch-all)`;
}

function targets(spec: Spec, book: AddressBook): PlatformIssue[] {
  const found: PlatformIssue[] = [];
  // Where an alias or a forward sends mail: never back to itself, and deliverable when local.
  const judge = (path: PathSegment[], target: string, self: string, selfMessage: string) => {
    const undeliverable = target === self ? undefined : targetProblem(book, target);
    if (target === self) found.push(issue(path, target, selfMessage));
    else if (undeliverable) found.push(issue(path, target, `expected a deliverable address: ${undeliverable}`));
  };
  spec.groups.forEach((group, g) => {
    group.aliases.forEach((alias, a) =>
      alias.to.forEach((target, t) =>
        judge(["groups", g, "aliases", a, "to", t], target, alias.address, "an alias cannot deliver to itself; declare a mailbox instead"),
      ),
    );
    group.mailboxes.forEach((mailbox, m) =>
      mailbox.forwardTo.forEach((target, t) =>
        judge(
          ["groups", g, "mailboxes", m, "forwardTo", t],
          target,
          mailbox.address,
          "a mailbox forwards to other addresses; keepCopy keeps mail in the mailbox itself",
        ),
      ),
    );
    group.domains.forEach((domain, d) => {
      if (domain.catchAll === undefined) return;
      const path = ["groups", g, "domains", d, "catchAll"];
      const owner = book.mailboxes.get(domain.catchAll)?.group ?? book.aliases.get(domain.catchAll)?.group;
      if (owner !== group.name || book.aliases.get(domain.catchAll)?.origin === "role") {
        found.push(issue(path, domain.catchAll, `expected one of group "${group.name}"'s own mailboxes or aliases`));
      }
    });
  });
  return found;
}

/** Alias chains that come back to where they started (Postfix would expand them until its limit). */
function loops(spec: Spec, book: AddressBook): PlatformIssue[] {
  const found: PlatformIssue[] = [];
  const reported = new Set<string>();
  const pathOf = new Map<string, PathSegment[]>(declarations(spec).map((d) => [d.address, d.path]));
  for (const start of book.aliases.keys()) {
    const stack: string[] = [];
    const onStack = new Set<string>();
    const done = new Set<string>();
    const visit = (address: string): string[] | undefined => {
      if (onStack.has(address)) return stack.slice(stack.indexOf(address));
      if (done.has(address)) return undefined;
      const alias = book.aliases.get(address);
      if (!alias) return undefined;
      stack.push(address);
      onStack.add(address);
      for (const target of alias.targets) {
        if (target === address) continue; // a forwarding mailbox keeping its copy
        const cycle = visit(target);
        if (cycle) return cycle;
      }
      stack.pop();
      onStack.delete(address);
      done.add(address);
      return undefined;
    };
    const cycle = visit(start);
    if (!cycle) continue;
    const key = [...cycle].sort().join(" ");
    if (reported.has(key)) continue;
    reported.add(key);
    const at = cycle.find((a) => pathOf.has(a)) ?? cycle[0]!;
    found.push(issue(pathOf.get(at) ?? ["accounts", "roleMailbox"], at, `mail goes round in a loop: ${[...cycle, cycle[0]].join(" → ")}; break the chain`));
  }
  return found;
}

/** postmaster@ and abuse@ of every domain need somewhere to go once the platform has mailboxes. */
function roleAddresses(spec: Spec, book: AddressBook): PlatformIssue[] {
  const found: PlatformIssue[] = [];
  const roleTarget = (target: string | undefined, path: PathSegment[]) => {
    if (target === undefined) return;
    if (!book.mailboxes.has(target) && !(book.aliases.has(target) && book.aliases.get(target)!.origin !== "role")) {
      found.push(issue(path, target, "expected one of the platform's mailboxes or aliases"));
    }
  };
  roleTarget(spec.accounts.roleMailbox, ["accounts", "roleMailbox"]);
  spec.groups.forEach((group, g) => roleTarget(group.roleMailbox, ["groups", g, "roleMailbox"]));
  if (book.mailboxes.size === 0) return found;
  spec.groups.forEach((group, g) =>
    group.domains.forEach((domain, d) => {
      const missing = ROLE_LOCAL_PARTS.map((local) => `${local}@${domain.name}`).filter(
        (address) => !book.mailboxes.has(address) && !book.aliases.has(address),
      );
      if (missing.length > 0) {
        found.push(
          issue(
            ["groups", g, "domains", d, "name"],
            domain.name,
            `${missing.join(" and ")} must reach someone (RFC 5321 §4.5.1, RFC 2142): set accounts.roleMailbox, groups[${g}].roleMailbox, or declare them as mailbox or alias`,
          ),
        );
      }
    }),
  );
  return found;
}

/** Report addresses the platform publishes must reach a mailbox when they are its own. */
function reportAddresses(spec: Pick<PlatformSpec, "groups" | "accounts" | "dns">, book: AddressBook): PlatformIssue[] {
  if (spec.dns === undefined) return [];
  const lists: Array<[readonly string[], PathSegment[], string]> = [
    [spec.dns.dmarc.aggregateReports, ["dns", "dmarc", "aggregateReports"], "DMARC aggregate reports"],
    [spec.dns.tlsReports, ["dns", "tlsReports"], "TLS reports"],
  ];
  return lists.flatMap(([addresses, path, what]) =>
    addresses.flatMap((address, i) =>
      isLocal(book, address) && !isDeliverable(book, address.toLowerCase())
        ? [issue([...path, i], address, `${what} to ${address} would be refused: it is in one of the platform's domains but no mailbox or alias; declare it`)]
        : [],
    ),
  );
}

/** The checks of accounts, run by cross-checks.ts when the sections they read are valid. */
export const ACCOUNTS_CHECKS: readonly SemanticCheck[] = [
  check(["groups", "accounts"], (spec) => {
    const book = addressBook(spec);
    return [...ownership(spec), ...targets(spec, book), ...loops(spec, book), ...roleAddresses(spec, book)];
  }),
  check(["groups", "accounts", "dns"], (spec) => reportAddresses(spec, addressBook(spec))),
];
