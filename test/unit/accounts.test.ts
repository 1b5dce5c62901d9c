/**
 * Mailboxes, aliases and users as data: every relation the validation judges (with path, value
 * and what is allowed, all problems at once) and the facts plan.accounts derives from a valid
 * model (alias table with catch-all guards, sender logins, role addresses, SSM parameter names).
 */
import type { PlatformIssue } from "../../lib/model/issues";
import type { PlatformInput } from "../../lib/model/schema";
import { plan } from "../../lib/plan/plan";
import { parsePlatform, validatePlatform } from "../../lib/validation/validate";

type Group = PlatformInput["groups"][number];

/** GIVEN two groups: one with two domains, two mailboxes and an alias; one with one domain and one mailbox. */
function base(): PlatformInput {
  const group = (name: string, index: number, domains: string[], extra: Partial<Group>): Group => ({
    name,
    domains: domains.map((d) => ({ name: d })),
    addresses: [{ host: "mx1", privateIp: `10.0.0.${5 + index}`, hostName: `mx.${domains[0]}` }],
    ...extra,
  });
  return {
    name: "acct",
    hosts: [{ name: "mx1" }],
    groups: [
      group("one", 0, ["one.example", "uno.example"], {
        mailboxes: [{ address: "alice@one.example" }, { address: "bob@one.example" }],
        aliases: [{ address: "team@one.example", to: ["alice@one.example", "bob@one.example"] }],
      }),
      group("two", 1, ["two.example"], { mailboxes: [{ address: "carol@two.example" }] }),
    ],
    accounts: { roleMailbox: "alice@one.example" },
  };
}

function with_(change: (input: PlatformInput) => void): PlatformInput {
  const input = base();
  change(input);
  return input;
}

function problems(input: PlatformInput): PlatformIssue[] {
  const result = validatePlatform(input);
  if (result.ok) throw new Error("expected the model to be invalid");
  return [...result.issues];
}

const g = (input: PlatformInput, i: number) => input.groups[i]!;

