/**
 * Operator settings (postfix.mainCf, postfix.masterCf, dovecot.settings): validated by the
 * renderers' own syntax guards with every problem at once, rendered last in a titled section
 * where each replaces the platform's value, and nothing changes when none is set.
 */
import type { PlatformInput } from "../../lib/model/schema";
import { validatePlatform } from "../../lib/validation/validate";
import { formatMainCf } from "../../lib/render/postfix/main-cf-format";
import { formatMasterCf } from "../../lib/render/postfix/master-cf-format";
import { formatDovecotConf, setting } from "../../lib/render/dovecot/conf-format";
import { exampleInput, fileText, mainCfSettings, masterCfEntries, renderExample } from "../support/example";

const MAIN = "etc/postfix/main.cf";
const MASTER = "etc/postfix/master.cf";
const DOVECOT = "etc/dovecot/dovecot.conf";

function problems(change: (input: PlatformInput) => void) {
  const input = exampleInput();
  change(input);
  const result = validatePlatform(input);
  return result.ok ? [] : result.issues;
}

describe("validation", () => {
  test("reports every problem at once, each with its path, the value and what is allowed", () => {
    const found = problems((i) => {
      i.postfix = {
        mainCf: { "bad name": "x", smtpd_banner: "ok\nrelayhost = [evil.example]", " lead": 1 },
        masterCf: { submission: { smtpd_helo_restrictions: "permit_mynetworks, reject", syslog_name: "two words" } },
      };
      i.dovecot = { settings: { "Login-Greeting": "x", login_greeting: "100%{user}", dovecot_config_version: "2.4.0" } };
    });
    expect(found.map((p) => [p.path, p.received])).toEqual(
      expect.arrayContaining([
        ["postfix.mainCf.bad name", '"bad name"'],
        ["postfix.mainCf.smtpd_banner", '"ok\\nrelayhost = [evil.example]"'],
        ["postfix.mainCf. lead", '" lead"'],
        ["postfix.masterCf.submission.syslog_name", '"two words"'],
        ["dovecot.settings.Login-Greeting", '"Login-Greeting"'],
        ["dovecot.settings.login_greeting", '"100%{user}"'],
        ["dovecot.settings.dovecot_config_version", '"dovecot_config_version"'],
      ]),
    );
    expect(found).toHaveLength(7);
    const text = found.map((p) => `${p.path}: ${p.message}`).join("\n");
    expect(text).toContain("postfix.mainCf.bad name: expected a Postfix parameter name (postconf(5)): names are letters, digits, '_' and '-'");
    expect(text).toContain("postfix.mainCf.smtpd_banner: expected a main.cf value: values must be one line of printable ASCII");
    expect(text).toContain("syslog_name: expected a master.cf -o value: override values contain no blanks or braces");
    expect(text).toContain("login_greeting: expected a dovecot.conf value: plain values contain no line breaks, braces, '#', '%', '$'");
    expect(text).toContain("dovecot_config_version is set by the platform");
  });

  test("a list is one -o value when its items have no blanks", () => {
    expect(problems((i) => (i.postfix = { masterCf: { submission: { smtpd_helo_restrictions: ["permit_mynetworks", "reject"] } } }))).toEqual([]);
  });

  test("a master.cf service the platform does not render is refused with the allowed ones", () => {
    const found = problems((i) => (i.postfix = { masterCf: { smtps: { syslog_name: "x" } } as never }));
    expect(found).toEqual([
      expect.objectContaining({ path: "postfix.masterCf.smtps", message: "unknown field; allowed fields here: smtp, submission, submissions" }),
    ]);
  });

  test("overrides of a listener that is off are refused", () => {
    const found = problems((i) => {
      i.services = { ...i.services, submission: false };
      i.postfix = { masterCf: { submission: { syslog_name: "x" } } };
    });
    expect(found).toEqual([
      expect.objectContaining({ path: "postfix.masterCf.submission", message: expect.stringContaining("the submission service is off (services.submission)") }),
    ]);
  });

  test("a Dovecot name of the other version is refused, naming the hosts and the right name", () => {
    const on13 = problems((i) => {
      i.os = "debian-13";
      i.dovecot = { settings: { disable_plaintext_auth: false } };
    });
    expect(on13).toEqual([
      expect.objectContaining({
        path: "dovecot.settings.disable_plaintext_auth",
        message: expect.stringMatching(/Dovecot 2\.4 on mx1 \(debian-13\) .* auth_allow_cleartext/),
      }),
    ]);
    const on12 = problems((i) => {
      i.os = "debian-12";
      i.dovecot = { settings: { ssl_server_cert_file: "/etc/x.pem" } };
    });
    expect(on12).toEqual([
      expect.objectContaining({ path: "dovecot.settings.ssl_server_cert_file", message: expect.stringContaining("it calls it ssl_cert") }),
    ]);
  });

  test("acknowledgements need operator settings and a written reason", () => {
    expect(problems((i) => (i.postfix = { acknowledgements: { "postfix-relay-restricted": "Relaying for the lab network behind the VPN." } }))).toEqual([
      expect.objectContaining({
        path: "postfix.acknowledgements.postfix-relay-restricted",
        message: expect.stringContaining("none is set; remove the acknowledgement"),
      }),
    ]);
    expect(problems((i) => (i.postfix = { mainCf: { mynetworks: "10.0.0.0/8" }, acknowledgements: { "postfix-loopback-mynetworks": "…………………………" } }))).toEqual([
      expect.objectContaining({ path: "postfix.acknowledgements.postfix-loopback-mynetworks" }),
    ]);
    expect(problems((i) => (i.dovecot = { settings: { ssl: "yes" }, acknowledgements: { "imdsv2-required": "A reason long enough." } as never }))).toEqual([
      expect.objectContaining({ path: "dovecot.acknowledgements.imdsv2-required", message: "unknown field; allowed fields here: dovecot-tls-before-login" }),
    ]);
  });
});

