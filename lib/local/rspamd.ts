/**
 * rspamd and redis in a local instance: this machine's Debian packages, started directly (not
 * through systemd) with the instance's rendered files. Debian's /etc/rspamd/rspamd.conf is read
 * as on a host; the instance's local.d, run, database and log directories replace Debian's through
 * rspamd's `--var` (LOCAL_CONFDIR, RUNDIR, DBDIR, LOGDIR). Both run as their packages' users
 * (`_rspamd`, `redis`). They listen on the host's first group address instead of 127.0.0.1 (the
 * rendered helper address of a local instance), so instances on distinct blocks do not collide;
 * redis's protected mode, which accepts only 127.0.0.1 and ::1 without a password, is off for that
 * address (it is on loopback all the same).
 */
import { writeFileSync, mkdirSync } from "fs";
import { dirname, join } from "path";
import type { HostPlan } from "../plan/types";
import { RSPAMD_PORTS, RSPAMD_SOCKET_DIR, RSPAMD_USER, REDIS_PORT } from "../render/rspamd/rspamd";
import type { StateLayout } from "./conventions";
import { ownedDirectory } from "./system";

/** redis's package user. */
export const REDIS_USER = "redis";

/** Files and directories of the instance's rspamd and redis below its state directory. */
export function rspamdLayout(layout: StateLayout) {
  const run = join(layout.stateDir, "run", "rspamd");
  return {
    config: join(layout.stateDir, "rspamd"),
    run,
    db: join(layout.stateDir, "lib", "rspamd"),
    logDir: join(layout.logs, "rspamd"),
    log: join(layout.logs, "rspamd", "rspamd.log"),
    pid: join(run, "rspamd.pid"),
    redisConfig: join(layout.stateDir, "redis"),
    redisData: join(layout.stateDir, "lib", "redis"),
    redisPid: join(layout.stateDir, "run", "redis", "redis.pid"),
    redisLog: join(layout.logs, "redis", "redis.log"),
  } as const;
}

/** The address the instance's helper daemons listen on: the host's first group address (no other host or block has it). */
export function localHelperAddress(host: HostPlan): string {
  return host.addresses[0]!.privateIp;
}

/**
 * Where every local instance keeps rspamd's compiled hyperscan databases (TLD list, regular
 * expressions). On a host they stay in /var/lib/rspamd across restarts; an instance's own database
 * directory is new each time, and compiling them took 25–30 s of each start on two busy cores.
 * The files are named by the hash of what they compile, so instances of other platforms share them.
 */
export const RSPAMD_HYPERSCAN_CACHE = "/var/cache/mail-platform/rspamd-hyperscan";

/** How long rspamd may take to fork: with an empty hyperscan cache it compiles the TLD list first. */
export const RSPAMD_FORK_TIMEOUT_MS = 240_000;

/** Directories the daemons write, owned by their users; the shared hyperscan cache. */
export function prepareRspamdDirectories(layout: StateLayout): void {
  const files = rspamdLayout(layout);
  for (const dir of [files.run, files.db, files.logDir]) ownedDirectory(dir, 0o755, RSPAMD_USER, RSPAMD_USER);
  // The milters' sockets live in Postfix's chroot; setgid postfix so Postfix may connect (as on a host).
  ownedDirectory(join(layout.spool, RSPAMD_SOCKET_DIR), 0o2750, RSPAMD_USER, "postfix");
  mkdirSync(dirname(RSPAMD_HYPERSCAN_CACHE), { recursive: true });
  ownedDirectory(RSPAMD_HYPERSCAN_CACHE, 0o755, RSPAMD_USER, RSPAMD_USER);
  // override.d replaces this one option and keeps the rendered local.d/options.inc (its DNS).
  mkdirSync(join(files.config, "override.d"), { recursive: true });
  writeFileSync(join(files.config, "override.d", "options.inc"), `hs_cache_dir = "${RSPAMD_HYPERSCAN_CACHE}/";\n`);
  ownedDirectory(files.redisData, 0o750, REDIS_USER, REDIS_USER);
  for (const file of [files.redisPid, files.redisLog]) ownedDirectory(dirname(file), 0o755, REDIS_USER, REDIS_USER);
}

/** The command that starts the instance's redis (it forks; pid file and log are the instance's). */
export function redisStartCommand(host: HostPlan, layout: StateLayout): string[] {
  const files = rspamdLayout(layout);
  return [
    "runuser",
    "-u",
    REDIS_USER,
    "--",
    "redis-server",
    join(files.redisConfig, "redis.conf"),
    "--daemonize",
    "yes",
    "--pidfile",
    files.redisPid,
    "--logfile",
    files.redisLog,
    "--protected-mode",
    "no",
    "--bind",
    localHelperAddress(host),
  ];
}

/** redis has no reload: a restart once the old process is gone. */
export function redisRestartCommand(host: HostPlan, layout: StateLayout): string[] {
  const pid = rspamdLayout(layout).redisPid;
  const stop = `if [ -s ${pid} ]; then old=$(cat ${pid}); kill "$old" 2>/dev/null; while kill -0 "$old" 2>/dev/null; do sleep 0.1; done; fi`;
  return ["sh", "-c", `${stop}\nexec ${redisStartCommand(host, layout).join(" ")}`];
}

/** The `--var` definitions that point Debian's rspamd.conf at the instance's directories. */
export function rspamdVariables(layout: StateLayout): string[] {
  const files = rspamdLayout(layout);
  return [`--var=LOCAL_CONFDIR=${files.config}`, `--var=RUNDIR=${files.run}`, `--var=DBDIR=${files.db}`, `--var=LOGDIR=${files.logDir}`];
}

/** The command that starts the instance's rspamd (it forks; workers run as _rspamd). */
export function rspamdStartCommand(layout: StateLayout): string[] {
  return ["rspamd", "-c", "/etc/rspamd/rspamd.conf", ...rspamdVariables(layout), "-u", RSPAMD_USER, "-g", RSPAMD_USER];
}

/** rspamd rereads its configuration on SIGHUP (as Debian's unit's ExecReload). */
export function rspamdReloadCommand(layout: StateLayout): string[] {
  return ["pkill", "-HUP", "-F", rspamdLayout(layout).pid];
}

/** The check of the staged rspamd files, as the production bundle runs it on a host. */
export function rspamdCheckCommand(layout: StateLayout, stage: string): string[] {
  const files = rspamdLayout(layout);
  return ["rspamadm", `--var=LOCAL_CONFDIR=${stage}${files.config}`, `--var=DBDIR=${files.db}`, "configtest", "-c", "/etc/rspamd/rspamd.conf"];
}

/**
 * What must answer once they run: redis and rspamd's controller. The milters listen on Unix
 * sockets that rspamd's main process binds before it starts any worker, the controller included.
 */
export function rspamdListeners(host: HostPlan): Array<readonly [string, number]> {
  const address = localHelperAddress(host);
  return [
    [address, REDIS_PORT],
    [address, RSPAMD_PORTS.controller],
  ];
}
