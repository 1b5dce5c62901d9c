import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { run } from "../../lib/cli/main";
import { EXAMPLE_FILE, exampleInput } from "../support/example";
import { Testing, TerraformStack } from "cdktf";
import { MailPlatform } from "../../lib/constructs/mail-platform";
import { PlatformValidationError } from "../../lib/model/issues";

const BIN = join(__dirname, "..", "..", "bin", "mail-platform.js");

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "mail-platform-cli-")), name);
  writeFileSync(path, content);
  return path;
}

const BROKEN = `name: Acme Mail
hosts: [{name: mx1}, {name: mx1}]
groups:
  - name: business
    priorty: high
    domains: [{name: a.example}]
    addresses: [{host: mx1, privateIp: 10.0.1.300, hostName: mail.a.example}]
tls: {profile: legacy-2015}
`;

describe("mail-platform validate", () => {
  test("exits 0 and summarises a valid file", async () => {
    const result = await cli("validate", EXAMPLE_FILE);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/valid for deployment \(platform acme-mail: 1 host\(s\), 2 group\(s\), 4 domain\(s\)\)/);
  });

  test("judges deployability by default: a model without aws and dns is valid only with --render-only", async () => {
    const input = exampleInput();
    delete input.aws;
    delete input.dns;
    const file = tempFile("render-only.yaml", stringify(input));
    const deploy = await cli("validate", file);
    expect(deploy.code).toBe(1);
    expect(deploy.err).toContain("is invalid (2 problems):");
    expect(deploy.err).toContain("  - aws: a deployable platform needs the aws section");
    expect(deploy.err).toContain("  - dns: a deployable platform needs the dns section");
    const render = await cli("validate", file, "--render-only");
    expect(render.code).toBe(0);
    expect(render.out).toMatch(/valid for rendering \(platform acme-mail/);
  });

  test("what validate calls valid, MailPlatform deploys; what it refuses, MailPlatform refuses with the same problems", async () => {
    const valid = exampleInput();
    const invalid = exampleInput();
    delete invalid.dns;
    invalid.groups[0]!.name = "Business";
    for (const input of [valid, invalid]) {
      const file = tempFile("judged.yaml", stringify(input));
      const result = await cli("validate", file, "--json");
      let constructIssues: unknown = [];
      try {
        MailPlatform.fromFile(new TerraformStack(Testing.app(), "judged"), "mail", file);
      } catch (error) {
        if (!(error instanceof PlatformValidationError)) throw error;
        constructIssues = error.issues;
      }
      const parsed = JSON.parse(result.out) as { valid: boolean; issues?: unknown };
      expect(parsed.valid).toBe(input === valid);
      expect(constructIssues).toEqual(parsed.issues ?? []);
    }
  });

  test("exits 1 and prints every problem with its path and received value", async () => {
    const result = await cli("validate", tempFile("broken.yaml", BROKEN));
    expect(result.code).toBe(1);
    expect(result.err).toContain("is invalid (7 problems):");
    for (const line of [
      "  - aws: a deployable platform needs the aws section",
      "  - dns: a deployable platform needs the dns section",
      '  - groups[0].addresses[0].privateIp: expected an IPv4 address in dotted-quad form, such as 10.0.1.11 (received: "10.0.1.300")',
      '  - groups[0].priorty: unknown field; allowed fields here: name, priority, domains, addresses, home, dkim, mailboxes, aliases, roleMailbox, outbound, contentFilter, sendingLimits (received: "high")',
      '  - hosts[1].name: host names must be unique; already used by hosts[0].name (received: "mx1")',
      "  - name: expected a platform name such as acme-mail",
      "  - tls.profile: legacy-2015 allows TLS 1.0/1.1",
    ]) {
      expect(result.err).toContain(line);
    }
  });

  test("--json prints the issues as data", async () => {
    const result = await cli("validate", tempFile("broken.yaml", BROKEN), "--json");
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.out);
    expect(parsed.valid).toBe(false);
    expect(parsed.issues).toContainEqual({ path: "hosts[1].name", received: '"mx1"', message: "host names must be unique; already used by hosts[0].name" });
  });

  test("accepts JSON as well as YAML", async () => {
    expect((await cli("validate", tempFile("platform.json", JSON.stringify(exampleInput())))).code).toBe(0);
  });

  test("reports a YAML syntax error with its line, as a validation failure", async () => {
    const result = await cli("validate", tempFile("bad.yaml", "name: x\nhosts: [\n"));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/\(top level\): line \d+, column \d+: /);
  });

  test("reports duplicate YAML keys instead of silently keeping one", async () => {
    const result = await cli("validate", tempFile("dup.yaml", `${stringify(exampleInput())}name: other\n`));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/Map keys must be unique/);
  });

  test.each([
    [["validate"], "missing <file>"],
    [["validate", "a.yaml", "b.yaml"], "expected one <file>, got 2"],
    [["validate", "/nonexistent/platform.yaml"], "/nonexistent/platform.yaml: no such file"],
    [["validate", EXAMPLE_FILE, "--strict"], "Unknown option '--strict'"],
    [["frobnicate"], 'unknown command "frobnicate"'],
    [[], "Usage: mail-platform <command>"],
  ])("exits 2 on the usage error %j", async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  test.each([["validate"], ["render"]])("%s --help explains the command and exits 0", async (command) => {
    const result = await cli(command, "--help");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^Usage: mail-platform ${command} <file>`));
    expect(result.out).toContain("Exit codes:");
  });
});

describe("mail-platform render", () => {
  test("writes one directory per host with the Postfix and Dovecot files", async () => {
    const out = mkdtempSync(join(tmpdir(), "mail-platform-render-"));
    const result = await cli("render", EXAMPLE_FILE, "--out", out);
    expect(result.code).toBe(0);
    expect(readdirSync(out)).toEqual(["mx1"]);
    expect(readFileSync(join(out, "mx1/etc/postfix/main.cf"), "utf8")).toMatch(/^compatibility_level = 3\.6$/m);
    expect(existsSync(join(out, "mx1/etc/postfix/master.cf"))).toBe(true);
    expect(existsSync(join(out, "mx1/etc/dovecot/dovecot.conf"))).toBe(true);
  });

  test("writes nothing when the model is invalid", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "mail-platform-render-")), "out");
    const result = await cli("render", tempFile("broken.yaml", BROKEN), "--out", out);
    expect(result.code).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  test("exits 2 without --out", async () => {
    expect((await cli("render", EXAMPLE_FILE)).code).toBe(2);
  });
});

describe("the mail-platform process", () => {
  function spawn(...args: string[]) {
    return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  }

  test("exits 1 on a broken file with the problem list and no stack trace", async () => {
    const result = spawn("validate", tempFile("broken.yaml", BROKEN));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("hosts[1].name");
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe("");
  });

  test("exits 2 on a usage error and 0 on success", async () => {
    expect(spawn("validate").status).toBe(2);
    expect(spawn("validate", EXAMPLE_FILE).status).toBe(0);
  });
});

describe("rehearse (argument handling; the rehearsal itself runs in test/integration/rehearsal)", () => {
  test("refuses an unknown option, a short timeout and a missing file as usage errors", async () => {
    expect(await cli("rehearse", EXAMPLE_FILE, "--release", "debian-14")).toMatchObject({
      code: 2,
      err: expect.stringContaining("Unknown option '--release'"),
    });
    expect(await cli("rehearse", EXAMPLE_FILE, "--timeout", "5")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--timeout must be a whole number of seconds, at least 60"),
    });
    expect(await cli("rehearse")).toMatchObject({ code: 2, err: expect.stringContaining("missing <file>") });
  });

  test("refuses a model without a deployment, and an unknown host, before touching anything", async () => {
    const input = exampleInput();
    delete input.aws;
    expect(await cli("rehearse", tempFile("no-aws.yaml", stringify(input)))).toMatchObject({
      code: 1,
      err: expect.stringContaining("has no aws section: there is no deployment to rehearse"),
    });
    expect(await cli("rehearse", EXAMPLE_FILE, "--host", "mx9")).toMatchObject({ code: 1, err: expect.stringContaining('has no host "mx9" (hosts: mx1)') });
    expect(await cli("rehearse", EXAMPLE_FILE, "--hosts", "mx1,mx9")).toMatchObject({
      code: 1,
      err: expect.stringContaining('has no host "mx9" (hosts: mx1)'),
    });
  });

  test("takes --hosts as names separated by commas, each once, or all; never with --host", async () => {
    expect(await cli("rehearse", EXAMPLE_FILE, "--host", "mx1", "--hosts", "mx1")).toMatchObject({
      code: 2,
      err: expect.stringContaining("give either --host or --hosts, not both"),
    });
    for (const bad of ["mx1,,mx1", "mx1,mx1", ""]) {
      expect(await cli("rehearse", EXAMPLE_FILE, "--hosts", bad)).toMatchObject({
        code: 2,
        err: expect.stringContaining("--hosts takes host names separated by commas"),
      });
    }
  });

  test("shows its help, naming what it substitutes", async () => {
    const { code, out } = await cli("rehearse", "--help");
    expect(code).toBe(0);
    expect(out).toContain("Substituted, and listed in the report: aws.acmeServer");
  });
});

describe("local up --join (argument handling; two running hosts in test/integration/live/backup-mx.test.ts)", () => {
  test("refuses --join with --loopback, without --state-dir, and with its own state directory as usage errors", async () => {
    const first = mkdtempSync(join(tmpdir(), "mail-platform-join-"));
    expect(await cli("local", "up", EXAMPLE_FILE, "--join", first, "--state-dir", join(first, "x"), "--loopback", "127.0.77")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--join takes the loopback block of the instance it joins; leave out --loopback"),
    });
    expect(await cli("local", "up", EXAMPLE_FILE, "--join", first)).toMatchObject({
      code: 2,
      err: expect.stringContaining("--join needs --state-dir: the joining instance's own directory"),
    });
    expect(await cli("local", "up", EXAMPLE_FILE, "--join", first, "--state-dir", `${first}/.`)).toMatchObject({
      code: 2,
      err: expect.stringContaining("--join and --state-dir name the same directory"),
    });
  });

  test("exits 1 when no instance runs in the directory to join, and leaves the new state directory alone", async () => {
    const parent = mkdtempSync(join(tmpdir(), "mail-platform-join-"));
    const stateDir = join(parent, "second");
    const result = await cli("local", "up", EXAMPLE_FILE, "--join", join(parent, "first"), "--state-dir", stateDir);
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining(`mail-platform local up: no local instance in ${join(parent, "first")}`) });
    expect(existsSync(stateDir)).toBe(false);
  });

  test("documents --join in the help of local up and local down", async () => {
    expect((await cli("local", "up", "--help")).out).toMatch(/--join DIR +Run another host of the platform next to the running instance in DIR/);
    expect((await cli("local", "down", "--help")).out).toContain("an instance that joined another (local up --join) leaves the shared DNS server running");
  });
});
