/**
 * The rendered SRS configuration works with the real postsrsd of each host OS. The package's own
 * systemd unit starts Debian's launcher, the launcher sources the rendered /etc/default/postsrsd
 * and starts postsrsd (as its user, in its chroot), and the release's own Postfix lookup client
 * (`postmap -q` on the tables main.cf names) gets: an SRS0 address of the SRS domain for a foreign
 * envelope sender, nothing for the platform's own senders, and the original sender back from the
 * reverse table for that SRS address (nothing for a forged one).
 *
 * What the test changes, and only in a copy: the secret file (a fresh one, made as the first-boot
 * setup makes it), the two ports (free ones instead of 10001/10002) and the path of the defaults
 * file in the launcher. Everything else is the rendered file and the package's launcher verbatim.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "fs";
import { connect } from "net";
import { tmpdir } from "os";
import { join } from "path";
import type { PlatformInput } from "../../lib/model/schema";
import { plan } from "../../lib/plan/plan";
import { POSTSRSD_VERSION } from "../../lib/render/postsrsd/postsrsd";
import { parsePlatform } from "../../lib/validation/validate";
import { everyOs, type OsPrograms } from "../support/os-programs";
import { requirePrograms } from "../support/programs";
import { renderToTempDir } from "../support/render-to-dir";
import { variants } from "../support/variants";

const FORWARDING = variants().find((v) => v.name.endsWith("(SRS)"))!;
const FOREIGN_SENDER = "someone@sender.example";
const START_TIMEOUT_MS = 15_000;

/** Shell variables of a defaults file (`NAME=value` lines; the rendered file quotes nothing). */
function shellVariables(text: string): Map<string, string> {
  return new Map(
    text
      .split("\n")
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!] as const),
  );
}

