/**
 * `mail-platform local up` / `local down` as a user runs them: one JSON object on stdout, a
 * running instance that differs from production only by the test overlay, and nothing left
 * running after `down`.
 */
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stateLayout } from "../../../lib/local/conventions";
import { postfixOverlay, dovecotOverlay } from "../../../lib/local/overlay";
import { isAlive, pidFromFile, processTree } from "../../../lib/local/processes";
import { parsePlatform } from "../../../lib/validation/validate";
import { plan } from "../../../lib/plan/plan";
import { EXAMPLE_FILE, exampleInput } from "../../support/example";
import { requirePrograms } from "../../support/programs";

const BIN = join(__dirname, "..", "..", "..", "bin", "mail-platform.js");
const BLOCK = "127.0.60";

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });
}

function postconfN(dir: string): Map<string, string> {
  const out = spawnSync("postconf", ["-c", dir, "-n"], { encoding: "utf8" }).stdout;
  return new Map(
    out
      .trim()
      .split("\n")
      .map((line) => line.split(" = ") as [string, string]),
  );
}

/** Processes whose command line or environment names a directory. */
function processesMentioning(dir: string): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      if (!isAlive(pid)) return false;
      try {
        const text = readFileSync(`/proc/${pid}/cmdline`, "utf8") + readFileSync(`/proc/${pid}/environ`, "utf8");
        return text.includes(dir);
      } catch {
        return false;
      }
    });
}

function listeningOn(block: string): string[] {
  return spawnSync("ss", ["-Hltn"], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((line) => line.includes(` ${block}.`));
}

describe("mail-platform local up / down", () => {
  const parent = mkdtempSync(join(tmpdir(), "mail-platform-cli-"));
  // Postfix, Dovecot and named run as their own users and must reach the state directory.
  chmodSync(parent, 0o755);
  const stateDir = join(parent, "state");
  let up: ReturnType<typeof cli>;
  let info: Record<string, unknown>;
  let processes: number[] = [];

  beforeAll(() => {
    requirePrograms("postfix", "dovecot", "named", "openssl");
    up = cli("local", "up", EXAMPLE_FILE, "--state-dir", stateDir, "--loopback", BLOCK);
    info = JSON.parse(up.stdout);
    const layout = stateLayout(stateDir);
    processes = [join(layout.spool, "pid", "master.pid"), join(layout.dovecotBase, "master.pid"), join(layout.dns, "named.pid")]
      .map(pidFromFile)
      .filter((p): p is number => p !== undefined)
      .flatMap(processTree);
  }, 180_000);

  afterAll(() => {
    if (existsSync(stateLayout(stateDir).stateFile)) cli("local", "down", "--state-dir", stateDir);
  }, 60_000);

  test("up prints exactly one JSON object with addresses, enabled ports, CA file, user and state directory", () => {
    expect(up.status).toBe(0);
    expect(up.stdout.trim().split("\n")).toHaveLength(1);
    expect(Object.keys(info).sort()).toEqual(["addresses", "caFile", "ports", "stateDir", "user"]);
    expect(info.addresses).toEqual({ business: `${BLOCK}.11`, private: `${BLOCK}.12` });
    expect(info.ports).toEqual({ smtp: 25, submissions: 465, submission: 587, imaps: 993, pop3s: 995 });
    expect(existsSync(String(info.caFile))).toBe(true);
    expect(info.user).toEqual({ name: "tester@acme-corp.example", password: expect.stringMatching(/^[0-9a-f]{36}$/) });
    expect(info.stateDir).toBe(stateDir);
  });

  test("the instance's Postfix differs from production only by the overlay and the loopback substitutions", () => {
    const layout = stateLayout(stateDir);
    const production = postconfN(join(layout.production, "mx1", "etc", "postfix"));
    const running = postconfN(layout.postfixConfig);
    const example = plan(parsePlatform(exampleInput()));
    const overlay = Object.keys(postfixOverlay(example, layout));
    const changed = [...new Set([...production.keys(), ...running.keys()])].filter((k) => production.get(k) !== running.get(k)).sort();
    // config_directory is where each file was read from; the chain files come from the test CA; the
    // DH parameters (Postfix 3.7) are the same file, in the instance's state directory. The milters'
    // sockets are named relative to the queue directory: the same text as in production.
    const dhFile = "smtpd_tls_dh1024_param_file";
    const moved = production.has(dhFile) ? [dhFile] : [];
    expect(changed).toEqual([...overlay, "config_directory", "smtpd_tls_chain_files", ...moved].sort());
    expect(running.get("smtpd_milters")).toBe(production.get("smtpd_milters"));
    for (const key of moved) expect(readFileSync(running.get(key)!, "utf8")).toBe(readFileSync(join(layout.production, "mx1", production.get(key)!), "utf8"));
  });

  test("the instance's dovecot.conf is production plus a titled overlay section", () => {
    const conf = readFileSync(stateLayout(stateDir).dovecotConf, "utf8");
    const [, overlaySection] = conf.split("# == Local test overlay (mail-platform local): never part of production output ==\n");
    expect(
      overlaySection!
        .trim()
        .split("\n")
        .map((l) => l.split(" = ")[0]),
    ).toEqual(Object.keys(dovecotOverlay(stateLayout(stateDir), plan(parsePlatform(exampleInput())))));
  });

  test("up refuses a second instance in the same state directory", () => {
    const again = cli("local", "up", EXAMPLE_FILE, "--state-dir", stateDir, "--loopback", BLOCK);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`an instance is already running in ${stateDir}`);
    expect(again.stdout).toBe("");
  });

  test("down stops every process it started and leaves nothing listening", () => {
    expect(processes.length).toBeGreaterThan(5);
    expect(listeningOn(BLOCK).length).toBeGreaterThan(0);
    const down = cli("local", "down", "--state-dir", stateDir);
    expect(down.status).toBe(0);
    expect(down.stderr).toMatch(/stopped \d+ processes/);
    expect(processes.filter(isAlive)).toEqual([]);
    expect(processesMentioning(stateDir)).toEqual([]);
    expect(listeningOn(BLOCK)).toEqual([]);
  });

  test("up explains a state directory other users cannot reach", () => {
    const hidden = join(mkdtempSync(join(tmpdir(), "mail-platform-hidden-")), "state");
    const result = cli("local", "up", EXAMPLE_FILE, "--state-dir", hidden, "--loopback", "127.0.63");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/is not accessible to other users \(mode 700\)/);
  });

  test("down without an instance says so and exits 1", () => {
    const down = cli("local", "down", "--state-dir", stateDir);
    expect(down.status).toBe(1);
    expect(down.stderr).toContain(`no local instance in ${stateDir}`);
  });
});
