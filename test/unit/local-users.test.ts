/**
 * The local runner's users: the test overlay adds the test mailbox to the test spec only (never
 * to production rendering), and the `--users` file gives the model's mailboxes passwords, with
 * every bad line reported at once.
 */
import { parseUsersFile } from "../../lib/local/users-file";
import { testMailboxAddress, withTestMailbox } from "../../lib/local/test-spec";
import { plan } from "../../lib/plan/plan";
import { renderPlatform } from "../../lib/render/host-files";
import { UserError } from "../../lib/errors";
import { exampleSpec } from "../support/example";
import { withoutAccounts } from "../support/mailbox-model";

const MAILBOXES = new Set(["alice@acme-corp.example", "bob@acme-corp.example", "tester@acme-corp.example"]);
const RESERVED = new Set(["tester@acme-corp.example"]);

describe("the test mailbox", () => {
  test("is added to the test spec's first group, with the role addresses routed to it when the model has no mailboxes", () => {
    const spec = exampleSpec(withoutAccounts);
    const test = withTestMailbox(spec);
    expect(testMailboxAddress(spec)).toBe("tester@acme-corp.example");
    expect(test.groups[0]!.mailboxes.map((m) => m.address)).toEqual(["tester@acme-corp.example"]);
    expect(test.accounts.roleMailbox).toBe("tester@acme-corp.example");
    const roles = plan(test).accounts.aliases.filter((a) => a.origin === "role");
    expect(roles).toHaveLength(8);
    expect(new Set(roles.flatMap((a) => a.targets))).toEqual(new Set(["tester@acme-corp.example"]));
  });

  test("keeps the model's own role mailbox, and is never part of production rendering", () => {
    const spec = exampleSpec();
    expect(withTestMailbox(spec).accounts.roleMailbox).toBe("hostmaster@acme-corp.example");
    const production = renderPlatform(plan(spec))
      .flatMap((h) => h.files)
      .filter((f) => f.content.includes("tester@"));
    expect(production).toEqual([]);
  });

  test("fails when the model declares the test address as an alias", () => {
    const spec = exampleSpec((i) => i.groups[0]!.aliases!.push({ address: "tester@acme-corp.example", to: ["alice@acme-corp.example"] }));
    expect(() => withTestMailbox(spec)).toThrow(/tester@acme-corp\.example is the local runner's test mailbox/);
  });
});

describe("the users file", () => {
  test("reads passwords and ready hashes, skipping comments and blank lines", () => {
    const entries = parseUsersFile(
      "# ours\n\nAlice@acme-corp.example:pa:ss word\nbob@acme-corp.example:{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA\n",
      "u",
      MAILBOXES,
      RESERVED,
    );
    expect(entries).toEqual([
      { address: "alice@acme-corp.example", line: 3, password: "pa:ss word" },
      { address: "bob@acme-corp.example", line: 4, hash: "{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA" },
    ]);
  });

  test("fails with every bad line at once: unknown address, reserved address, bad hash, empty password, repeat, no colon", () => {
    const text = [
      "carol@acme-corp.example:secret",
      "tester@acme-corp.example:secret",
      "alice@acme-corp.example:{SHA512-CRYPT}has blank",
      "bob@acme-corp.example:",
      "bob@acme-corp.example:again",
      "just-a-line",
    ].join("\n");
    let error: unknown;
    try {
      parseUsersFile(text, "users.txt", MAILBOXES, RESERVED);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message.split("\n")).toEqual([
      "the users file has 6 problems:",
      'users.txt:1: "carol@acme-corp.example" is no mailbox of the platform; mailboxes: alice@acme-corp.example, bob@acme-corp.example',
      "users.txt:2: tester@acme-corp.example is the local runner's test mailbox; its password is generated",
      "users.txt:3: expected {SCHEME}hash without blanks or colons after alice@acme-corp.example: (e.g. from doveadm pw -s ARGON2ID)",
      "users.txt:4: bob@acme-corp.example has an empty password",
      "users.txt:5: bob@acme-corp.example already has a password on line 4",
      "users.txt:6: expected address:password or address:{SCHEME}hash",
    ]);
  });
});
