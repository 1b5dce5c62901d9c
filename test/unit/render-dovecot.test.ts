import { fileText, renderExample } from "../support/example";

const CONF = "etc/dovecot/dovecot.conf";

function conf(change?: Parameters<typeof renderExample>[0]): string {
  return fileText(renderExample(change), CONF);
}

/** The body of `service <name> { … }` (one level of nesting is enough here). */
function listener(text: string, name: string): string {
  const match = new RegExp(`inet_listener ${name} \\{\\n([^}]*)\\}`).exec(text);
  if (!match) throw new Error(`no inet_listener ${name}`);
  return match[1]!;
}

describe("rendered dovecot.conf", () => {
  test("requires TLS before any login and offers only PLAIN/LOGIN over it", () => {
    const text = conf();
    expect(text).toMatch(/^ssl = required$/m);
    expect(text).toMatch(/^disable_plaintext_auth = yes$/m);
    expect(text).toMatch(/^auth_mechanisms = plain login$/m);
    expect(text).toMatch(/^ssl_min_protocol = TLSv1\.2$/m);
  });

  test("listens on the group addresses only, with the switched-off ports at 0", () => {
    const text = conf();
    expect(text).toMatch(/^listen = 10\.0\.1\.11, 10\.0\.1\.12$/m);
    expect(listener(text, "imaps")).toContain("port = 993");
    expect(listener(text, "imaps")).toContain("address = 10.0.1.11, 10.0.1.12");
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
    expect(conf()).toContain(
      ["local 10.0.1.12 {", "  ssl_cert = </etc/letsencrypt/live/mail.acme-home.example/fullchain.pem", "  ssl_key = </etc/letsencrypt/live/mail.acme-home.example/privkey.pem", "}"].join("\n"),
    );
  });

  test("creates and subscribes an Archive special-use folder for every user when asked", () => {
    expect(conf()).toContain(["  mailbox Archive {", "    special_use = \\Archive", "    auto = subscribe", "  }"].join("\n"));
    expect(conf((i) => (i.mailbox = { archiveFolder: false }))).not.toContain("mailbox Archive");
  });

  test("loads the Xapian full-text search plugin only when asked", () => {
    expect(conf()).not.toMatch(/\bfts/);
    const text = conf((i) => (i.mailbox = { fullTextSearch: true }));
    expect(text).toMatch(/^mail_plugins = \$mail_plugins fts fts_xapian$/m);
    expect(text).toMatch(/^ {2}fts = xapian$/m);
  });

  test("follows the client profile: modern means TLS 1.3 only", () => {
    expect(conf((i) => (i.tls = { profile: "intermediate", clientProfile: "modern" }))).toMatch(/^ssl_min_protocol = TLSv1\.3$/m);
  });
});
