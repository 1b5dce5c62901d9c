/**
 * The rendered rspamd files are accepted by the real `rspamadm configtest` of each host OS (Debian
 * 12's rspamd 3.4, Debian 13's 3.12), read as on a host: Debian's /etc/rspamd/rspamd.conf with the
 * rendered directory as its LOCAL_CONFDIR (the production bundle's check does the same on the
 * staged files). configtest must also say nothing on stderr: the bundle's checks treat any output
 * there as a failure. And what the files mean is what rspamd reads (configdump): each group's
 * thresholds in its settings, greylisting off by default, the submission milter quarantining, the
 * sending limits' rules (a bad selector only shows on stderr: configtest still says "syntax OK").
 * redis.conf: each release's redis-server starts with it (and stops at once on a broken one).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import type { HostOs } from "../../lib/catalogue/host-os";
import type { PlatformInput } from "../../lib/model/schema";
import { plan } from "../../lib/plan/plan";
import { renderHost } from "../../lib/render/host-files";
import { REDIS_CONF, RSPAMD_CONF_DIR } from "../../lib/render/rspamd/rspamd";
import { parsePlatform } from "../../lib/validation/validate";
import { exampleInput } from "../support/example";
import { programsOf } from "../support/os-programs";
import { spreadOverThreeHosts } from "../support/variants";

function models(): Array<readonly [string, PlatformInput]> {
  const spread = exampleInput();
  spreadOverThreeHosts(spread);
  const tuned = exampleInput();
  tuned.contentFilter = { inbound: { greylistScore: 4 }, outbound: { holdScore: 8 } };
  tuned.groups[1]!.contentFilter = { rejectScore: 9, addHeaderScore: 5, greylistScore: false };
  const antivirus = exampleInput();
  antivirus.contentFilter = { antivirus: true };
  for (const placement of Object.values(antivirus.aws!.hosts)) placement.instanceType = "t3.medium";
  const limits = exampleInput();
  limits.sendingLimits = { perUser: { messagesPerHour: 5, recipientsPerDay: 8 } };
  limits.groups[1]!.sendingLimits = { perGroup: { messagesPerHour: 3 }, warmUp: { startDate: "2026-12-01", firstDayMessages: 2000 } };
  return [
    ["example", exampleInput()],
    ["spread over three hosts", spread],
    ["greylisting and a group's own thresholds", tuned],
    ["antivirus", antivirus],
    ["sending limits with a group's own", limits],
  ];
}

/** Render every host of a model for an OS below a fresh directory; their rspamd configuration directories. */
function renderedConfDirs(input: PlatformInput, os: HostOs): string[] {
  const planned = plan(parsePlatform({ ...structuredClone(input), os }));
  const root = mkdtempSync(join(tmpdir(), "mail-platform-rspamd-"));
  return planned.hosts.map((host) => {
    for (const file of renderHost(planned, host).files) {
      const target = join(root, host.name, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
    return join(root, host.name, RSPAMD_CONF_DIR);
  });
}

/** The text of a configdump block `name { ... }` (braces counted; key order differs between rspamd versions). */
function block(dump: string, name: string): string {
  const start = dump.indexOf(`${name} {`);
  if (start < 0) return "";
  let depth = 0;
  for (let i = dump.indexOf("{", start); i < dump.length; i++) {
    if (dump[i] === "{") depth++;
    if (dump[i] === "}" && --depth === 0) return dump.slice(start, i + 1);
  }
  return "";
}

describe.each((["debian-12", "debian-13"] as const).map((os) => [os, programsOf(os)] as const))("%s: rspamadm configtest", (os, programs) => {
  const configtest = (dir: string) =>
    programs.run("rspamadm", [`--var=LOCAL_CONFDIR=${dir}`, "configtest", "-c", "/etc/rspamd/rspamd.conf"], { timeoutMs: 120_000 });
  const dump = (dir: string, section: string) =>
    programs.run("rspamadm", [`--var=LOCAL_CONFDIR=${dir}`, "configdump", "-c", "/etc/rspamd/rspamd.conf", section], { timeoutMs: 120_000 }).stdout;

  test.each(models())(
    "accepts the rendered files of every host, silently (%s)",
    (_name, input) => {
      for (const dir of renderedConfDirs(input, os)) {
        const result = configtest(dir);
        expect({ dir, status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() }).toEqual({
          dir,
          status: 0,
          stdout: "syntax OK",
          stderr: "",
        });
      }
    },
    600_000,
  );

  test("reads what the model says: each group's thresholds, no greylisting by default, the quarantining submission milter", () => {
    const [dir] = renderedConfDirs(models()[2]![1], os);
    const settings = dump(dir!, "settings");
    // private (the second group) has its own thresholds; business has the platform's, greylisting at 4.
    expect(block(settings, "inbound-private")).toMatch(/reject = 9;/);
    expect(block(settings, "inbound-private")).toMatch(/greylist = null;/);
    expect(block(settings, "inbound-business")).toMatch(/greylist = 4;/);
    expect(block(settings, "outbound")).toMatch(/reject = 8;/);
    expect(block(settings, "outbound")).toMatch(/add_header = null;/);
    const actions = dump(renderedConfDirs(exampleInput(), os)[0]!, "actions");
    expect(actions).toMatch(/reject = 15;/);
    // 3.4 drops the key, 3.12 keeps it as null: either way no greylisting threshold.
    expect(actions).not.toMatch(/greylist = [\d.]+;/);
    const workers = dump(dir!, "worker");
    const submission = workers.split(/\n(?=rspamd_proxy \{|normal \{|controller \{|fuzzy \{)/).find((w) => w.includes("rspamd/submission.sock")) ?? "";
    expect(submission).toMatch(/quarantine_on_reject = true;/);
    const inbound = workers.split(/\n(?=rspamd_proxy \{|normal \{|controller \{|fuzzy \{)/).find((w) => w.includes("rspamd/inbound.sock")) ?? "";
    expect(inbound).toMatch(/quarantine_on_reject = false;/);
  }, 600_000);

  test("reads the sending limits as modelled: each group's rules with their selectors and buckets, no dynamic multipliers", () => {
    const [dir] = renderedConfDirs(models()[4]![1], os);
    const ratelimit = dump(dir!, "ratelimit");
    expect(block(ratelimit, "user-hour-business")).toMatch(/burst = 5;/);
    expect(block(ratelimit, "user-hour-business")).toMatch(/skip_recipients = true;/);
    // 3.4 dumps the selector double-quoted (inner quotes escaped), 3.12 single-quoted.
    expect(block(ratelimit, "user-hour-business")).toMatch(/prepend\(\\?"uh:\\?"\)/);
    expect(block(ratelimit, "user-recipients-day-private")).toMatch(/burst = 8;/);
    expect(block(ratelimit, "user-recipients-day-private")).not.toMatch(/skip_recipients/);
    expect(block(ratelimit, "group-hour-private")).toMatch(/burst = 3;/);
    expect(block(ratelimit, "group-hour-private")).toMatch(/id\(\\?"gh:private\\?"\)/);
    expect(block(ratelimit, "group-hour-business")).toMatch(/burst = 2000;/);
    // private's warm-up: 2000 on its first day, 4000 and 8000 on the next two (its normal cap: 10000)
    expect(block(ratelimit, "group-warmup-private-1")).toMatch(/burst = 2000;/);
    expect(block(ratelimit, "group-warmup-private-3")).toMatch(/burst = 8000;/);
    expect(block(ratelimit, "group-warmup-private-3")).toMatch(/equal\(\\?"2026-12-03\\?"\)/);
    expect(block(ratelimit, "group-warmup-private-4")).toBe("");
    expect(ratelimit).toMatch(/max_bucket_mult = 1;/);
    expect(ratelimit).toMatch(/max_rate_mult = 1;/);
    expect(ratelimit).toContain("nobody@rate-limits.invalid");
    expect(ratelimit).not.toMatch(/postmaster/);
  }, 600_000);

  test("refuses a broken selector of a sending limit (on stderr: rspamd logs it and drops the rule)", () => {
    const [dir] = renderedConfDirs(exampleInput(), os);
    const file = join(dir!, "local.d", "ratelimit.conf");
    writeFileSync(file, readFileSync(file, "utf8").replace('.prepend("uh:")', '.nosuchtransform("uh:")'));
    const result = configtest(dir!);
    expect(result.stderr).toMatch(/bad ratelimit selector for user-hour-business/);
  }, 600_000);

  test("redis-server starts with the rendered redis.conf (a socket instead of its TCP port, data below a temporary directory), not with a broken one", () => {
    const [dir] = renderedConfDirs(exampleInput(), os);
    const conf = join(dir!, "..", "..", REDIS_CONF);
    const data = mkdtempSync(join(tmpdir(), "mail-platform-redis-"));
    // Still running after 3 s (killed by timeout, 124): the file was read and accepted.
    const start = (file: string) =>
      programs.run("timeout", ["3", "redis-server", file, "--port", "0", "--unixsocket", join(data, "redis.sock"), "--dir", data, "--save", ""], {
        timeoutMs: 30_000,
      });
    const started = start(conf);
    expect({ status: started.status, out: `${started.stdout}${started.stderr}` }).toEqual({
      status: 124,
      out: expect.stringMatching(/ready to accept connections/i),
    });
    writeFileSync(join(data, "broken.conf"), "maxmemory-policy sometimes\n");
    const broken = start(join(data, "broken.conf"));
    expect(broken.status).toBe(1);
    expect(broken.stdout + broken.stderr).toContain("FATAL CONFIG FILE ERROR");
  }, 120_000);

  test("runs the rendered Lua rules (the text analysis limit): a broken rule file fails the check, naming it", () => {
    const [dir] = renderedConfDirs(exampleInput(), os);
    const lua = join(dir!, "rspamd.local.lua");
    expect(readFileSync(lua, "utf8")).toContain("local MAX_BYTES = 524288");
    writeFileSync(lua, `${readFileSync(lua, "utf8")}this is not lua(\n`);
    const result = configtest(dir!);
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain("rspamd.local.lua");
  }, 120_000);

  test("refuses a broken file (the check can fail)", () => {
    const [dir] = renderedConfDirs(exampleInput(), os);
    writeFileSync(join(dir!, "local.d", "settings.conf"), "outbound { apply { actions { reject = ; } }\n");
    const result = configtest(dir!);
    expect(result.status === 0 && result.stderr.trim() === "").toBe(false);
  }, 600_000);
});