/** Resolves once something accepts on the port; rejects when the daemon exits first or the time is up. */
function waitListening(port: number, daemon: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (daemon.exitCode !== null || daemon.signalCode !== null) return reject(new Error(`postsrsd exited before listening:\n${output()}`));
      if (Date.now() > deadline) return reject(new Error(`postsrsd not listening on ${port} after ${START_TIMEOUT_MS} ms:\n${output()}`));
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** Ends the daemon's process group (the one this test started), SIGKILL if SIGTERM is not enough. */
async function stop(daemon: ChildProcess): Promise<void> {
  if (daemon.pid === undefined || daemon.exitCode !== null || daemon.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
  process.kill(-daemon.pid, "SIGTERM");
  const timer = setTimeout(() => process.kill(-daemon.pid!, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

// Below Linux's ephemeral range (32768-60999): a port in it can be taken by any outgoing
// connection of a test running beside this one (postsrsd then exits with "Address already in use").
let nextPort = 20000 + (process.pid % 1000) * 4;

describe.each(everyOs().map((p) => [p.os, p] as const))("%s: the real postsrsd with the rendered configuration", (os, programs: OsPrograms) => {
  const input: PlatformInput = { ...structuredClone(FORWARDING.input), os };
  const srs = plan(parsePlatform(structuredClone(input))).srs;
  const forwardPort = nextPort++;
  const reversePort = nextPort++;
  let host: string;
  let work: string;
  let daemon: ChildProcess | undefined;
  let output = "";

  /** Postfix's own lookup client of the release, on a table as main.cf names it but with the test's port. */
  function lookup(table: string, key: string) {
    const moved = table.replace(/:10001$/, `:${forwardPort}`).replace(/:10002$/, `:${reversePort}`);
    return programs.run("postmap", ["-c", join(work, "postfix"), "-q", key, moved]);
  }
  /** A main.cf table of the rendered host, read with the release's postconf. */
  function table(name: string): string {
    return programs.run("postconf", ["-c", join(host, "etc/postfix"), "-h", name]).stdout.trim();
  }

  beforeAll(async () => {
    if (programs.native) requirePrograms("postsrsd", "postmap", "postconf");
    const out = renderToTempDir(input);
    host = join(out, readdirSync(out).sort()[0]!);
    work = mkdtempSync(join(tmpdir(), "mail-platform-postsrsd-"));
    // The secret as the first-boot setup makes it (base64 of 32 random bytes), mode 0600.
    writeFileSync(join(work, "secret"), `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    // The rendered file verbatim; the test's secret and ports after it (later assignments win in sh).
    const rendered = readFileSync(join(host, "etc/default/postsrsd"), "utf8");
    writeFileSync(
      join(work, "default-postsrsd"),
      `${rendered}\n# test overrides\nSRS_SECRET=${join(work, "secret")}\nSRS_FORWARD_PORT=${forwardPort}\nSRS_REVERSE_PORT=${reversePort}\n`,
    );
    // The package's launcher, reading the copy instead of /etc/default/postsrsd.
    const launcher = programs.run("cat", ["/usr/share/postsrsd/postsrsd-systemd-launcher"]).stdout;
    expect(launcher).toContain('. "/etc/default/postsrsd"');
    writeFileSync(join(work, "launcher"), launcher.replaceAll("/etc/default/postsrsd", join(work, "default-postsrsd")));
    // postmap needs a main.cf; an empty one (Postfix's defaults) is enough for a lookup.
    mkdirSync(join(work, "postfix"));
    writeFileSync(join(work, "postfix/main.cf"), "");

    const command = programs.command("sh", [join(work, "launcher")]);
    daemon = spawn(command.file, [...command.args], { env: command.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    daemon.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    daemon.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitListening(reversePort, daemon, () => output);
    await waitListening(forwardPort, daemon, () => output);
  }, 10 * 60_000);

  afterAll(async () => {
    if (daemon) await stop(daemon);
  });

  test(`the release ships postsrsd ${POSTSRSD_VERSION}, whose systemd unit runs Debian's launcher (the reader of /etc/default/postsrsd)`, () => {
    expect(programs.run("postsrsd", ["-v"]).stdout.trim()).toBe(POSTSRSD_VERSION);
    const files = programs.run("dpkg", ["-L", "postsrsd"]).stdout.split("\n");
    const unit = files.find((f) => f.endsWith("/systemd/system/postsrsd.service"))!;
    expect(programs.run("cat", [unit]).stdout).toMatch(/^ExecStart=\/usr\/share\/postsrsd\/postsrsd-systemd-launcher$/m);
    // No file of postsrsd 2.x: a rendered /etc/postsrsd.conf would be read by nothing.
    expect(files.filter((f) => f.startsWith("/etc/"))).not.toContain("/etc/postsrsd.conf");
  });

  test("main.cf's canonical maps name the TCP tables the defaults file makes postsrsd listen on", () => {
    const defaults = shellVariables(readFileSync(join(host, "etc/default/postsrsd"), "utf8"));
    const address = defaults.get("SRS_LISTEN_ADDR");
    expect([table("sender_canonical_maps"), table("recipient_canonical_maps")]).toEqual([
      `tcp:${address}:${defaults.get("SRS_FORWARD_PORT")}`,
      `tcp:${address}:${defaults.get("SRS_REVERSE_PORT")}`,
    ]);
    expect(address).toBe("127.0.0.1");
  });

  test("postsrsd runs with the rendered domain and excluded domains, as its user, in its chroot", () => {
    if (!srs.enabled) throw new Error("the SRS variant must enable SRS");
    const defaults = shellVariables(readFileSync(join(host, "etc/default/postsrsd"), "utf8"));
    // The daemon of this test: the postsrsd in the session it was started in (ps of this machine, one process table).
    const [pid, uid, ...args] = spawnSync("ps", ["-o", "pid=,uid=,args=", "--sid", String(daemon!.pid)], { encoding: "utf8" })
      .stdout.split("\n")
      .find((line) => / \/usr\/sbin\/postsrsd /.test(line))!
      .trim()
      .split(/\s+/);
    expect(args.join(" ")).toContain(`-d ${srs.domain}`);
    expect(args.join(" ")).toContain(`-f ${forwardPort} -r ${reversePort}`);
    expect(uid).toBe(programs.run("id", ["-u", defaults.get("RUN_AS")!]).stdout.trim());
    expect(uid).not.toBe("0");
    expect(readlinkSync(`/proc/${pid}/root`)).toMatch(new RegExp(`${defaults.get("CHROOT")!.replaceAll("/", "\\/")}$`));
  });

  test("rewrites a foreign envelope sender to an SRS0 address of the SRS domain", () => {
    if (!srs.enabled) throw new Error("the SRS variant must enable SRS");
    const result = lookup(table("sender_canonical_maps"), FOREIGN_SENDER);
    const domain = srs.domain.replaceAll(".", "\\.");
    expect({ status: result.status, stderr: result.stderr, address: result.stdout.trim() }).toEqual({
      status: 0,
      stderr: "",
      address: expect.stringMatching(new RegExp(`^SRS0=[A-Za-z0-9+/]{4}=[A-Z0-9]{2}=sender\\.example=someone@${domain}$`)),
    });
  });

  test("leaves a sender of every platform domain alone (not found, not an error)", () => {
    if (!srs.enabled) throw new Error("the SRS variant must enable SRS");
    const forward = table("sender_canonical_maps");
    for (const domain of srs.excludedDomains) {
      const result = lookup(forward, `boss@${domain}`);
      expect({ domain, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ domain, status: 1, stdout: "", stderr: "" });
    }
  });

  test("the reverse table turns the SRS address back into the original sender, and refuses a forged one", () => {
    const srsAddress = lookup(table("sender_canonical_maps"), FOREIGN_SENDER).stdout.trim();
    const reverse = table("recipient_canonical_maps");
    const back = lookup(reverse, srsAddress);
    expect({ status: back.status, stderr: back.stderr, address: back.stdout.trim() }).toEqual({ status: 0, stderr: "", address: FOREIGN_SENDER });
    const forged = srsAddress.replace(/^SRS0=.{4}=/, (hash) => (hash === "SRS0=AAAA=" ? "SRS0=BBBB=" : "SRS0=AAAA="));
    const refused = lookup(reverse, forged);
    expect({ status: refused.status, stdout: refused.stdout }).toEqual({ status: 1, stdout: "" });
  });
});