describe("accounts validation", () => {
  test("the base model is valid", () => {
    expect(validatePlatform(base()).ok).toBe(true);
  });

  test("fails on a mailbox and an alias outside the group's domains, naming the domains allowed", () => {
    const found = problems(
      with_((i) => {
        g(i, 0).mailboxes!.push({ address: "dave@two.example" });
        g(i, 1).aliases = [{ address: "help@one.example", to: ["carol@two.example"] }];
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        {
          path: "groups[0].mailboxes[2].address",
          received: '"dave@two.example"',
          message: 'a mailbox of group "one" must be in one of its domains: one.example, uno.example',
        },
        { path: "groups[1].aliases[0].address", received: '"help@one.example"', message: 'an alias of group "two" must be in one of its domains: two.example' },
      ]),
    );
  });

  test("fails on an address declared twice, as mailbox or alias, pointing to the first", () => {
    const found = problems(
      with_((i) => {
        g(i, 0).mailboxes!.push({ address: "alice@one.example" });
        g(i, 0).aliases!.push({ address: "bob@one.example", to: ["alice@one.example"] });
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        {
          path: "groups[0].mailboxes[2].address",
          received: '"alice@one.example"',
          message: "each address is declared once, as mailbox or alias; already declared at groups[0].mailboxes[0].address",
        },
        {
          path: "groups[0].aliases[1].address",
          received: '"bob@one.example"',
          message: "each address is declared once, as mailbox or alias; already declared at groups[0].mailboxes[1].address",
        },
      ]),
    );
  });

  test("fails on local targets that deliver nowhere, accepts foreign ones and sub-addresses of mailboxes", () => {
    const found = problems(
      with_((i) => {
        g(i, 0).aliases!.push({ address: "ops@one.example", to: ["nobody@one.example", "friend@elsewhere.example", "alice+ops@one.example"] });
        g(i, 1).mailboxes![0]!.forwardTo = ["ghost@uno.example"];
      }),
    );
    expect(found).toEqual([
      {
        path: "groups[0].aliases[1].to[0]",
        received: '"nobody@one.example"',
        message:
          "expected a deliverable address: nobody@one.example is in one of the platform's domains but is no mailbox or alias there (and the domain has no catch-all)",
      },
      {
        path: "groups[1].mailboxes[0].forwardTo[0]",
        received: '"ghost@uno.example"',
        message:
          "expected a deliverable address: ghost@uno.example is in one of the platform's domains but is no mailbox or alias there (and the domain has no catch-all)",
      },
    ]);
  });

  test("fails on an alias to itself and a mailbox forwarding to itself", () => {
    const found = problems(
      with_((i) => {
        g(i, 0).aliases![0]!.to.push("team@one.example");
        g(i, 0).mailboxes![0]!.forwardTo = ["alice@one.example"];
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        { path: "groups[0].aliases[0].to[2]", received: '"team@one.example"', message: "an alias cannot deliver to itself; declare a mailbox instead" },
        {
          path: "groups[0].mailboxes[0].forwardTo[0]",
          received: '"alice@one.example"',
          message: "a mailbox forwards to other addresses; keepCopy keeps mail in the mailbox itself",
        },
      ]),
    );
  });

  test("fails on an alias loop once, at the first declared address of the loop", () => {
    const found = problems(
      with_((i) => {
        g(i, 0).aliases!.push({ address: "a@one.example", to: ["b@one.example"] }, { address: "b@one.example", to: ["c@uno.example"] });
        g(i, 0).aliases!.push({ address: "c@uno.example", to: ["a@one.example"] });
      }),
    );
    expect(found).toEqual([
      {
        path: "groups[0].aliases[1].address",
        received: '"a@one.example"',
        message: "mail goes round in a loop: a@one.example → b@one.example → c@uno.example → a@one.example; break the chain",
      },
    ]);
  });

  test("fails on a catch-all that is not one of the group's own mailboxes or aliases", () => {
    const found = problems(
      with_((i) => {
        g(i, 0).domains[1]!.catchAll = "carol@two.example";
        g(i, 1).domains[0]!.catchAll = "postmaster@two.example";
      }),
    );
    expect(found).toEqual([
      { path: "groups[0].domains[1].catchAll", received: '"carol@two.example"', message: 'expected one of group "one"\'s own mailboxes or aliases' },
      { path: "groups[1].domains[0].catchAll", received: '"postmaster@two.example"', message: 'expected one of group "two"\'s own mailboxes or aliases' },
    ]);
  });

  test("fails when mailboxes exist and a domain's postmaster@ and abuse@ reach no one", () => {
    const found = problems(
      with_((i) => {
        delete i.accounts;
        g(i, 1).aliases = [{ address: "postmaster@two.example", to: ["carol@two.example"] }];
      }),
    );
    expect(found).toEqual([
      {
        path: "groups[0].domains[0].name",
        received: '"one.example"',
        message:
          "postmaster@one.example and abuse@one.example must reach someone (RFC 5321 §4.5.1, RFC 2142): set accounts.roleMailbox, groups[0].roleMailbox, or declare them as mailbox or alias",
      },
      {
        path: "groups[0].domains[1].name",
        received: '"uno.example"',
        message:
          "postmaster@uno.example and abuse@uno.example must reach someone (RFC 5321 §4.5.1, RFC 2142): set accounts.roleMailbox, groups[0].roleMailbox, or declare them as mailbox or alias",
      },
      {
        path: "groups[1].domains[0].name",
        received: '"two.example"',
        message:
          "abuse@two.example must reach someone (RFC 5321 §4.5.1, RFC 2142): set accounts.roleMailbox, groups[1].roleMailbox, or declare them as mailbox or alias",
      },
    ]);
  });

  test("a model without mailboxes needs no role target", () => {
    const input = with_((i) => {
      delete i.accounts;
      for (const group of i.groups) {
        delete group.mailboxes;
        delete group.aliases;
      }
    });
    expect(validatePlatform(input).ok).toBe(true);
  });

  test("fails on a role target that is no mailbox or alias of the platform", () => {
    const found = problems(
      with_((i) => {
        i.accounts = { roleMailbox: "boss@one.example" };
        g(i, 1).roleMailbox = "postmaster@one.example";
      }),
    );
    expect(found).toEqual([
      { path: "accounts.roleMailbox", received: '"boss@one.example"', message: "expected one of the platform's mailboxes or aliases" },
      { path: "groups[1].roleMailbox", received: '"postmaster@one.example"', message: "expected one of the platform's mailboxes or aliases" },
    ]);
  });

  test("fails on DMARC and TLS-RPT report addresses in the platform's domains that are no mailbox or alias", () => {
    const found = problems(
      with_((i) => {
        i.dns = {
          zones: [{ name: "one.example" }, { name: "uno.example" }, { name: "two.example" }],
          dmarc: { aggregateReports: ["dmarc@one.example", "rua@reports.example", "team@one.example"] },
          tlsReports: ["tls@two.example"],
        };
      }),
    );
    expect(found).toEqual([
      {
        path: "dns.dmarc.aggregateReports[0]",
        received: '"dmarc@one.example"',
        message: "DMARC aggregate reports to dmarc@one.example would be refused: it is in one of the platform's domains but no mailbox or alias; declare it",
      },
      {
        path: "dns.tlsReports[0]",
        received: '"tls@two.example"',
        message: "TLS reports to tls@two.example would be refused: it is in one of the platform's domains but no mailbox or alias; declare it",
      },
    ]);
  });

  test("reports every problem of accounts at once", () => {
    const found = problems(
      with_((i) => {
        g(i, 0).mailboxes!.push({ address: "alice@one.example" }, { address: "eve@two.example" });
        g(i, 0).aliases!.push({ address: "x@one.example", to: ["y@one.example"] }, { address: "y@one.example", to: ["x@one.example"] });
        g(i, 0).aliases!.push({ address: "z@one.example", to: ["missing@uno.example"] });
        g(i, 0).domains[0]!.catchAll = "carol@two.example";
        i.accounts = { roleMailbox: "boss@one.example" };
        i.dns = { zones: [{ name: "one.example" }, { name: "uno.example" }, { name: "two.example" }], tlsReports: ["tls@uno.example"] };
      }),
    );
    expect(found.map((p) => p.path).sort()).toEqual(
      [
        "accounts.roleMailbox",
        "dns.tlsReports[0]",
        "groups[0].aliases[1].address",
        "groups[0].aliases[3].to[0]",
        "groups[0].domains[0].catchAll",
        "groups[0].mailboxes[2].address",
        "groups[0].mailboxes[3].address",
      ].sort(),
    );
  });
});

