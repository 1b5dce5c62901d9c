/**
 * `mail-platform local up|down`: run one host of a platform on this machine with the real
 * Postfix, Dovecot and named, on loopback addresses, with a throwaway CA and one test user.
 * Needs root (ports below 1024, Postfix's chroot) and Debian's packages.
 */
import { execFileSync, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import { chownSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { dirname, join, resolve } from "path";
import type { PlatformSpec, ServiceName } from "../model/schema";
import { plan as derivePlan } from "../plan/plan";
import { SERVICES } from "../plan/services";
import { renderHost } from "../render/host-files";
import { writeHostFiles } from "../render/write-files";
import { DEFAULT_LOOPBACK_BLOCK, OUTSIDE_DOMAIN, loopbackPlan, stateLayout, type StateLayout } from "./conventions";
import { localZones, writeDnsServer } from "./dns-server";
import { localHostPaths, writeNginxMainConf } from "./overlay";
import { localBundle, runApply } from "./local-bundle";
import { isAlive, pidFromFile, processTree, waitGone } from "./processes";
import { issueTestCertificates } from "./test-ca";
import { installTestDkimKeys } from "./test-keys";
import { localTestSpec } from "./test-spec";
import { machineOs } from "./machine-os";
import { accepts, account, hasLoopbackAddress, ownedDirectory, removeLoopbackAddress } from "./system";
import { signsDkim } from "../render/opendkim/opendkim";
import { certificateNames } from "../model/certificate-names";
import { optionalDaemons } from "../rollout/daemons";
import { UserError } from "../errors";

/** Where `local up` and `local down` keep an instance unless told otherwise. */
export const DEFAULT_STATE_DIR = join(tmpdir(), "mail-platform-local");

/** What `local up` prints: how to reach the running instance. */
export interface LocalInstanceInfo {
  /** Loopback address of each group. */
  readonly addresses: Record<string, string>;
  /** Port of each enabled service (the standard port when it was free). */
  readonly ports: Partial<Record<ServiceName, number>>;
  /** The test CA that issued every certificate of the instance. */
  readonly caFile: string;
  /** The test mailbox user. */
  readonly user: { readonly name: string; readonly password: string };
  /** The state directory (configuration, spool, mail, logs). */
  readonly stateDir: string;
}

/** What `local.json` in the state directory holds. */
export interface LocalState extends LocalInstanceInfo {
  /** Test DKIM public keys by private-key parameter (kept so `local apply` renders the same keys). */
  readonly dkimPublicKeys: Record<string, string>;
  readonly platform: string;
  readonly host: string;
  readonly loopbackBlock: string;
  readonly dnsServer: string;
  readonly outside: string;
}

/**
 * The model as this machine runs it: every host on this machine's Debian release, since the
 * instance runs this machine's Postfix and Dovecot (production renders for the model's own OS).
 */
function onThisMachine(spec: PlatformSpec): PlatformSpec {
  const os = machineOs();
  if (!os) throw new LocalInstanceError("local instances run on Debian 12 or 13 (their Postfix and Dovecot); /etc/os-release names another system");
  return { ...spec, os, hosts: spec.hosts.map(({ os: _own, ...host }) => host) };
}

/** A failure of the local instance, explained for the user (no stack trace). */
export class LocalInstanceError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "LocalInstanceError";
  }
}

/** Options of {@link localUp}. */
export interface LocalUpOptions {
  /** Host to run. @default - the first host */
  readonly host?: string;
  /** State directory. @default {@link DEFAULT_STATE_DIR} */
  readonly stateDir?: string;
  /** Loopback block (`127.X.Y`). @default "127.0.10" */
  readonly loopbackBlock?: string;
  /** Progress messages. @default - none */
  readonly log?: (line: string) => void;
}

const PROGRAMS: Readonly<Record<string, string>> = {
  postfix: "postfix",
  postconf: "postfix",
  dovecot: "dovecot-core",
  doveconf: "dovecot-core",
  named: "bind9",
  "named-checkconf": "bind9-utils",
  "named-checkzone": "bind9-utils",
  openssl: "openssl",
};

function checkPrerequisites(spec: PlatformSpec): void {
  if (process.getuid?.() !== 0) {
    throw new LocalInstanceError("local up needs root: it binds the mail ports (below 1024) and runs Postfix in its chroot");
  }
  const needed: Record<string, string> = {
    ...PROGRAMS,
    ...(signsDkim(spec) ? { opendkim: "opendkim" } : {}),
    ...(spec.dns?.mtaSts && spec.services.smtp ? { nginx: "nginx-light" } : {}),
  };
  const missing = Object.keys(needed).filter((p) => spawnSync("sh", ["-c", `command -v ${p}`]).status !== 0);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((p) => needed[p]!))].join(" ");
    throw new LocalInstanceError(`missing program(s): ${missing.join(", ")}; install: apt-get install -y --no-install-recommends ${packages}`);
  }
}

