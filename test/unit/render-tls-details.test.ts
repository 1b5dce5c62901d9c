/**
 * TLS details in every rendered program: the profile's cipher order, Mozilla's curves (the
 * post-quantum hybrid first on Debian 13), RFC 7919's ffdhe2048 for DHE, no session tickets,
 * SNI on outbound TLS and greetings without the software's name.
 */
import { spawnSync } from "child_process";
import type { PlatformInput } from "../../lib/model/schema";
import { FFDHE2048_PEM } from "../../lib/tls/ffdhe2048";
import { INTERMEDIATE, LEGACY_2015, MODERN } from "../../lib/tls/profiles";
import { fileText, mainCfSettings, masterCfEntries, renderExample } from "../support/example";
import { spreadOverThreeHosts } from "../support/variants";

const onOs = (os: "debian-12" | "debian-13", more?: (input: PlatformInput) => void) => (input: PlatformInput) => {
  input.os = os;
  more?.(input);
};
const main = (os: "debian-12" | "debian-13") => mainCfSettings(fileText(renderExample(onOs(os)), "etc/postfix/main.cf"));
const dovecot = (os: "debian-12" | "debian-13") =>
  fileText(renderExample(onOs(os, (i) => (i.services = { ...i.services, managesieve: true }))), "etc/dovecot/dovecot.conf");
const nginx = (os: "debian-12" | "debian-13") => fileText(renderExample(onOs(os)), "etc/nginx/conf.d/mail-platform-mta-sts.conf");

describe("profiles", () => {
  test("the server's order wins where a profile mixes strengths; TLS 1.3-only modern leaves it to the client", () => {
    expect([INTERMEDIATE.preferServerCiphers, LEGACY_2015.preferServerCiphers, MODERN.preferServerCiphers]).toEqual([true, true, false]);
  });

  test("no named profile issues session tickets", () => {
    expect([INTERMEDIATE, MODERN, LEGACY_2015].map((p) => p.sessionTickets)).toEqual([false, false, false]);
  });

  test("the DH parameters are RFC 7919's ffdhe2048, as OpenSSL reads them", () => {
    const result = spawnSync("openssl", ["pkeyparam", "-text", "-noout"], { input: FFDHE2048_PEM, encoding: "utf8" });
    expect(result.stdout).toMatch(/GROUP: ffdhe2048/);
  });
});

describe("Postfix", () => {
  test("Debian 13: X25519MLKEM768 first, then Mozilla's curves; ffdhe2048 as TLS 1.3 group (3.10 deprecates the parameter file)", () => {
    const settings = main("debian-13");
    expect(settings.get("tls_eecdh_auto_curves")).toBe("X25519MLKEM768, X25519, prime256v1, secp384r1");
    expect(settings.get("tls_ffdhe_auto_groups")).toBe("ffdhe2048");
    expect(settings.has("smtpd_tls_dh1024_param_file")).toBe(false);
  });

  test("Debian 12: Mozilla's curves, the ffdhe2048 file, no tls_ffdhe_auto_groups (Postfix 3.7 does not know it)", () => {
    const settings = main("debian-12");
    expect(settings.get("tls_eecdh_auto_curves")).toBe("X25519, prime256v1, secp384r1");
    expect(settings.has("tls_ffdhe_auto_groups")).toBe(false);
    expect(settings.get("smtpd_tls_dh1024_param_file")).toBe("/etc/mail-platform/ffdhe2048.pem");
  });

  test("server cipher order, no tickets, SNI outbound, a banner without the software's name", () => {
    const settings = main("debian-13");
    expect(settings.get("tls_preempt_cipherlist")).toBe("yes");
    expect(settings.get("tls_ssl_options")).toBe("NO_TICKET");
    expect(settings.get("smtp_tls_servername")).toBe("hostname");
    expect(settings.get("smtpd_banner")).toBe("$myhostname ESMTP");
  });

  test("a backup MX's way home names the home's certificate (the channel is reached by address)", () => {
    const hosts = renderExample(spreadOverThreeHosts);
    const forwards = masterCfEntries(fileText(hosts, "etc/postfix/master.cf", "mx2")).filter((e) => e.options.get("syslog_name")?.endsWith("/home"));
    expect(forwards.map((e) => e.options.get("smtp_tls_servername"))).toEqual(["mail.acme-corp.example", "mail.acme-home.example"]);
  });

  test("the ffdhe2048 file is rendered with the configuration", () => {
    const [host] = renderExample();
    const content = host!.files.find((f) => f.path === "etc/mail-platform/ffdhe2048.pem")?.content ?? "";
    expect(content).toMatch(/^# /);
    expect(content.endsWith(FFDHE2048_PEM)).toBe(true);
    // OpenSSL reads past the header comment.
    expect(spawnSync("openssl", ["pkeyparam", "-text", "-noout"], { input: content, encoding: "utf8" }).stdout).toMatch(/GROUP: ffdhe2048/);
  });
});

describe("Dovecot", () => {
  test("2.4: server order, post-quantum first, ffdhe2048, no tickets, neutral greetings", () => {
    const text = dovecot("debian-13");
    expect(text).toMatch(/^ssl_server_prefer_ciphers = server$/m);
    expect(text).toMatch(/^ssl_curve_list = X25519MLKEM768:X25519:prime256v1:secp384r1$/m);
    expect(text).toMatch(/^ssl_server_dh_file = \/etc\/mail-platform\/ffdhe2048\.pem$/m);
    expect(text).toMatch(/^ssl_options = no_ticket$/m);
    expect(text).toMatch(/^login_greeting = Ready\.$/m);
    expect(text).toMatch(/^managesieve_implementation_string = ManageSieve$/m);
  });

  test("2.3: the same in 2.3's words, without the post-quantum group", () => {
    const text = dovecot("debian-12");
    expect(text).toMatch(/^ssl_prefer_server_ciphers = yes$/m);
    expect(text).toMatch(/^ssl_curve_list = X25519:prime256v1:secp384r1$/m);
    expect(text).toMatch(/^ssl_dh = <\/etc\/mail-platform\/ffdhe2048\.pem$/m);
    expect(text).toMatch(/^ssl_options = no_ticket$/m);
    expect(text).toMatch(/^login_greeting = Ready\.$/m);
  });
});

describe("nginx", () => {
  test("server order, curves by release, ffdhe2048, no tickets but a shared session cache, no version, HSTS", () => {
    for (const [os, curves] of [
      ["debian-13", "X25519MLKEM768:X25519:prime256v1:secp384r1"],
      ["debian-12", "X25519:prime256v1:secp384r1"],
    ] as const) {
      const text = nginx(os);
      expect(text).toContain("    ssl_prefer_server_ciphers on;\n");
      expect(text).toContain(`    ssl_ecdh_curve ${curves};\n`);
      expect(text).toContain("    ssl_dhparam /etc/mail-platform/ffdhe2048.pem;\n");
      expect(text).toContain("    ssl_session_tickets off;\n    ssl_session_cache shared:MailPlatformTLS:10m;\n");
      expect(text).toContain("    server_tokens off;\n");
      expect(text).toContain('    add_header Strict-Transport-Security "max-age=63072000" always;\n');
    }
  });
});
