import type { PlatformInput } from "../../lib/model/schema";
import { fileText, renderExample } from "../support/example";

const CONF = "etc/dovecot/dovecot.conf";

/** The body of `inet_listener <name> { … }` (one level of nesting is enough here). */
function listener(text: string, name: string): string {
  const match = new RegExp(`inet_listener ${name} \\{\\n([^}]*)\\}`).exec(text);
  if (!match) throw new Error(`no inet_listener ${name}`);
  return match[1]!;
}

/** What each Dovecot version says for the same feature. */
const LANGUAGE = {
  "debian-13": {
    cleartext: /^auth_allow_cleartext = no$/m,
    listenerAddress: "listen = 10.0.1.11, 10.0.1.12",
    certificate: [
      "local 10.0.1.12 {",
      "  ssl_server_cert_file = /etc/letsencrypt/live/mail.acme-home.example/fullchain.pem",
      "  ssl_server_key_file = /etc/letsencrypt/live/mail.acme-home.example/privkey.pem",
      "}",
    ],
    fts: [/^mail_plugins \{\n {2}fts = yes\n {2}fts_flatcurve = yes\n\}$/m, /^fts flatcurve \{$/m, /^language_tokenizers = generic email-address$/m],
    archive: ["  mailbox Archive {", "    special_use = \\Archive", "    auto = subscribe", "  }"],
  },
  "debian-12": {
    cleartext: /^disable_plaintext_auth = yes$/m,
    listenerAddress: "address = 10.0.1.11, 10.0.1.12",
    certificate: [
      "local 10.0.1.12 {",
      "  ssl_cert = </etc/letsencrypt/live/mail.acme-home.example/fullchain.pem",
      "  ssl_key = </etc/letsencrypt/live/mail.acme-home.example/privkey.pem",
      "}",
    ],
    fts: [/^mail_plugins = \$mail_plugins fts fts_xapian$/m, /^ {2}fts = xapian$/m],
    archive: ["  mailbox Archive {", "    special_use = \\Archive", "    auto = subscribe", "  }"],
  },
} as const;

describe.each(Object.entries(LANGUAGE))("rendered dovecot.conf for %s", (os, language) => {
  const conf = (change?: (input: PlatformInput) => void) =>
    fileText(
      renderExample((input) => {
        input.os = os as PlatformInput["os"];
        change?.(input);
      }),
      CONF,
    );

  test("requires TLS before any login and offers only PLAIN/LOGIN over it", () => {
    const text = conf();
    expect(text).toMatch(/^ssl = required$/m);
    expect(text).toMatch(language.cleartext);
    expect(text).toMatch(/^auth_mechanisms = plain login$/m);
    expect(text).toMatch(/^ssl_min_protocol = TLSv1\.2$/m);
  });

  test("listens on the group addresses only, with the switched-off ports at 0", () => {
    const text = conf();
    expect(text).toMatch(/^listen = 10\.0\.1\.11, 10\.0\.1\.12$/m);
    expect(listener(text, "imaps")).toContain("port = 993");
    expect(listener(text, "imaps")).toContain(language.listenerAddress);
    expect(listener(text, "imap")).toContain("port = 0");
    expect(listener(text, "pop3")).toContain("port = 0");
    expect(listener(text, "pop3s")).toContain("port = 995");
  });

  test("drops a protocol whose ports are all off", () => {
    const text = conf((i) => (i.services = { ...i.services, pop3: false, pop3s: false }));
    expect(text).toMatch(/^protocols = imap lmtp$/m);
    expect(text).not.toContain("pop3-login");
  });

  test("gives Postfix its SASL and LMTP sockets inside the Postfix spool", () => {
    const text = conf();
    expect(text).toContain("unix_listener /var/spool/postfix/private/auth {");
    expect(text).toContain("unix_listener /var/spool/postfix/private/dovecot-lmtp {");
  });

  test("presents each group's certificate on its own address", () => {
    expect(conf()).toContain(language.certificate.join("\n"));
  });

  test("creates and subscribes an Archive special-use folder for every user when asked", () => {
    expect(conf()).toContain(language.archive.join("\n"));
    expect(conf((i) => (i.mailbox = { archiveFolder: false }))).not.toContain("mailbox Archive");
  });

  test("loads full-text search only when asked", () => {
    expect(conf()).not.toMatch(/\bfts/);
    const text = conf((i) => (i.mailbox = { fullTextSearch: true }));
    for (const pattern of language.fts) expect(text).toMatch(pattern);
  });

  test("follows the client profile: modern means TLS 1.3 only", () => {
    expect(conf((i) => (i.tls = { profile: "intermediate", clientProfile: "modern" }))).toMatch(/^ssl_min_protocol = TLSv1\.3$/m);
  });
});

describe("Dovecot 2.4 specifics", () => {
  const conf = (change?: (input: PlatformInput) => void) => fileText(renderExample(change), CONF);

  test("the configuration version comes before every other setting", () => {
    const settings = conf()
      .split("\n")
      .filter((l) => /^[a-z_]+ = /.test(l));
    expect(settings.slice(0, 2)).toEqual(["dovecot_config_version = 2.4.1", "dovecot_storage_version = 2.4.0"]);
  });

  test("reads certificates by path (no 2.3 '<file' values) and names its passdb and userdb", () => {
    const text = conf();
    expect(text).not.toMatch(/= </);
    expect(text).toContain("passdb passwd-file {\n  passwd_file_path = /etc/dovecot/users\n");
    expect(text).toContain("passdb group-logins {\n  driver = passwd-file\n  passwd_file_path = /etc/dovecot/logins/%{local_ip}\n");
    expect(text).toMatch(
      /userdb passwd-file \{\n {2}passwd_file_path = \/etc\/dovecot\/mailboxes\n {2}fields \{\n {4}uid = vmail\n {4}gid = vmail\n {4}home = \/var\/mail\/vhosts\/%\{user \| domain\}\/%\{user \| username\}\n/,
    );
    expect(text).toMatch(/^mail_driver = maildir\nmail_path = ~\/Maildir$/m);
  });

  test("full-text search skips Trash and Junk on arrival and never falls back to reading every message", () => {
    const text = conf((i) => (i.mailbox = { fullTextSearch: true }));
    expect(text).toContain("  mailbox Junk {\n    special_use = \\Junk\n    auto = subscribe\n    fts_autoindex = no\n  }");
    expect(text).toContain("  mailbox Trash {\n    special_use = \\Trash\n    auto = subscribe\n    fts_autoindex = no\n  }");
    expect(text).toMatch(/^fts_search_read_fallback = no$/m);
    expect(text).not.toMatch(/mailbox Sent \{[^}]*fts_autoindex/);
  });
});
