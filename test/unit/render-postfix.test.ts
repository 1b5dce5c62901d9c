import { fileText, mainCfSettings, masterCfEntries, renderExample } from "../support/example";
import { addSecondHost, spreadOverThreeHosts } from "../support/variants";

const MAIN = "etc/postfix/main.cf";
const MASTER = "etc/postfix/master.cf";

function main(change?: Parameters<typeof renderExample>[0]) {
  return mainCfSettings(fileText(renderExample(change), MAIN));
}

function master(change?: Parameters<typeof renderExample>[0]) {
  return masterCfEntries(fileText(renderExample(change), MASTER));
}

describe("rendered main.cf", () => {
  test("keeps Postfix 3.6 safe defaults and trusts only loopback", () => {
    const settings = main();
    expect(settings.get("compatibility_level")).toBe("3.6");
    expect(settings.get("mynetworks")).toBe("127.0.0.0/8");
    expect(settings.get("mynetworks_style")).toBe("host");
  });

  test("never offers AUTH before TLS and never relays for strangers", () => {
    const settings = main();
    expect(settings.get("smtpd_tls_auth_only")).toBe("yes");
    expect(settings.get("smtpd_sasl_auth_enable")).toBe("no");
    expect(settings.get("smtpd_relay_restrictions")).toBe("permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination");
    expect(settings.get("smtpd_sasl_type")).toBe("dovecot");
    expect(settings.get("smtpd_sasl_path")).toBe("private/auth");
  });

  test("offers STARTTLS on port 25 without requiring it, with the intermediate profile", () => {
    const settings = main();
    expect(settings.get("smtpd_tls_security_level")).toBe("may");
    expect(settings.get("smtpd_tls_protocols")).toBe(">=TLSv1.2");
    expect(settings.get("smtpd_tls_mandatory_protocols")).toBe(">=TLSv1.2");
    expect(settings.get("smtpd_tls_ciphers")).toBe("high");
    expect(settings.get("tls_high_cipherlist")).toMatch(/^ECDHE-ECDSA-AES128-GCM-SHA256:/);
    expect(settings.get("tls_high_cipherlist")).not.toMatch(/NULL|RC4|MD5|DES/);
  });

  test("the legacy profile allows TLS 1.0 and lowers OpenSSL's security level, as documented", () => {
    const settings = main((i) => (i.tls = { profile: "legacy-2015", legacyAcknowledgement: "Old terminals speak only TLS 1.0 until 2027." }));
    expect(settings.get("smtpd_tls_protocols")).toBe(">=TLSv1");
    expect(settings.get("tls_high_cipherlist")).toMatch(/:@SECLEVEL=0$/);
    expect(settings.get("tls_preempt_cipherlist")).toBe("yes");
  });

  test("the modern profile requires TLS 1.3", () => {
    expect(main((i) => (i.tls = { profile: "modern" })).get("smtpd_tls_protocols")).toBe(">=TLSv1.3");
  });

  test("binds outbound mail per group: no global bind address, enforcement on, sender-dependent transports", () => {
    const settings = main();
    expect(settings.has("smtp_bind_address")).toBe(false);
    expect(settings.get("smtp_bind_address_enforce")).toBe("yes");
    expect(settings.get("sender_dependent_default_transport_maps")).toBe("texthash:$config_directory/sender_transport");
    expect(settings.get("default_transport")).toBe("out-private");
  });

  test("gives each group's transport the limits of its priority", () => {
    const settings = main((i) => (i.groups[1]!.priority = "bulk"));
    expect(settings.get("out-business_destination_concurrency_limit")).toBe("20");
    expect(settings.get("out-business_destination_rate_delay")).toBe("0s");
    expect(settings.get("out-private_destination_concurrency_limit")).toBe("1");
    expect(settings.get("out-private_destination_rate_delay")).toBe("1s");
  });

  test("refuses plaintext mail to TLS-required domains with code 550 and the configured text", () => {
    const hosts = renderExample();
    const settings = mainCfSettings(fileText(hosts, MAIN));
    expect(settings.get("smtpd_recipient_restrictions")).toContain("check_recipient_access texthash:$config_directory/recipient_tls_required");
    expect(settings.get("plaintext_reject_code")).toBe("550");
    expect(fileText(hosts, "etc/postfix/recipient_tls_required")).toMatch(/^acme-corp\.example reject_plaintext_session$/m);
    expect(fileText(hosts, "etc/postfix/recipient_tls_required")).not.toMatch(/acme-shop/);
    expect(fileText(hosts, "etc/postfix/reject_footer.pcre")).toContain("This domain accepts mail only over an encrypted connection: use STARTTLS.");
  });

  test("without TLS-required domains there is no such check and no table", () => {
    const hosts = renderExample((i) => (i.groups[0]!.domains[0]!.requireTlsInbound = false));
    expect(mainCfSettings(fileText(hosts, MAIN)).get("smtpd_recipient_restrictions")).not.toContain("check_recipient_access");
    expect(hosts[0]!.files.map((f) => f.path)).not.toContain("etc/postfix/recipient_tls_required");
  });

  test("screens port 25 with the configured blocklists, weights and threshold", () => {
    const settings = main();
    expect(settings.get("postscreen_dnsbl_sites")).toBe("zen.spamhaus.org=127.0.0.[2..11]*2, bl.spamcop.net*1");
    expect(settings.get("postscreen_dnsbl_threshold")).toBe("2");
    expect(settings.get("postscreen_dnsbl_action")).toBe("enforce");
  });

  test("guards against SMTP smuggling and names no software in the banner", () => {
    const settings = main();
    expect(settings.get("smtpd_forbid_bare_newline")).toBe("normalize");
    expect(settings.get("smtpd_banner")).toBe("$myhostname ESMTP");
  });

  test("requires TLS ≥ 1.2 to the partner destination", () => {
    expect(fileText(renderExample(), "etc/postfix/tls_policy")).toMatch(/^partner\.example encrypt protocols=>=TLSv1\.2$/m);
  });

  test("sends through an authenticated relay without any credential in the output", () => {
    const hosts = renderExample((i) => (i.outbound = { relayHost: { host: "smtp.relay.example", port: 587, authenticate: true } }));
    const settings = mainCfSettings(fileText(hosts, MAIN));
    expect(settings.get("relayhost")).toBe("[smtp.relay.example]:587");
    expect(settings.get("smtp_sasl_password_maps")).toBe("texthash:$config_directory/relay_password");
    expect(hosts[0]!.files.map((f) => f.path)).not.toContain("etc/postfix/relay_password");
    expect(fileText(hosts, "etc/postfix/tls_policy")).toMatch(/^\[smtp\.relay\.example\]:587 encrypt protocols=>=TLSv1\.2$/m);
  });

  test("lists known public addresses as proxy interfaces", () => {
    expect(main().has("proxy_interfaces")).toBe(false);
    const settings = main((i) => {
      i.groups[0]!.addresses[0]!.publicIp = "203.0.113.10";
      i.groups[1]!.addresses[0]!.publicIp = "203.0.113.20";
    });
    expect(settings.get("proxy_interfaces")).toBe("203.0.113.10, 203.0.113.20");
  });

  test("puts a reason above every security setting", () => {
    const text = fileText(renderExample(), MAIN);
    for (const name of [
      "compatibility_level",
      "mynetworks",
      "smtpd_tls_auth_only",
      "smtpd_relay_restrictions",
      "smtpd_tls_ciphers",
      "smtp_bind_address_enforce",
      "smtpd_forbid_bare_newline",
    ]) {
      const lines = text.split("\n");
      const index = lines.findIndex((l) => l.startsWith(`${name} =`));
      expect(lines[index - 1]).toMatch(/^# \S/);
    }
  });
});

describe("rendered master.cf", () => {
  test("has one listener per group address and enabled Postfix service", () => {
    const inet = master()
      .filter((e) => e.type === "inet")
      .map((e) => `${e.service} ${e.command}`);
    expect(inet).toEqual([
      "10.0.1.11:25 postscreen",
      "10.0.1.12:25 postscreen",
      "10.0.1.11:465 smtpd",
      "10.0.1.12:465 smtpd",
      "10.0.1.11:587 smtpd",
      "10.0.1.12:587 smtpd",
    ]);
  });

  test("disables AUTH on port 25 and hands postscreen's clients to the group's own smtpd", () => {
    const entries = master();
    const screen = entries.find((e) => e.service === "10.0.1.11:25")!;
    expect(screen.options.get("smtpd_service_name")).toBe("smtpd-business");
    const pass = entries.find((e) => e.service === "smtpd-business")!;
    expect(pass.type).toBe("pass");
    expect(pass.options.get("smtpd_sasl_auth_enable")).toBe("no");
    expect(pass.options.get("myhostname")).toBe("mail.acme-corp.example");
  });

  test("without blocklists port 25 is a plain smtpd with AUTH off", () => {
    const entry = master((i) => (i.dnsbl = { sites: [] })).find((e) => e.service === "10.0.1.12:25")!;
    expect(entry.command).toBe("smtpd");
    expect(entry.options.get("smtpd_sasl_auth_enable")).toBe("no");
    expect(entry.options.get("syslog_name")).toBe("postfix/private");
  });

  test("requires TLS on 587, implicit TLS on 465, AUTH on both, and only authenticated relaying", () => {
    const entries = master();
    const submission = entries.find((e) => e.service === "10.0.1.11:587")!;
    expect(submission.options.get("smtpd_tls_security_level")).toBe("encrypt");
    expect(submission.options.get("smtpd_sasl_auth_enable")).toBe("yes");
    expect(submission.options.get("smtpd_relay_restrictions")).toBe("permit_sasl_authenticated,reject");
    const submissions = entries.find((e) => e.service === "10.0.1.12:465")!;
    expect(submissions.options.get("smtpd_tls_wrappermode")).toBe("yes");
    expect(submissions.options.get("smtpd_sasl_auth_enable")).toBe("yes");
    expect(submissions.options.get("smtpd_sender_restrictions")).toContain("reject_authenticated_sender_login_mismatch");
  });

  test("each listener presents the certificate of its group's host name", () => {
    const entry = master().find((e) => e.service === "10.0.1.12:587")!;
    expect(entry.options.get("smtpd_tls_chain_files")).toBe(
      "/etc/letsencrypt/live/mail.acme-home.example/privkey.pem,/etc/letsencrypt/live/mail.acme-home.example/fullchain.pem",
    );
  });

  test("each group's transport binds its own address and HELO name", () => {
    const entries = master();
    const business = entries.find((e) => e.service === "out-business")!;
    const privateGroup = entries.find((e) => e.service === "out-private")!;
    expect([business.command, business.options.get("smtp_bind_address"), business.options.get("smtp_helo_name"), business.maxproc]).toEqual([
      "smtp",
      "10.0.1.11",
      "mail.acme-corp.example",
      "100",
    ]);
    expect([privateGroup.options.get("smtp_bind_address"), privateGroup.options.get("smtp_helo_name")]).toEqual(["10.0.1.12", "mail.acme-home.example"]);
  });

  test("routes submitted mail through the privacy cleanup; port 25 keeps the normal cleanup", () => {
    const entries = master();
    expect(entries.find((e) => e.service === "10.0.1.11:587")!.options.get("cleanup_service_name")).toBe("cleanup-submission");
    expect(entries.find((e) => e.service === "smtpd-business")!.options.has("cleanup_service_name")).toBe(false);
    expect(entries.find((e) => e.service === "cleanup-submission")!.options.get("header_checks")).toBe("pcre:$config_directory/submission_header_checks.pcre");
  });

  test("a switched-off service has no listener", () => {
    const services = master((i) => (i.services = { ...i.services, submission: false })).map((e) => e.service);
    expect(services.filter((s) => s.endsWith(":587"))).toEqual([]);
    expect(services.filter((s) => s.endsWith(":465"))).toHaveLength(2);
  });

  test("a client profile different from port 25's is applied to the submission listeners only", () => {
    const entries = master((i) => (i.tls = { profile: "intermediate", clientProfile: "modern" }));
    expect(entries.find((e) => e.service === "10.0.1.11:465")!.options.get("smtpd_tls_protocols")).toBe(">=TLSv1.3");
    expect(entries.find((e) => e.service === "smtpd-business")!.options.has("smtpd_tls_protocols")).toBe(false);
  });

  test("each host of a two-host platform binds its own addresses", () => {
    const hosts = renderExample(addSecondHost);
    const second = masterCfEntries(fileText(hosts, MASTER, "mx2"));
    expect(second.filter((e) => e.type === "inet").every((e) => e.service.startsWith("10.0.2."))).toBe(true);
    expect(second.find((e) => e.service === "out-private")!.options.get("smtp_bind_address")).toBe("10.0.2.12");
  });
});

describe("rendered lookup tables", () => {
  test("map each group domain to its group's transport", () => {
    const rows = fileText(renderExample(), "etc/postfix/sender_transport")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(/\s+/));
    expect(rows).toEqual([
      ["@acme-corp.example", "out-business:"],
      ["@acme-shop.example", "out-business:"],
      ["@acme-home.example", "out-private:"],
      ["@acme-family.example", "out-private:"],
      // the null sender (notifications) through the bounce group
      ["<>", "out-private:"],
    ]);
  });

  test("refuse the null sender from authenticated users on submission, before the login check that skips it", () => {
    const files = renderExample();
    const rows = fileText(files, "etc/postfix/submission_sender_access")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(rows).toEqual(["<> REJECT 5.7.1 The null sender is not accepted from authenticated users"]);
    const submission = masterCfEntries(fileText(files, MASTER)).find((e) => e.service === "10.0.1.11:587")!;
    expect(submission.options.get("smtpd_sender_restrictions")).toBe(
      "check_sender_access,texthash:$config_directory/submission_sender_access,reject_non_fqdn_sender,reject_authenticated_sender_login_mismatch",
    );
    expect(submission.options.get("milter_mail_macros")).toBe("$submission_milter_mail_macros");
  });

  test("hand OpenDKIM the envelope sender from submission only, and DSNs to the milter", () => {
    const settings = mainCfSettings(fileText(renderExample(), MAIN));
    expect(settings.get("milter_mail_macros")).not.toContain("{mail_addr}");
    expect(settings.get("submission_milter_mail_macros")).toBe("i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}");
    expect(settings.get("internal_mail_filter_classes")).toBe("bounce");
    // notifications name the bounce group's host: MAILER-DAEMON@$myorigin, $myorigin = $myhostname
    expect(settings.get("myhostname")).toBe("mail.acme-home.example");
    expect(settings.has("myorigin")).toBe(false);
  });

  test("name the submission macro list only on hosts with submission listeners (Postfix warns about an unused parameter)", () => {
    const hosts = renderExample(spreadOverThreeHosts);
    const macros = (host: string) => mainCfSettings(fileText(hosts, MAIN, host)).has("submission_milter_mail_macros");
    expect([macros("mx1"), macros("mx2"), macros("mx3")]).toEqual([true, false, true]);
    const off = renderExample((i) => (i.services = { ...i.services, submission: false, submissions: false }));
    expect(mainCfSettings(fileText(off, MAIN)).has("submission_milter_mail_macros")).toBe(false);
  });

  test("strip the configured headers on the submission path", () => {
    const text = fileText(
      renderExample((i) => (i.privacy = { stripHeaders: ["X-Originating-IP", "X-Mailer"] })),
      "etc/postfix/submission_header_checks.pcre",
    );
    expect(text).toMatch(/^\/\^X-Originating-IP:\/\s+IGNORE$/m);
    expect(text).toMatch(/^\/\^X-Mailer:\/\s+IGNORE$/m);
  });
});
