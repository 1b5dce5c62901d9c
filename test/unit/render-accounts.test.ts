/**
 * Postfix and Dovecot rendered from plan.accounts: the recipient tables (mailboxes, aliases),
 * the sender-login table of submission, and Dovecot's userdb of every declared mailbox (2.3 and
 * 2.4). No secret appears in any of them.
 */
import { mailboxLine } from "../../lib/render/dovecot/mailboxes-file";
import { UnsafeValueError } from "../../lib/render/rendered-file";
import { fileText, mainCfSettings, masterCfEntries, renderExample } from "../support/example";

const rows = (text: string) =>
  text
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split(/ +/));

describe("Postfix recipients from the model", () => {
  test("main.cf refuses unknown recipients from the mailbox and alias tables, without probing Dovecot", () => {
    const settings = mainCfSettings(fileText(renderExample(), "etc/postfix/main.cf"));
    expect(settings.get("virtual_mailbox_maps")).toBe("texthash:$config_directory/virtual_mailboxes");
    expect(settings.get("virtual_alias_maps")).toBe("texthash:$config_directory/virtual_aliases");
    expect(settings.get("smtpd_reject_unlisted_recipient")).toBe("yes");
    expect(settings.get("smtpd_recipient_restrictions")).not.toContain("reject_unverified_recipient");
    expect(settings.has("unverified_recipient_reject_code")).toBe(false);
  });

  test("the mailbox table lists exactly the declared mailboxes", () => {
    expect(rows(fileText(renderExample(), "etc/postfix/virtual_mailboxes"))).toEqual([
      ["hostmaster@acme-corp.example", "OK"],
      ["alice@acme-corp.example", "OK"],
      ["bob@acme-corp.example", "OK"],
      ["family@acme-home.example", "OK"],
    ]);
  });

  test("the alias table holds aliases (comma-separated targets), role addresses of every domain and the catch-all last", () => {
    const table = rows(fileText(renderExample(), "etc/postfix/virtual_aliases"));
    expect(table).toContainEqual(["sales@acme-corp.example", "alice@acme-corp.example,bob@acme-corp.example"]);
    for (const domain of ["acme-corp.example", "acme-shop.example", "acme-home.example", "acme-family.example"]) {
      expect(table).toContainEqual([`postmaster@${domain}`, "hostmaster@acme-corp.example"]);
      expect(table).toContainEqual([`abuse@${domain}`, "hostmaster@acme-corp.example"]);
    }
    expect(table.at(-1)).toEqual(["@acme-family.example", "family@acme-home.example"]);
  });

  test("a catch-all on a domain with mailboxes keeps them: each maps to itself before @domain", () => {
    const table = rows(
      fileText(
        renderExample((i) => (i.groups[0]!.domains[0]!.catchAll = "sales@acme-corp.example")),
        "etc/postfix/virtual_aliases",
      ),
    );
    const catchAll = table.findIndex(([key]) => key === "@acme-corp.example");
    expect(table[catchAll]).toEqual(["@acme-corp.example", "sales@acme-corp.example"]);
    for (const mailbox of ["hostmaster", "alice", "bob"]) {
      expect(table).toContainEqual([`${mailbox}@acme-corp.example`, `${mailbox}@acme-corp.example`]);
    }
  });

  test("submission checks the envelope sender against an exact table of own addresses and aliases", () => {
    const hosts = renderExample();
    const submission = masterCfEntries(fileText(hosts, "etc/postfix/master.cf")).filter((e) => e.options.get("smtpd_sasl_auth_enable") === "yes");
    expect(submission.length).toBeGreaterThan(0);
    for (const entry of submission) {
      expect(entry.options.get("smtpd_sender_login_maps")).toBe("texthash:$config_directory/sender_logins");
      expect(entry.options.get("smtpd_sender_restrictions")).toContain("reject_authenticated_sender_login_mismatch");
    }
    const table = rows(fileText(hosts, "etc/postfix/sender_logins"));
    expect(table).toContainEqual(["alice@acme-corp.example", "alice@acme-corp.example"]);
    expect(table).toContainEqual(["sales@acme-corp.example", "alice@acme-corp.example,bob@acme-corp.example"]);
    expect(table).toContainEqual(["postmaster@acme-home.example", "hostmaster@acme-corp.example"]);
    // No pattern: an address nobody owns is no one's sender.
    expect(table.some(([key]) => key!.startsWith("/") || key!.startsWith("@"))).toBe(false);
    expect(hosts[0]!.files.some((f) => f.path.endsWith(".pcre") && f.path.includes("sender_login"))).toBe(false);
  });
});

describe("Dovecot's userdb: every declared mailbox, no secret", () => {
  test("the rendered mailbox list holds one passwd-file line per mailbox and no password", () => {
    const file = renderExample()[0]!.files.find((f) => f.path === "etc/dovecot/mailboxes")!;
    expect(file.mode).toBe("0644");
    expect(file.content.split("\n").filter((l) => l !== "" && !l.startsWith("#"))).toEqual([
      "hostmaster@acme-corp.example:::::::",
      "alice@acme-corp.example:::::::",
      "bob@acme-corp.example:::::::",
      "family@acme-home.example:::::::",
    ]);
  });

  test("Dovecot 2.3 reads it as userdb passwd-file with uid, gid and home as default fields", () => {
    const text = fileText(
      renderExample((i) => (i.os = "debian-12")),
      "etc/dovecot/dovecot.conf",
    );
    expect(text).toContain("passdb {\n  driver = passwd-file\n  args = /etc/dovecot/users\n");
    expect(text).toContain("passdb {\n  driver = passwd-file\n  args = /etc/dovecot/logins/%l\n");
    expect(text).toContain(
      "userdb {\n  driver = passwd-file\n  args = /etc/dovecot/mailboxes\n  default_fields = uid=vmail gid=vmail home=/var/mail/vhosts/%d/%n\n}",
    );
  });

  test("refuses an address that would break a passwd-file line", () => {
    expect(() => mailboxLine("a:b@example.com")).toThrow(UnsafeValueError);
    expect(() => mailboxLine("a@example.com\nroot@x")).toThrow(UnsafeValueError);
    expect(mailboxLine("a.b-c_d@example.com")).toBe("a.b-c_d@example.com:::::::");
  });
});
