/**
 * The systemd drop-ins that hold Postfix back until rspamd's milters listen: systemd reads them
 * without complaint (this machine's systemd-analyze, with Debian 12's own rspamd and Postfix units),
 * and the wait rspamd's start ends with waits for listening sockets, not for socket files (a
 * previous run leaves those behind). The boot order on a host, on both releases, is shown by the
 * deploy rehearsal.
 */
import { spawn, spawnSync } from "child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { createServer, type Server } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { plan } from "../../lib/plan/plan";
import { renderHost } from "../../lib/render/host-files";
import { postfixDropIn, RSPAMD_DROP_IN, renderRspamdDropIn } from "../../lib/rollout/content-filter-units";
import { productionBundle } from "../../lib/rollout/production-bundle";
import { exampleSpec } from "../support/example";

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
