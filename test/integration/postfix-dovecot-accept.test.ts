/**
 * The rendered configuration, for the example and every variant, is accepted by the real
 * programs of each host OS — Postfix 3.10 and Dovecot 2.4 of Debian 13, Postfix 3.7 and Dovecot
 * 2.3 of Debian 12: no error and no warning from postconf, postfix check and doveconf, and the
 * effective values are the intended ones.
 */
import { appendFileSync, readdirSync, utimesSync } from "fs";
import { join } from "path";
import type { HostOs } from "../../lib/catalogue/host-os";
import type { PlatformInput } from "../../lib/model/schema";
import { everyOs, programsOf } from "../support/os-programs";
import { renderToTempDir } from "../support/render-to-dir";
import { variants } from "../support/variants";
import { stateLayout } from "../../lib/local/conventions";
import { dovecotOverlayText, postfixOverlay } from "../../lib/local/overlay";
import { parsePlatform } from "../../lib/validation/validate";
import { plan } from "../../lib/plan/plan";

/** The variant's model on one OS. */
function onOs(input: PlatformInput, os: HostOs): PlatformInput {
  return { ...structuredClone(input), os };
}

/** What "no login before TLS" reads back as, per Dovecot version. */
const CLEARTEXT_OFF: Readonly<Record<HostOs, [string, string]>> = {
  "debian-13": ["auth_allow_cleartext", "no"],
  "debian-12": ["disable_plaintext_auth", "yes"],
};

describe.each(everyOs().flatMap((programs) => variants().map((v) => [programs.os, v.name, programs, v] as const)))(
  "%s, variant: %s",
  (os, _name, programs, variant) => {
    let out: string;
    const run = programs.run;
    const postconf = (dir: string, ...args: string[]) => run("postconf", ["-c", dir, ...args]);
    beforeAll(() => {
      out = renderToTempDir(onOs(variant.input, os));
    }, 10 * 60_000);

    function hosts(): string[] {
      return readdirSync(out).sort();
    }

    test("postconf parses main.cf and master.cf without a warning", () => {
      for (const host of hosts()) {
        const dir = join(out, host, "etc/postfix");
        for (const args of [["-n"], ["-M"], ["-P"]]) {
          const result = postconf(dir, ...args);
          expect({ args, status: result.status, stderr: result.stderr }).toEqual({ args, status: 0, stderr: "" });
        }
      }
    });

    test("postfix check accepts the instance", () => {
      for (const host of hosts()) {
        const result = run("postfix", ["-c", join(out, host, "etc/postfix"), "check"]);
        expect({ status: result.status, output: result.stdout + result.stderr }).toEqual({ status: 0, output: "" });
      }
    });

    test("doveconf parses dovecot.conf without a warning", () => {
      for (const host of hosts()) {
        const result = run("doveconf", ["-n", "-c", join(out, host, "etc/dovecot/dovecot.conf")]);
        expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
      }
    });

    test("the effective security settings are the intended ones", () => {
      for (const host of hosts()) {
        const dir = join(out, host, "etc/postfix");
        const effective = postconf(dir, "-h", "compatibility_level", "mynetworks", "smtpd_tls_auth_only", "smtpd_sasl_auth_enable", "smtp_bind_address")
          .stdout.replace(/\n$/, "")
          .split("\n");
        expect(effective).toEqual(["3.6", "127.0.0.0/8", "yes", "no", ""]);
        const [setting, off] = CLEARTEXT_OFF[os];
        const dovecot = run("doveconf", ["-c", join(out, host, "etc/dovecot/dovecot.conf"), "-h", "ssl", setting])
          .stdout.trim()
          .split("\n");
        expect(dovecot).toEqual(["required", off]);
      }
    });
  },
);

