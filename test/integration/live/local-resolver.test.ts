/**
 * The host's resolver, running: the real unbound with the rendered unbound.conf (moved onto a
 * loopback address of this test's block, its trust anchor and control socket into a temporary
 * directory), Debian 13's and Debian 12's, in front of a real named that serves zones signed here with dnssec-signzone. There is
 * no Internet here, so the test zones get trust anchors of their own (their DS records), as the
 * root's key anchors every zone on a host. Shown: a signed answer carries the AD flag; an answer
 * whose signature no longer matches is SERVFAIL, never the forged data; a blocklist answer
 * (127.0.0.2) passes unfiltered; a client from a non-loopback address is refused. Loopback block
 * 127.0.160.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { appendFileSync, chmodSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parsePlatform } from "../../../lib/validation/validate";
import { plan } from "../../../lib/plan/plan";
import { renderUnboundConf } from "../../../lib/render/unbound/unbound-conf";
import { exampleInput } from "../../support/example";
import { requirePrograms } from "../../support/programs";
import { everyOs } from "../../support/os-programs";

const BLOCK = "127.0.160";
const RESOLVER = `${BLOCK}.1`;
const AUTHORITY = `${BLOCK}.53`;
// Not below .test: unbound answers that name NXDOMAIN itself (a default local zone, RFC 6761).
const SIGNED = "signed.example";
const BROKEN = "broken.example";

let dir: string;
let named: ChildProcess | undefined;
const added: string[] = [];
let signed: { file: string; ds: string };
let broken: { file: string; ds: string };

function run(program: string, args: readonly string[], cwd?: string): string {
  const result = spawnSync(program, args, { encoding: "utf8", cwd, timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${program} ${args.join(" ")} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** A zone signed with a fresh KSK and ZSK; returns the signed file and the DS records of the zone. */
function signZone(zone: string, records: readonly string[]): { file: string; ds: string } {
  const file = join(dir, `${zone}.zone`);
  writeFileSync(
    file,
    [`$TTL 60`, `@ IN SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 60`, `@ IN NS ns.${zone}.`, `ns IN A ${AUTHORITY}`, ...records, ""].join("\n"),
  );
  run("dnssec-keygen", ["-q", "-K", dir, "-a", "ECDSAP256SHA256", "-f", "KSK", "-n", "ZONE", zone]);
  run("dnssec-keygen", ["-q", "-K", dir, "-a", "ECDSAP256SHA256", "-n", "ZONE", zone]);
  run("dnssec-signzone", ["-q", "-S", "-K", dir, "-d", dir, "-o", zone, "-f", `${file}.signed`, file], dir);
  return { file: `${file}.signed`, ds: readFileSync(join(dir, `dsset-${zone}.`), "utf8") };
}

/** dig against the resolver; its whole output. */
function dig(name: string, type: string, source?: string): string {
  const args = ["+dnssec", "+time=3", "+tries=1", `@${RESOLVER}`, type, name, ...(source === undefined ? [] : ["-b", source])];
  return spawnSync("dig", args, { encoding: "utf8", timeout: 20_000 }).stdout;
}

const status = (out: string) => /status: (\w+)/.exec(out)?.[1];
const flags = (out: string) => (/;; flags: ([a-z ]+);/.exec(out)?.[1] ?? "").split(" ");
const answers = (out: string, type: string) =>
  out
    .split("\n")
    .filter((line) => !line.startsWith(";") && line.split(/\s+/)[3] === type)
    .map((line) => line.split(/\s+/)[4]);