describe("plan.accounts", () => {
  const accounts = (change?: (input: PlatformInput) => void) => plan(parsePlatform(with_(change ?? (() => undefined)))).accounts;

  test("names one SSM SecureString parameter per mailbox below the platform prefix (or the one configured)", () => {
    expect(accounts().mailboxes.map((m) => [m.address, m.group, m.passwordParameter])).toEqual([
      ["alice@one.example", "one", "/acct/mail-users/one.example/alice"],
      ["bob@one.example", "one", "/acct/mail-users/one.example/bob"],
      ["carol@two.example", "two", "/acct/mail-users/two.example/carol"],
    ]);
    const custom = accounts((i) => (i.accounts!.passwordParameterPrefix = "/ops/mail/hashes"));
    expect(custom.passwordParameterPrefix).toBe("/ops/mail/hashes");
    expect(custom.mailboxes[2]!.passwordParameter).toBe("/ops/mail/hashes/two.example/carol");
  });

  test("routes postmaster@ and abuse@ of every domain to the role mailbox, a group's own one first, declared ones untouched", () => {
    const { aliases } = accounts((i) => {
      g(i, 1).roleMailbox = "carol@two.example";
      g(i, 0).aliases!.push({ address: "abuse@uno.example", to: ["bob@one.example"] });
    });
    expect(aliases.filter((a) => a.origin === "role").map((a) => [a.address, a.targets])).toEqual([
      ["postmaster@one.example", ["alice@one.example"]],
      ["abuse@one.example", ["alice@one.example"]],
      ["postmaster@uno.example", ["alice@one.example"]],
      ["postmaster@two.example", ["carol@two.example"]],
      ["abuse@two.example", ["carol@two.example"]],
    ]);
    expect(aliases.find((a) => a.address === "abuse@uno.example")).toEqual({
      address: "abuse@uno.example",
      targets: ["bob@one.example"],
      origin: "alias",
      group: "one",
    });
  });

  test("a catch-all comes last, after one identity line per mailbox of its domain that is no alias", () => {
    const { aliases } = accounts((i) => {
      g(i, 0).domains[0]!.catchAll = "team@one.example";
      g(i, 0).mailboxes![1]!.forwardTo = ["bob@elsewhere.example"];
    });
    expect(aliases.filter((a) => a.origin === "catch-all" || a.origin === "forward")).toEqual([
      { address: "bob@one.example", targets: ["bob@one.example", "bob@elsewhere.example"], origin: "forward", group: "one" },
      { address: "alice@one.example", targets: ["alice@one.example"], origin: "catch-all", group: "one" },
      { address: "@one.example", targets: ["team@one.example"], origin: "catch-all", group: "one" },
    ]);
  });

  test("a mailbox may send as itself and as every alias that reaches it, through chains; a catch-all and a forward give no sender right", () => {
    const { senderLogins } = accounts((i) => {
      g(i, 0).aliases!.push({ address: "all@uno.example", to: ["team@one.example", "carol@two.example", "out@elsewhere.example"] });
      g(i, 0).aliases!.push({ address: "ext@one.example", to: ["out@elsewhere.example"] });
      g(i, 1).aliases = [{ address: "news@two.example", to: ["carol+news@two.example"] }];
      g(i, 0).domains[1]!.catchAll = "bob@one.example";
      g(i, 1).mailboxes![0]!.forwardTo = ["alice@one.example"];
      g(i, 1).mailboxes![0]!.keepCopy = false;
    });
    expect(Object.fromEntries(senderLogins)).toEqual({
      "alice@one.example": ["alice@one.example"],
      "bob@one.example": ["bob@one.example"],
      "carol@two.example": ["carol@two.example"],
      "team@one.example": ["alice@one.example", "bob@one.example"],
      "all@uno.example": ["alice@one.example", "bob@one.example"],
      // carol+news@ reaches carol@, who forwards everything to alice without keeping a copy.
      "news@two.example": ["alice@one.example"],
      "postmaster@one.example": ["alice@one.example"],
      "abuse@one.example": ["alice@one.example"],
      "postmaster@uno.example": ["alice@one.example"],
      "abuse@uno.example": ["alice@one.example"],
      "postmaster@two.example": ["alice@one.example"],
      "abuse@two.example": ["alice@one.example"],
    });
    expect(senderLogins.has("@uno.example")).toBe(false);
    expect(senderLogins.has("ext@one.example")).toBe(false);
  });
});