describe("the model accepts exactly what the renderers write", () => {
  const VALUES = ["plain", "", "$myhostname ESMTP", "a b", " lead", "trail ", "x{y}", "tab\there", "line\nbreak", "ü", "100%", "<file", "#hash", "a,b"];

  test.each(VALUES)("main.cf and master.cf value %j", (value) => {
    const model = (where: "main" | "master") =>
      validatePlatform({
        ...exampleInput(),
        postfix: where === "main" ? { mainCf: { smtpd_banner: value } } : { masterCf: { submission: { smtpd_banner: value } } },
      }).ok;
    const render = (where: "main" | "master") => {
      try {
        if (where === "main") formatMainCf("#", [{ title: "t", settings: [{ name: "smtpd_banner", value }] }]);
        else formatMasterCf("#", [{ service: "s", type: "unix", chroot: "y", command: "smtpd", options: [["smtpd_banner", value]] }]);
        return true;
      } catch {
        return false;
      }
    };
    expect(model("main")).toBe(render("main"));
    expect(model("master")).toBe(render("master"));
  });

  test.each(VALUES)("dovecot.conf value %j", (value) => {
    const model = validatePlatform({ ...exampleInput(), dovecot: { settings: { login_greeting: value } } }).ok;
    let rendered = true;
    try {
      formatDovecotConf("#", [{ title: "t", nodes: [setting("login_greeting", value)] }]);
    } catch {
      rendered = false;
    }
    expect(model).toBe(rendered);
  });
});

