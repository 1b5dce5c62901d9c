/**
 * The systemd drop-ins that hold Postfix back until rspamd's milters listen: systemd reads them
 * without complaint (this machine's systemd-analyze, with Debian 12's own rspamd and Postfix units),
 * and the wait rspamd's start ends with waits for listening sockets, not for socket files (a
 * previous run leaves those behind). The boot order on a host, on both releases, is shown by the
 * deploy rehearsal.
 */
import { spawn, spawnSync } from "child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "fs";
import { createServer, type Server } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { plan } from "../../lib/plan/plan";
import { renderHost } from "../../lib/render/host-files";
import { postfixDropIn, RSPAMD_DROP_IN, renderRspamdDropIn } from "../../lib/rollout/content-filter-units";
import { productionBundle } from "../../lib/rollout/production-bundle";
import { exampleSpec } from "../support/example";
import { renderRspamdWarmupConfig, RSPAMD_TLD_DONE } from "../../lib/rollout/bootstrap/rspamd-warmup";
import { RSPAMD_USER } from "../../lib/render/rspamd/rspamd";
import { rspamdLogSpan } from "../support/rspamd-log";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mp-cf-units-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function bundleFiles(enabled: boolean, os: "debian-12" | "debian-13" = "debian-12") {
  const spec = exampleSpec((i) => {
    i.contentFilter = { enabled };
    i.os = os;
  });
  const p = plan(spec);
  const host = p.hosts[0]!;
  return productionBundle(p, host, renderHost(p, host)).files;
}

test("the bundle carries rspamd's drop-in and one for the unit that runs Postfix's master, per release; none without the content filter", () => {
  expect(postfixDropIn("debian-12")).toBe("/etc/systemd/system/postfix@.service.d/mail-platform.conf");
  expect(postfixDropIn("debian-13")).toBe("/etc/systemd/system/postfix.service.d/mail-platform.conf");
  for (const os of ["debian-12", "debian-13"] as const) {
    const paths = bundleFiles(true, os).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining([RSPAMD_DROP_IN, postfixDropIn(os)]));
    expect(paths.filter((p) => p.startsWith("/etc/systemd/system/postfix"))).toEqual([postfixDropIn(os)]);
    const without = bundleFiles(false, os).map((f) => f.path);
    expect(without.filter((p) => p.startsWith("/etc/systemd/system/") && p.endsWith(".d/mail-platform.conf"))).toEqual([]);
  }
});

