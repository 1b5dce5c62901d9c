/**
 * fail2ban around a local instance: the platform's rendered jail and filter, run by this machine's
 * real fail2ban with nftables. Not started by `local up`: this machine is shared by instances on
 * other loopback blocks, and a ban must touch nothing of theirs. So the local overlay
 * - reads the instance's Dovecot log file (polling) instead of the journal,
 * - keeps fail2ban's socket, pid file, database and log in the state directory,
 * - bans in an nftables table of the instance's own (named after its block) whose rule matches
 *   only connections to the instance's block, and which fail2ban deletes when it stops,
 * - leaves out Debian's jails (jail.d/defaults-debian.conf enables sshd).
 * Production's jail and filter are used as rendered; only these settings are added after them.
 */
import { spawnSync } from "child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { FAIL2BAN_JAIL } from "../render/fail2ban/fail2ban";
import type { StateLayout } from "./conventions";
import { LocalInstanceError } from "./instance-error";
import { OVERLAY_TITLE } from "./overlay";

/** Debian's fail2ban configuration: filters, actions, path defaults (read, never changed). */
const SYSTEM_CONFIG = "/etc/fail2ban";

/** Where a local fail2ban keeps its things. */
export function fail2banLayout(layout: StateLayout) {
  const runDir = join(layout.stateDir, "fail2ban-run");
  return {
    /** The configuration fail2ban reads: Debian's, the rendered jail and filter, the overlay. */
    configDir: runDir,
    socket: join(runDir, "fail2ban.sock"),
    pidFile: join(runDir, "fail2ban.pid"),
    database: join(runDir, "fail2ban.sqlite3"),
    log: join(layout.logs, "fail2ban.log"),
  } as const;
}

/** The nftables table of an instance's bans: one per loopback block, so instances never share one. */
export function localBanTable(loopbackBlock: string): string {
  return `mail-platform-bans-${loopbackBlock.replace(/\./g, "-")}`;
}

/** The overlay's files (path below the configuration directory → text). */
export function fail2banOverlayFiles(layout: StateLayout, loopbackBlock: string): Record<string, string> {
  const f2b = fail2banLayout(layout);
  if (!/^127\.\d{1,3}\.\d{1,3}$/.test(loopbackBlock)) throw new LocalInstanceError(`not a loopback block: ${loopbackBlock}`);
  return {
    "fail2ban.local": [
      `# ${OVERLAY_TITLE}`,
      "[Definition]",
      `logtarget = ${f2b.log}`,
      `socket = ${f2b.socket}`,
      `pidfile = ${f2b.pidFile}`,
      `dbfile = ${f2b.database}`,
      "",
    ].join("\n"),
    "action.d/mail-platform-local-nftables.conf": [
      "# Local test overlay: Debian's nftables action in a table of this instance's own, whose rule",
      "# matches only connections to the instance's loopback block.",
      "[INCLUDES]",
      "before = nftables.conf",
      "[Definition]",
      `rule_match-multiport = ip daddr ${loopbackBlock}.0/24 $proto dport \\{ $(echo '<port>' | sed s/:/-/g) \\}`,
      "[Init]",
      `table = ${localBanTable(loopbackBlock)}`,
      "",
    ].join("\n"),
    "jail.d/zz-local-overlay.local": [
      `# ${OVERLAY_TITLE}`,
      "[DEFAULT]",
      "backend = polling",
      `[${FAIL2BAN_JAIL}]`,
      `logpath = ${layout.dovecotLog}`,
      "banaction = mail-platform-local-nftables",
      "",
    ].join("\n"),
  };
}

function client(layout: StateLayout, args: readonly string[]): { status: number | null; output: string } {
  const f2b = fail2banLayout(layout);
  const result = spawnSync("fail2ban-client", ["-c", f2b.configDir, "-s", f2b.socket, "-p", f2b.pidFile, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * Start fail2ban for a running instance (the jail rendered into its state directory by `local up`).
 * Returns once the jail runs; throws with fail2ban's own words when it does not.
 */
export function startLocalFail2ban(layout: StateLayout, loopbackBlock: string): void {
  const f2b = fail2banLayout(layout);
  const rendered = layout.fail2ban;
  if (!existsSync(join(rendered, "jail.d"))) throw new LocalInstanceError(`no rendered fail2ban jail in ${rendered}: is brute-force protection off?`);
  rmSync(f2b.configDir, { recursive: true, force: true });
  mkdirSync(f2b.configDir, { recursive: true, mode: 0o700 });
  // Debian's files without its jail.d (its sshd jail); then the rendered jail and filter.
  for (const entry of readdirSync(SYSTEM_CONFIG)) {
    if (entry === "jail.d") continue;
    cpSync(join(SYSTEM_CONFIG, entry), join(f2b.configDir, entry), { recursive: true });
  }
  mkdirSync(join(f2b.configDir, "jail.d"));
  for (const dir of ["jail.d", "filter.d"]) {
    for (const file of readdirSync(join(rendered, dir))) copyFileSync(join(rendered, dir, file), join(f2b.configDir, dir, file));
  }
  for (const [path, text] of Object.entries(fail2banOverlayFiles(layout, loopbackBlock))) writeFileSync(join(f2b.configDir, path), text);
  const started = client(layout, ["-x", "start"]);
  if (started.status !== 0) throw new LocalInstanceError(`fail2ban did not start:\n${started.output.trim()}`);
  const status = client(layout, ["status", FAIL2BAN_JAIL]);
  if (status.status !== 0) throw new LocalInstanceError(`fail2ban runs without the jail ${FAIL2BAN_JAIL}:\n${status.output.trim()}`);
}

/** The addresses the jail has banned now. */
export function localBannedAddresses(layout: StateLayout): string[] {
  const status = client(layout, ["status", FAIL2BAN_JAIL]);
  if (status.status !== 0) throw new LocalInstanceError(`fail2ban status failed:\n${status.output.trim()}`);
  const line = /Banned IP list:\s*(.*)$/m.exec(status.output)?.[1] ?? "";
  return line.split(/\s+/).filter((a) => a !== "");
}

/**
 * Stop it: fail2ban removes its rules and the table; the table is deleted here as well when a
 * failed stop left it. Harmless when it does not run.
 */
export function stopLocalFail2ban(layout: StateLayout, loopbackBlock: string): void {
  const f2b = fail2banLayout(layout);
  if (existsSync(f2b.socket)) client(layout, ["stop"]);
  const table = localBanTable(loopbackBlock);
  if (spawnSync("nft", ["list", "table", "inet", table], { stdio: "ignore" }).status === 0) {
    spawnSync("nft", ["delete", "table", "inet", table], { stdio: "ignore" });
  }
}
