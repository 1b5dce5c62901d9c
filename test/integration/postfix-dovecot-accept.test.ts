/**
 * The rendered configuration, for the example and every variant, is accepted by the real
 * Postfix 3.7 and Dovecot 2.3 of Debian 12: no error and no warning from postconf, postfix
 * check and doveconf, and the effective values are the intended ones.
 */
import { appendFileSync, readdirSync, utimesSync } from "fs";
import { join } from "path";
import { renderToTempDir } from "../support/render-to-dir";
import { requirePrograms, run } from "../support/programs";
import { variants } from "../support/variants";

beforeAll(() => requirePrograms("postconf", "postfix", "doveconf"));

function postconf(dir: string, ...args: string[]) {
  return run("postconf", ["-c", dir, ...args]);
}

describe.each(variants().map((v) => [v.name, v] as const))("variant: %s", (_name, variant) => {
  let out: string;
  beforeAll(() => {
    out = renderToTempDir(variant.input);
  });

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
      const dovecot = run("doveconf", ["-c", join(out, host, "etc/dovecot/dovecot.conf"), "-h", "ssl", "disable_plaintext_auth"]).stdout.trim().split("\n");
      expect(dovecot).toEqual(["required", "yes"]);
    }
  });
});

describe("the checks above can fail", () => {
  test("postconf warns about a setting Postfix does not know", () => {
    const out = renderToTempDir(variants()[0]!.input);
    const dir = join(out, "mx1/etc/postfix");
    appendFileSync(join(dir, "main.cf"), "smtpd_tls_auth_onyl = yes\n");
    utimesSync(join(dir, "main.cf"), new Date(0), new Date(0));
    expect(postconf(dir, "-n").stderr).toMatch(/warning: .*unused parameter: smtpd_tls_auth_onyl=yes/);
  });

  test("postconf -M rejects a malformed master.cf entry", () => {
    const out = renderToTempDir(variants()[0]!.input);
    const dir = join(out, "mx1/etc/postfix");
    appendFileSync(join(dir, "master.cf"), "broken inet n\n");
    expect(postconf(dir, "-M").stderr).toMatch(/fatal|warning/);
  });

  test("doveconf rejects an unknown setting", () => {
    const out = renderToTempDir(variants()[0]!.input);
    const file = join(out, "mx1/etc/dovecot/dovecot.conf");
    appendFileSync(file, "ssl_min_protocl = TLSv1.2\n");
    const result = run("doveconf", ["-n", "-c", file]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Unknown setting: ssl_min_protocl/);
  });
});