test("systemd-analyze verify reads Debian 12's units with the drop-ins and reports nothing", () => {
  const files = bundleFiles(true, "debian-12");
  for (const [unit, dropIn] of [
    ["rspamd.service", RSPAMD_DROP_IN],
    ["postfix@.service", postfixDropIn("debian-12")],
  ] as const) {
    copyFileSync(`/lib/systemd/system/${unit}`, join(dir, unit));
    mkdirSync(join(dir, `${unit}.d`));
    writeFileSync(join(dir, `${unit}.d`, "mail-platform.conf"), files.find((f) => f.path === dropIn)!.content);
  }
  const verify = (unit: string) =>
    spawnSync("systemd-analyze", ["verify", join(dir, unit)], { env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` }, encoding: "utf8" });
  for (const unit of ["rspamd.service", "postfix@.service"]) {
    const result = verify(unit);
    expect({ unit, status: result.status, stderr: result.stderr }).toEqual({ unit, status: 0, stderr: "" });
  }
  // The negative control: systemd-analyze does read the drop-in (a broken one is reported).
  writeFileSync(join(dir, "rspamd.service.d", "mail-platform.conf"), "[Service]\nExecStartPost=/bin/sh -c 'unbalanced\n");
  expect(verify("rspamd.service").stderr).toMatch(/mail-platform\.conf:2: Unbalanced quoting/);
});

/** The shell command of the rendered ExecStartPost= (systemd passes the single-quoted text to sh as one word). */
function waitCommand(dropIn: string): string {
  const line = dropIn.split("\n").find((l) => l.startsWith("ExecStartPost="))!;
  const match = /^ExecStartPost=\/bin\/sh -c '([^']*)'$/.exec(line);
  if (!match) throw new Error(`unexpected ExecStartPost line: ${line}`);
  return match[1]!;
}

/** Whether the wait ends within the given time (exit 0), or is still waiting (killed by timeout, exit 124). */
function waitEnds(command: string, seconds: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn("timeout", [String(seconds), "sh", "-c", command], { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(true) : code === 124 ? resolve(false) : reject(new Error(`wait exited ${code}`))));
  });
}

const listen = (path: string) =>
  new Promise<Server>((resolve) => {
    const server = createServer((socket) => socket.end());
    server.listen(path, () => resolve(server));
  });
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

test("the wait ends once both sockets listen; stale socket files or one socket alone keep it waiting", async () => {
  const sockets = [join(dir, "inbound.sock"), join(dir, "submission.sock")];
  const command = waitCommand(renderRspamdDropIn(sockets));
  expect(await waitEnds(command, 1)).toBe(false); // nothing there

  // What a stopped rspamd leaves: socket files nobody listens on (bound, never listened, process gone).
  for (const path of sockets) {
    const bound = spawnSync("python3", ["-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])", path]);
    expect(bound.status).toBe(0);
  }
  expect(await waitEnds(command, 1)).toBe(false);

  for (const path of sockets) rmSync(path);
  const first = await listen(sockets[0]!);
  expect(await waitEnds(command, 1)).toBe(false);
  const second = await listen(sockets[1]!);
  try {
    expect(await waitEnds(command, 10)).toBe(true);
  } finally {
    await close(first);
    await close(second);
  }
});

describe("the first boot's warm-up of rspamd's TLD list (Debian 12's rspamd, as on this machine)", () => {
  /** Runs rspamd as the service's user on the warm-up's configuration until it logged the list's end (or 120 s). */
  async function warmUp(cacheDirectory: string) {
    const host = plan(exampleSpec((i) => (i.os = "debian-12"))).hosts[0]!;
    const config = join(dir, "warmup.conf");
    writeFileSync(config, renderRspamdWarmupConfig(host, join(dir, "run"), cacheDirectory));
    const child = spawn("runuser", ["-u", RSPAMD_USER, "--", "rspamd", "-f", "-c", config], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${RSPAMD_TLD_DONE}" within 120 s:\n${log}`)), 120_000);
      const read = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes(RSPAMD_TLD_DONE)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", read);
      child.stderr.on("data", read);
      child.on("exit", () => {
        clearTimeout(timer);
        reject(new Error(`rspamd ended before the list was compiled:\n${log}`));
      });
    });
    try {
      await done;
      // Let it fork what it forks, then list what the process tree listens on: nothing.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // rspamd renames its processes: the tree is found from runuser's pid down.
      const pids: string[] = [];
      for (let parents = [String(child.pid)]; parents.length > 0;) {
        parents = parents.flatMap((pid) => spawnSync("pgrep", ["-P", pid], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean));
        pids.push(...parents);
      }
      const listening = spawnSync("ss", ["-Hlnp"], { encoding: "utf8" })
        .stdout.split("\n")
        .filter((line) => pids.some((pid) => line.includes(`pid=${pid},`)));
      return { log, pids, listening };
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(undefined)));
    }
  }

  test("compiles the list into the cache directory without binding a socket; the next start loads it in seconds", async () => {
    mkdirSync(join(dir, "run"));
    const cache = join(dir, "cache");
    mkdirSync(cache);
    // rspamd's user writes both, as the service's RuntimeDirectory and /var/lib/rspamd on a host.
    spawnSync("chown", [RSPAMD_USER, dir, join(dir, "run"), cache]);
    const first = await warmUp(cache);
    expect(first.pids.length).toBeGreaterThan(0);
    expect(first.listening).toEqual([]);
    const seconds = (log: string) => rspamdLogSpan(log, "TLD suffixes", RSPAMD_TLD_DONE);
    const databases = readdirSync(cache).filter((name) => name.endsWith(".hsmp") && statSync(join(cache, name)).size > 10_000_000);
    expect(databases).toHaveLength(1);
    // The same list from the cache: no compile (it took 10 s of CPU or more above).
    const second = await warmUp(cache);
    expect(seconds(second.log)).toBeLessThanOrEqual(2);
    expect(seconds(first.log)).toBeGreaterThan(seconds(second.log)!);
  }, 300_000);
});