function canListen(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

/** Standard ports where free on every group address; otherwise 10000 + the standard port. */
async function choosePorts(spec: PlatformSpec, addresses: readonly string[]): Promise<Partial<Record<ServiceName, number>>> {
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const service of SERVICES.filter((s) => spec.services[s.name])) {
    for (const candidate of [service.port, 10000 + service.port]) {
      const free = await Promise.all(addresses.map((a) => canListen(candidate, a)));
      if (free.every(Boolean)) {
        ports[service.name] = candidate;
        break;
      }
    }
    if (ports[service.name] === undefined) throw new LocalInstanceError(`no free port for ${service.name} (${service.port} and ${10000 + service.port} are taken)`);
  }
  return ports;
}

function run(program: string, args: string[], env?: NodeJS.ProcessEnv): void {
  const result = spawnSync(program, args, { encoding: "utf8", env: env ? { ...process.env, ...env } : process.env, timeout: 60_000 });
  if (result.status !== 0) {
    throw new LocalInstanceError(`${program} ${args.join(" ")} failed: ${(result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n")}`);
  }
}

/**
 * Start a daemon that forks into the background. Its stdio is not a pipe: a daemon that keeps
 * an inherited pipe open would block us until it exits. Failures are explained by its log.
 */
function startDaemon(program: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): void {
  const result = spawnSync(program, args, { stdio: "ignore", env: env ? { ...process.env, ...env } : process.env, timeout: 60_000 });
  if (result.status !== 0) throw new LocalInstanceError(`${program} ${args.join(" ")} failed (exit ${result.status}); its log:\n${tail(logFile)}`);
}

function tail(file: string, lines = 15): string {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n") : "(no log)";
}