describe("rendering", () => {
  const withSettings = renderExample((i) => {
    i.postfix = {
      mainCf: { smtpd_banner: "$myhostname ESMTP ready", message_size_limit: 10_485_760, smtpd_error_sleep_time: "2s" },
      masterCf: {
        submission: { message_size_limit: 2_000_000, smtpd_client_restrictions: ["permit_sasl_authenticated", "reject"] },
        smtp: { smtpd_timeout: "60s" },
      },
    };
    i.dovecot = { settings: { login_greeting: "Mail ready", mail_max_userip_connections: 20, recipient_delimiter: "-" } };
  });

  test("main.cf: a titled section last; each line says where it comes from and replaces the platform's line", () => {
    const text = fileText(withSettings, MAIN);
    const section = text.slice(text.indexOf("# == Operator settings (postfix.mainCf in the model"));
    expect(section).toBe(
      [
        "# == Operator settings (postfix.mainCf in the model; each replaces the platform's value of the same name) ==",
        "# postfix.mainCf.smtpd_banner in the model, replacing the platform's value: $myhostname ESMTP",
        "smtpd_banner = $myhostname ESMTP ready",
        "# postfix.mainCf.message_size_limit in the model, replacing the platform's value: 36700160",
        "message_size_limit = 10485760",
        "# postfix.mainCf.smtpd_error_sleep_time in the model",
        "smtpd_error_sleep_time = 2s",
        "",
      ].join("\n"),
    );
    expect(text.match(/^message_size_limit =/gm)).toHaveLength(1);
    expect(mainCfSettings(text).get("message_size_limit")).toBe("10485760");
  });

  test("master.cf: the operator's -o come last in every entry of the service, under their comments", () => {
    const text = fileText(withSettings, MASTER);
    const entries = masterCfEntries(text);
    const submission = entries.filter((e) => e.service.endsWith(":587"));
    expect(submission.length).toBeGreaterThan(0);
    for (const entry of submission) {
      expect([...entry.options.keys()].slice(-2)).toEqual(["message_size_limit", "smtpd_client_restrictions"]);
      expect(entry.options.get("smtpd_client_restrictions")).toBe("permit_sasl_authenticated,reject");
    }
    expect(text).toContain(
      "  # postfix.masterCf.submission.smtpd_client_restrictions in the model, replacing the platform's value: permit_sasl_authenticated,reject\n",
    );
    expect(text).toContain("  # postfix.masterCf.submission.message_size_limit in the model\n  -o message_size_limit=2000000\n");
    // Port 25 behind postscreen: the smtpd that talks SMTP takes them, not postscreen.
    expect(entries.filter((e) => e.command === "smtpd" && e.type === "pass").every((e) => e.options.get("smtpd_timeout") === "60s")).toBe(true);
    expect(entries.filter((e) => e.command === "postscreen").some((e) => e.options.has("smtpd_timeout"))).toBe(false);
    expect(entries.filter((e) => e.service.endsWith(":465")).some((e) => e.options.has("message_size_limit"))).toBe(false);
  });

  test("master.cf without postscreen: port 25's own smtpd takes the smtp overrides", () => {
    const files = renderExample((i) => {
      i.dnsbl = { sites: [] };
      i.postfix = { masterCf: { smtp: { smtpd_timeout: "60s" } } };
    });
    const mx = masterCfEntries(fileText(files, MASTER)).filter((e) => e.service.endsWith(":25"));
    expect(mx.length).toBeGreaterThan(0);
    expect(mx.every((e) => e.command === "smtpd" && e.options.get("smtpd_timeout") === "60s")).toBe(true);
  });

  test.each(["debian-12", "debian-13"] as const)("dovecot.conf (%s): a titled section last, the platform's top-level setting left out", (os) => {
    const files = renderExample((i) => {
      i.os = os;
      i.dovecot = { settings: { login_greeting: "Mail ready", recipient_delimiter: "-" } };
    });
    const text = fileText(files, DOVECOT);
    expect(
      text.endsWith(
        [
          "# == Operator settings (dovecot.settings in the model; each replaces the platform's top-level setting of the same name) ==",
          // The platform greets neutrally ("Ready."); the operator's greeting replaces it.
          "# dovecot.settings.login_greeting in the model, replacing the platform's value: Ready.",
          "login_greeting = Mail ready",
          "# dovecot.settings.recipient_delimiter in the model, replacing the platform's value: +",
          "recipient_delimiter = -",
          "",
        ].join("\n"),
      ),
    ).toBe(true);
    expect(text.match(/^recipient_delimiter =/gm)).toHaveLength(1);
    expect(text.match(/^login_greeting =/gm)).toHaveLength(1);
    if (os === "debian-13") expect(text.indexOf("dovecot_config_version")).toBeLessThan(text.indexOf("login_greeting"));
  });

  test("empty maps render exactly what no operator settings render", () => {
    const without = renderExample();
    const empty = renderExample((i) => {
      i.postfix = { mainCf: {}, masterCf: { submission: {} } };
      i.dovecot = { settings: {} };
    });
    expect(empty).toEqual(without);
  });
});