async function waitForAnswer(server: string, name: string, what: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const out = spawnSync("dig", ["+time=1", "+tries=1", `@${server}`, "SOA", name], { encoding: "utf8" }).stdout;
    if (status(out) !== undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} on ${server} did not answer within 10 s`);
}

/** Stop a daemon and its process group (unbound of another release runs below unshare and chroot). */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  requirePrograms("unbound", "named", "dig", "dnssec-signzone", "dnssec-keygen");
  dir = mkdtempSync(join(tmpdir(), "mail-platform-resolver-"));
  chmodSync(dir, 0o755);
  for (const address of [RESOLVER, AUTHORITY]) {
    const result = spawnSync("ip", ["addr", "add", `${address}/32`, "dev", "lo"], { encoding: "utf8" });
    if (result.status === 0) added.push(address);
    else if (!/File exists/.test(result.stderr)) throw new Error(`ip addr add ${address}: ${result.stderr}`);
  }

  signed = signZone(SIGNED, ["www IN A 192.0.2.80", "2.0.0.127.dnsbl IN A 127.0.0.2", '2.0.0.127.dnsbl IN TXT "listed for the test"']);
  broken = signZone(BROKEN, ["www IN A 192.0.2.80"]);
  // The data changes after signing: its signature no longer matches (as a forged answer's would not).
  const text = readFileSync(broken.file, "utf8");
  const forged = text.replace(/(www\.broken\.example\.\s+\d+\s+IN\s+A\s+)192\.0\.2\.80/, "$1192.0.2.66");
  expect(forged).not.toBe(text);
  writeFileSync(broken.file, forged);

  const namedConf = join(dir, "named.conf");
  writeFileSync(
    namedConf,
    `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  listen-on port 53 { ${AUTHORITY}; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
};
zone "${SIGNED}" { type primary; file "${signed.file}"; };
zone "${BROKEN}" { type primary; file "${broken.file}"; };
`,
  );
  named = spawn("named", ["-c", namedConf, "-f"], { detached: true, stdio: ["ignore", "ignore", openSync(join(dir, "named.log"), "a")] });
  await waitForAnswer(AUTHORITY, SIGNED, "named");
}, 60_000);

afterAll(async () => {
  await stop(named);
  for (const address of added) spawnSync("ip", ["addr", "del", `${address}/32`, "dev", "lo"]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(everyOs().map((p) => [p.os, p] as const))("%s: unbound with the rendered unbound.conf", (_os, programs) => {
  let unbound: ChildProcess | undefined;
  const log = () => join(dir, `unbound-${programs.os}.log`);

  beforeAll(async () => {
    // The rendered file as the host gets it, on this test's address; the test zones' anchors and
    // their server, and the process settings of a test (root, no chroot, files here) added after it.
    const planned = plan(parsePlatform({ ...exampleInput(), os: programs.os }));
    const rootKey = join(dir, "root.key");
    copyFileSync("/usr/share/dns/root.key", rootKey);
    const rendered = renderUnboundConf(planned, planned.hosts[0]!, {
      interfaces: [RESOLVER],
      rootTrustAnchorFile: rootKey,
      controlSocket: join(dir, "unbound.ctl"),
    });
    const conf = join(dir, `unbound-${programs.os}.conf`);
    writeFileSync(conf, rendered.content);
    const anchors = [SIGNED, BROKEN].map((zone) => {
      const file = join(dir, `${zone}.ds`);
      writeFileSync(file, (zone === SIGNED ? signed : broken).ds);
      return `    trust-anchor-file: "${file}"`;
    });
    appendFileSync(
      conf,
      [
        "# == test ==",
        "server:",
        '    username: ""',
        '    chroot: ""',
        `    directory: "${dir}"`,
        `    pidfile: "${dir}/unbound.pid"`,
        "    use-syslog: no",
        "    do-not-query-localhost: no",
        ...anchors,
        ...[SIGNED, BROKEN].flatMap((zone) => ["stub-zone:", `    name: "${zone}"`, `    stub-addr: ${AUTHORITY}`]),
        "",
      ].join("\n"),
    );
    const checked = programs.run("unbound-checkconf", [conf]);
    if (checked.status !== 0) throw new Error(`unbound-checkconf: ${checked.stderr}${checked.stdout}`);
    const command = programs.command("unbound", ["-d", "-c", conf]);
    unbound = spawn(command.file, [...command.args], { env: command.env, detached: true, stdio: ["ignore", "ignore", openSync(log(), "a")] });
    await waitForAnswer(RESOLVER, SIGNED, "unbound");
  }, 60_000);

  afterAll(async () => {
    await stop(unbound);
  });

  test("a signed answer is validated: AD flag set", () => {
    const out = dig(`www.${SIGNED}`, "A");
    expect(status(out)).toBe("NOERROR");
    expect(flags(out)).toContain("ad");
    expect(answers(out, "A")).toEqual(["192.0.2.80"]);
  });

  test("an answer whose signature does not match is SERVFAIL, never the forged address", () => {
    const out = dig(`www.${BROKEN}`, "A");
    expect(status(out)).toBe("SERVFAIL");
    expect(out).not.toContain("192.0.2.66");
    // The authority does serve it: only validation stands between it and the client.
    const direct = spawnSync("dig", ["+short", `@${AUTHORITY}`, "A", `www.${BROKEN}`], { encoding: "utf8" }).stdout.trim();
    expect(direct).toBe("192.0.2.66");
    // unbound says why (val-log-level 1).
    expect(readFileSync(log(), "utf8")).toMatch(/validation failure <?www\.broken\.example\. A IN/);
  });

  test("a blocklist's 127.0.0.2 answer passes as it is (no private-address filter)", () => {
    const out = dig(`2.0.0.127.dnsbl.${SIGNED}`, "A");
    expect(status(out)).toBe("NOERROR");
    expect(answers(out, "A")).toEqual(["127.0.0.2"]);
    expect(flags(out)).toContain("ad");
  });

  test("a client from a non-loopback address is refused", () => {
    // Any address of this machine outside 127/8 (a packet from it reaches the loopback listener).
    const outside = run("ip", ["-4", "-o", "addr", "show", "scope", "global"])
      .split("\n")
      .map((line) => /inet (\d+\.\d+\.\d+\.\d+)\//.exec(line)?.[1])
      .find((a) => a !== undefined);
    if (outside === undefined) throw new Error("this test needs one IPv4 address outside 127/8 on the machine, as a client source");
    expect(status(dig(`www.${SIGNED}`, "A", outside))).toBe("REFUSED");
    // The same query from loopback is answered (the refusal is the access control, not the query).
    expect(status(dig(`www.${SIGNED}`, "A", `${BLOCK}.2`))).toBe("NOERROR");
  });
});