describe.each(everyOs().map((p) => [p.os, p] as const))("%s: the checks above can fail", (os, programs) => {
  const run = programs.run;
  const postconf = (dir: string, ...args: string[]) => run("postconf", ["-c", dir, ...args]);
  const render = () => renderToTempDir(onOs(variants()[0]!.input, os));

  test("postconf warns about a setting Postfix does not know", () => {
    const out = render();
    const dir = join(out, "mx1/etc/postfix");
    appendFileSync(join(dir, "main.cf"), "smtpd_tls_auth_onyl = yes\n");
    utimesSync(join(dir, "main.cf"), new Date(0), new Date(0));
    expect(postconf(dir, "-n").stderr).toMatch(/warning: .*unused parameter: smtpd_tls_auth_onyl=yes/);
  });

  test("postconf -M rejects a malformed master.cf entry", () => {
    const out = render();
    const dir = join(out, "mx1/etc/postfix");
    appendFileSync(join(dir, "master.cf"), "broken inet n\n");
    expect(postconf(dir, "-M").stderr).toMatch(/fatal|warning/);
  });

  test("doveconf rejects an unknown setting", () => {
    const out = render();
    const file = join(out, "mx1/etc/dovecot/dovecot.conf");
    appendFileSync(file, "ssl_min_protocl = TLSv1.2\n");
    const result = run("doveconf", ["-n", "-c", file]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Unknown setting: ssl_min_protocl/);
  });
});

describe("Dovecot 2.4 refuses the 2.3 language (the renderers must not mix them)", () => {
  const programs = programsOf("debian-13");
  test.each([
    ["ssl_cert = </etc/ssl/certs/ssl-cert-snakeoil.pem", /Unknown setting: ssl_cert/],
    ["disable_plaintext_auth = yes", /Unknown setting: disable_plaintext_auth/],
    ["mail_location = maildir:~/Maildir", /Unknown setting: mail_location/],
  ])("a 2.3-style `%s` makes doveconf fail", (line, error) => {
    const out = renderToTempDir(onOs(variants()[0]!.input, "debian-13"));
    const file = join(out, "mx1/etc/dovecot/dovecot.conf");
    appendFileSync(file, `${line}\n`);
    const result = programs.run("doveconf", ["-n", "-c", file]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(error);
  });

  test("and the 2.3 file as a whole does not load", () => {
    const out = renderToTempDir(onOs(variants()[0]!.input, "debian-12"));
    const result = programs.run("doveconf", ["-n", "-c", join(out, "mx1/etc/dovecot/dovecot.conf")]);
    expect(result.stderr).toMatch(/The first setting must be dovecot_config_version/);
  });
});

describe.each(everyOs().map((p) => [p.os, p] as const))("%s: the local test overlay loads", (os, programs) => {
  test("dovecot.conf with the overlay section: no warning, the overlay's paths win", () => {
    const out = renderToTempDir(onOs(variants()[0]!.input, os));
    const file = join(out, "mx1/etc/dovecot/dovecot.conf");
    const layout = stateLayout(join(out, "state"));
    appendFileSync(file, dovecotOverlayText(layout));
    const result = programs.run("doveconf", ["-n", "-c", file]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    const paths = programs.run("doveconf", ["-c", file, "-h", "base_dir", "state_dir", "log_path"]).stdout.trim().split("\n");
    expect(paths).toEqual([layout.dovecotBase, layout.dovecotState, layout.dovecotLog]);
  });

  test("main.cf with the overlay's settings: postconf sees them without a warning", () => {
    const input = onOs(variants()[0]!.input, os);
    const out = renderToTempDir(input);
    const dir = join(out, "mx1/etc/postfix");
    const settings = postfixOverlay(plan(parsePlatform(input)), stateLayout(join(out, "state")));
    for (const [key, value] of Object.entries(settings)) {
      expect(programs.run("postconf", ["-c", dir, "-e", `${key}=${value}`]).status).toBe(0);
    }
    utimesSync(join(dir, "main.cf"), new Date(0), new Date(0));
    const result = programs.run("postconf", ["-c", dir, "-n"]);
    expect(result.stderr).toBe("");
    for (const [key, value] of Object.entries(settings)) expect(result.stdout).toContain(`${key} = ${value}`);
  });
});