async function waitListening(targets: ReadonlyArray<readonly [string, number]>, layout: StateLayout, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const [address, port] of targets) {
    while (!(await accepts(address, port))) {
      if (Date.now() > deadline) {
        throw new LocalInstanceError(
          `nothing listens on ${address}:${port} after ${timeoutMs / 1000} s.\npostfix log:\n${tail(layout.postfixLog)}\ndovecot log:\n${tail(layout.dovecotLog)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}



/** Every existing ancestor of the state directory must be traversable by Postfix's and Dovecot's users. */
function checkTraversable(stateDir: string): void {
  for (let dir = dirname(resolve(stateDir)); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      throw new LocalInstanceError(`${dir} is not accessible to other users (mode ${(statSync(dir).mode & 0o777).toString(8)}); Postfix, Dovecot and named run as their own users: choose another --state-dir or chmod o+x ${dir}`);
    }
    if (dir === dirname(dir)) return;
  }
}

/** Start one host of the platform on this machine. */
export async function localUp(model: PlatformSpec, options: LocalUpOptions = {}): Promise<LocalInstanceInfo> {
  const log = options.log ?? (() => undefined);
  const spec = onThisMachine(model);
  checkPrerequisites(spec);
  const hostName = options.host ?? spec.hosts[0]!.name;
  if (!spec.hosts.some((h) => h.name === hostName)) {
    throw new LocalInstanceError(`no host "${hostName}" in the platform; hosts: ${spec.hosts.map((h) => h.name).join(", ")}`);
  }
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  checkTraversable(stateDir);
  const layout = stateLayout(stateDir);
  if (existsSync(layout.stateFile) && runningPids(layout).length > 0) {
    throw new LocalInstanceError(`an instance is already running in ${stateDir}; stop it with: mail-platform local down --state-dir ${stateDir}`);
  }
  const loopback = loopbackPlan(options.loopbackBlock ?? DEFAULT_LOOPBACK_BLOCK);

  log(`preparing ${stateDir}`);
  rmSync(stateDir, { recursive: true, force: true });
  ownedDirectory(stateDir, 0o755);
  for (const dir of [layout.logs, layout.spool, layout.postfixConfig, layout.dovecotConfig, layout.dovecotState]) ownedDirectory(dir, 0o755);
  ownedDirectory(layout.data, 0o700, "postfix");
  ownedDirectory(layout.mail, 0o770, "nobody", "nogroup");

  // Production rendering of the host, kept for comparison with what runs.
  const production = derivePlan(spec);
  writeHostFiles(layout.production, [renderHost(production, production.hosts.find((h) => h.name === hostName)!)]);

  const paths = localHostPaths(layout);
  let dkimPublicKeys = new Map<string, string>();
  if (signsDkim(spec)) {
    log("generating test DKIM keys");
    ownedDirectory(layout.opendkim, 0o755);
    ownedDirectory(layout.opendkimRun, 0o755, "opendkim");
    dkimPublicKeys = installTestDkimKeys(spec, paths, account("opendkim"));
    // The milter socket lives in Postfix's chroot; setgid postfix so Postfix may connect.
    ownedDirectory(join(layout.spool, "opendkim"), 0o2750, "opendkim", "postfix");
  }
  const testSpec = localTestSpec(spec, loopback, layout.certs, dkimPublicKeys);
  const probePlan = derivePlan(testSpec);
  const probeHost = probePlan.hosts.find((h) => h.name === hostName)!;
  const ports = await choosePorts(testSpec, probeHost.addresses.map((a) => a.privateIp));
  const plan = derivePlan(testSpec, { listenPorts: ports });
  const host = plan.hosts.find((h) => h.name === hostName)!;

  log("issuing test certificates");
  const outsideNames = [OUTSIDE_DOMAIN, ...spec.outbound.tlsRules.map((r) => r.destination)].map((d) => `mx.${d}`);
  const caFile = issueTestCertificates(layout.certs, [...certificateNames(plan.spec, host.name), ...outsideNames]);

  log("rendering, applying the test overlay, installing with the apply script");
  const installed = runApply(layout, localBundle(plan, host, layout), { noReload: true });
  if (installed.status !== 0) throw new LocalInstanceError(`the apply script refused the configuration:\n${installed.log.trim()}`);

  const userName = `tester@${spec.groups[0]!.domains[0]!.name}`;
  const password = randomBytes(18).toString("base64url");
  const hash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: `${password}\n`, encoding: "utf8" }).trim();
  writeFileSync(layout.dovecotUsers, `${userName}:{SHA512-CRYPT}${hash}\n`, { mode: 0o640 });
  chownSync(layout.dovecotUsers, 0, Number(execFileSync("getent", ["group", "dovecot"], { encoding: "utf8" }).split(":")[2]));

  log("starting named");
  const namedConf = writeDnsServer(layout, loopback, localZones(plan, loopback));
  // named binds only addresses that exist on an interface (Postfix and Dovecot bind any of 127/8).
  addLoopbackAddress(loopback.dns);
  startDaemon("named", ["-c", namedConf], layout.namedLog);
  await waitListening([[loopback.dns, 53]], layout);

  if (signsDkim(spec)) {
    log("starting opendkim");
    startDaemon("opendkim", ["-x", join(layout.opendkim, "opendkim.conf")], layout.postfixLog);
  }

  log("starting postfix");
  run("/usr/lib/postfix/configure-instance.sh", ["-"], { MAIL_CONFIG: layout.postfixConfig });
  // The chrooted daemons (smtpd, smtp, dnsblog) resolve through the instance's DNS only.
  writeFileSync(join(layout.spool, "etc", "resolv.conf"), `nameserver ${loopback.dns}\n`);
  run("postfix", ["-c", layout.postfixConfig, "check"]);
  startDaemon("postfix", ["-c", layout.postfixConfig, "start"], layout.postfixLog);

  log("starting dovecot");
  startDaemon("dovecot", ["-c", layout.dovecotConf], layout.dovecotLog);

  const mtaSts = optionalDaemons(plan).nginx;
  if (mtaSts) {
    log("starting nginx (MTA-STS policies)");
    const conf = writeNginxMainConf(layout);
    run("nginx", ["-t", "-q", "-c", conf]);
    startDaemon("nginx", ["-c", conf], join(layout.logs, "nginx-error.log"));
  }

  const targets = [
    ...host.listeners.map((l) => [l.address.privateIp, l.port] as const),
    ...(mtaSts ? host.addresses.map((a) => [a.privateIp, 443] as const) : []),
  ];
  try {
    await waitListening(targets, layout);
  } catch (error) {
    await stopAll(layout);
    removeLoopbackAddress(loopback.dns);
    throw error;
  }

  const info: LocalInstanceInfo = {
    addresses: Object.fromEntries(host.addresses.map((a) => [a.group, a.privateIp])),
    ports,
    caFile,
    user: { name: userName, password },
    stateDir,
  };
  const state: LocalState = { ...info, dkimPublicKeys: Object.fromEntries(dkimPublicKeys), platform: spec.name, host: hostName, loopbackBlock: loopback.block, dnsServer: loopback.dns, outside: loopback.outside };
  writeFileSync(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  log("up");
  return info;
}

function addLoopbackAddress(address: string): void {
  if (!hasLoopbackAddress(address)) run("ip", ["addr", "add", `${address}/32`, "dev", "lo"]);
}

/** The master processes of an instance that are alive now. */
function runningPids(layout: StateLayout): number[] {
  return [
    join(layout.spool, "pid", "master.pid"),
    join(layout.dovecotBase, "master.pid"),
    join(layout.dns, "named.pid"),
    join(layout.opendkimRun, "opendkim.pid"),
    join(layout.nginx, "nginx.pid"),
  ]
    .map(pidFromFile)
    .filter((pid): pid is number => pid !== undefined);
}

async function stopAll(layout: StateLayout): Promise<number[]> {
  const masters = runningPids(layout);
  const everything = masters.flatMap(processTree);
  if (existsSync(join(layout.postfixConfig, "main.cf"))) spawnSync("postfix", ["-c", layout.postfixConfig, "stop"], { stdio: "ignore" });
  for (const pid of masters) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  if (!(await waitGone(everything, 15_000))) {
    for (const pid of everything.filter(isAlive)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await waitGone(everything, 5_000);
  }
  return everything;
}

/** Stop the instance in a state directory; returns how many processes ended. */
export async function localDown(stateDir: string = DEFAULT_STATE_DIR): Promise<{ stopped: number; stateDir: string }> {
  const layout = stateLayout(stateDir);
  if (!existsSync(layout.stateFile) && runningPids(layout).length === 0) {
    throw new LocalInstanceError(`no local instance in ${stateDir}`);
  }
  const stopped = await stopAll(layout);
  const left = stopped.filter(isAlive);
  if (left.length > 0) throw new LocalInstanceError(`processes still running after stop: ${left.join(", ")}`);
  if (existsSync(layout.stateFile)) removeLoopbackAddress((JSON.parse(readFileSync(layout.stateFile, "utf8")) as LocalState).dnsServer);
  rmSync(layout.stateFile, { force: true });
  return { stopped: stopped.length, stateDir };
}

/** Read the state of a running instance. */
export function readLocalState(stateDir: string = DEFAULT_STATE_DIR): LocalState {
  const file = stateLayout(stateDir).stateFile;
  if (!existsSync(file)) throw new LocalInstanceError(`no local instance in ${stateDir}`);
  return JSON.parse(readFileSync(file, "utf8")) as LocalState;
}

/** Options of {@link localApply}. */
export interface LocalApplyOptions {
  /** State directory of the running instance. @default {@link DEFAULT_STATE_DIR} */
  readonly stateDir?: string;
}

/** What `local apply` did. */
export interface LocalApplyResult {
  /** The apply script's exit code: 0 applied or already applied, 2 rejected, 3 rolled back, 4 rollback failed. */
  readonly status: number;
  /** What the script logged. */
  readonly log: string;
  /** The id (content hash) of the bundle. */
  readonly bundleId: string;
}

/**
 * Apply a changed platform to a running local instance with the on-host apply script. The change
 * must keep the instance's shape (host, group host names, enabled services, DKIM key parameters):
 * addresses, certificates, ports and keys were made for it at `local up`.
 */
export function localApply(model: PlatformSpec, options: LocalApplyOptions = {}): LocalApplyResult {
  const spec = onThisMachine(model);
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const state = readLocalState(stateDir);
  const layout = stateLayout(stateDir);
  const loopback = loopbackPlan(state.loopbackBlock);
  if (spec.name !== state.platform || !spec.hosts.some((h) => h.name === state.host)) {
    throw new LocalInstanceError(`this instance runs platform "${state.platform}" host "${state.host}"; the file describes another platform`);
  }
  const keys = new Map(Object.entries(state.dkimPublicKeys));
  const missingKeys = spec.groups.map((g) => (g.dkim ?? spec.dkim)?.privateKeyParameter).filter((p): p is string => p !== undefined && !keys.has(p));
  if (missingKeys.length > 0) throw new LocalInstanceError(`new DKIM keys (${missingKeys.join(", ")}) need a new instance: local down, then local up`);
  const enabled = SERVICES.filter((s) => spec.services[s.name]).map((s) => s.name);
  const running = Object.keys(state.ports).sort();
  if ([...enabled].sort().join() !== running.join()) throw new LocalInstanceError(`switching services on or off needs a new instance (running: ${running.join(", ")}): local down, then local up`);
  const plan = derivePlan(localTestSpec(spec, loopback, layout.certs, keys), { listenPorts: state.ports });
  const host = plan.hosts.find((h) => h.name === state.host)!;
  const certified = new Set(readdirSync(layout.certs));
  const uncertified = certificateNames(plan.spec, host.name).filter((n) => !certified.has(n));
  if (uncertified.length > 0) throw new LocalInstanceError(`new host names (${uncertified.join(", ")}) need test certificates: local down, then local up`);
  const bundle = localBundle(plan, host, layout);
  const result = runApply(layout, bundle);
  return { status: result.status ?? 1, log: result.log, bundleId: bundle.id };
}
