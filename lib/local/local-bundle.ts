/**
 * A local instance's configuration as a bundle: the production rendering for the loopback model,
 * moved into the state directory, plus the test overlay; applied by the same script as on a host.
 */
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import type { DaemonName } from "../plan/daemons";
import type { HostPlan, Plan } from "../plan/types";
import { when } from "../plan/when";
import { renderHost } from "../render/host-files";
import { applyScriptPath } from "../rollout/apply-script";
import { packagedScriptPath } from "../rollout/packaged-script";
import { BLOCKLIST_WATCH_CONFIG } from "../render/blocklist-watch/watch-config";
import { buildBundle, bundleText, type Bundle, type BundleFile } from "../rollout/bundle";
import type { StateLayout } from "./conventions";
import { applyOverlay, localHostPaths } from "./overlay";
import { postsrsdLayout, postsrsdRestartCommand, postsrsdStartCommand } from "./postsrsd";
import { redisRestartCommand, redisStartCommand, rspamdCheckCommand, rspamdLayout, rspamdReloadCommand, rspamdStartCommand } from "./rspamd";

/** Where a rendered file goes in a local instance. */
export function localTarget(layout: StateLayout, path: string): string {
  if (path === "etc/opendkim.conf") return join(layout.opendkim, "opendkim.conf");
  if (path === "etc/default/postsrsd") return postsrsdLayout(layout).defaults;
  const rules: ReadonlyArray<readonly [string, string]> = [
    ["etc/postfix/", layout.postfixConfig],
    ["etc/dovecot/", layout.dovecotConfig],
    ["etc/opendkim/", layout.opendkim],
    ["etc/nginx/", layout.nginx],
    ["etc/mail-platform/", join(layout.stateDir, "mail-platform")],
    ["etc/fail2ban/", layout.fail2ban],
    ["etc/rspamd/", rspamdLayout(layout).config],
    ["etc/redis/", rspamdLayout(layout).redisConfig],
    // Kept for inspection only: a local instance does not run unbound (see NOT_RUN_LOCALLY).
    ["etc/unbound/", join(layout.stateDir, "unbound")],
  ];
  for (const [prefix, dir] of rules) if (path.startsWith(prefix)) return join(dir, path.slice(prefix.length));
  // Rendered with the local host paths already (the MTA-STS policies).
  if (`/${path}`.startsWith(`${layout.stateDir}/`)) return `/${path}`;
  throw new Error(`no place for rendered file ${path} in a local instance; every path the renderers write has one`);
}

function filesBelow(root: string, dir = root): BundleFile[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    const stat = statSync(path);
    if (stat.isDirectory()) return filesBelow(root, path);
    return [{ path: path.slice(root.length), mode: (stat.mode & 0o777).toString(8).padStart(4, "0"), content: readFileSync(path, "utf8") }];
  });
}

/** The files of a local instance: rendered, moved into the state directory, overlay applied. */
export function localFiles(plan: Plan, host: HostPlan, layout: StateLayout): BundleFile[] {
  const shadow = mkdtempSync(join(layout.stateDir, ".render-"));
  try {
    for (const file of renderHost(plan, host, localHostPaths(layout, host)).files) {
      const target = `${shadow}${localTarget(layout, file.path)}`;
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content, { mode: parseInt(file.mode, 8) });
    }
    applyOverlay(plan, host, layout, shadow);
    return filesBelow(shadow);
  } finally {
    rmSync(shadow, { recursive: true, force: true });
  }
}

/**
 * Daemons of a host that a local instance does not run. unbound: a local instance resolves through
 * its own named (the test world's zones, on its DNS address), which Postfix's chroot names directly;
 * a resolver iterating from the Internet's root has nothing to reach here. The live test of the
 * rendered unbound.conf is test/integration/live/local-resolver.test.ts. fail2ban: a ban on this
 * shared machine's loopback could shut out other instances' test clients; the brute-force live test
 * runs it around its own instance (local/fail2ban.ts). clamav: its signatures come from the
 * Internet (freshclam), which this machine does not reach; `local up` refuses a model with antivirus on.
 */
export const NOT_RUN_LOCALLY: readonly DaemonName[] = ["unbound", "fail2ban", "clamav"];

/** How a local instance reloads and starts each daemon: directly, with the instance's configuration, not through systemd. */
function localDaemonCommands(plan: Plan, host: HostPlan, layout: StateLayout): Record<DaemonName, { readonly reload: string[]; readonly start: string[] }> {
  const nginxConf = join(layout.nginx, "nginx.conf");
  const notRun = { reload: ["true"], start: ["true"] };
  return {
    unbound: notRun,
    postfix: { reload: ["postfix", "-c", layout.postfixConfig, "reload"], start: ["postfix", "-c", layout.postfixConfig, "start"] },
    dovecot: { reload: ["doveadm", "-c", layout.dovecotConf, "reload"], start: ["dovecot", "-c", layout.dovecotConf] },
    opendkim: { reload: ["pkill", "-USR1", "-F", join(layout.opendkimRun, "opendkim.pid")], start: ["opendkim", "-x", join(layout.opendkim, "opendkim.conf")] },
    nginx: { reload: ["nginx", "-c", nginxConf, "-s", "reload"], start: ["nginx", "-c", nginxConf] },
    postsrsd: plan.srs.enabled ? { reload: postsrsdRestartCommand(host, layout), start: postsrsdStartCommand(host, layout) } : notRun,
    // Not run by `local up`: a ban on this shared machine's loopback could shut out other instances'
    // test clients. The brute-force live test runs it around its own instance (local/fail2ban.ts).
    fail2ban: notRun,
    clamav: notRun,
    redis: { reload: redisRestartCommand(host, layout), start: redisStartCommand(host, layout) },
    rspamd: { reload: rspamdReloadCommand(layout), start: rspamdStartCommand(layout) },
  };
}

/** The bundle of a local instance: local validation and reload commands, loopback listeners. */
export function localBundle(plan: Plan, host: HostPlan, layout: StateLayout): Bundle {
  const commands = localDaemonCommands(plan, host, layout);
  return buildBundle({
    platform: plan.spec.name,
    host: host.name,
    files: localFiles(plan, host, layout),
    prepare: [],
    validate: [
      ["postconf", "-c", `{stage}${layout.postfixConfig}`, "-n"],
      ["postfix", "-c", `{stage}${layout.postfixConfig}`, "check"],
      ["doveconf", "-n", "-c", `{stage}${layout.dovecotConf}`],
      ...when(plan.contentFilter.enabled, rspamdCheckCommand(layout, "{stage}")),
    ],
    // As on a host: the blocklist watch's holds back into the main.cf just installed.
    reload: [...plan.daemons.map((d) => commands[d.name].reload), localBlocklistWatchCommand(layout, "apply-holds")],
    // "already running" exits are harmless here: only daemons that died are started.
    start: plan.daemons.map((d) => commands[d.name].start),
    listeners: host.expectedListeners,
  });
}

/** The host's blocklist watch program, pointed at the instance's files (its state directory is the apply script's, as on a host). */
export function localBlocklistWatchCommand(layout: StateLayout, ...args: string[]): string[] {
  const config = localTarget(layout, BLOCKLIST_WATCH_CONFIG);
  const script = packagedScriptPath("mail-platform-blocklist-watch.py");
  return [
    "/usr/bin/python3",
    script,
    "--config",
    config,
    "--state-dir",
    join(layout.stateDir, "apply"),
    "--postfix-config",
    layout.postfixConfig,
    "--apply",
    applyScriptPath(),
    ...args,
  ];
}

/** The result of running the apply script. */
export interface ApplyResult {
  readonly status: number | null;
  /** What the script logged. */
  readonly log: string;
  /** The bundle file it applied. */
  readonly bundleFile: string;
}

/** Write the bundle into the state directory and run the apply script on it. */
export function runApply(layout: StateLayout, bundle: Bundle, options: { noReload?: boolean } = {}): ApplyResult {
  const dir = join(layout.stateDir, "bundles");
  mkdirSync(dir, { recursive: true });
  const bundleFile = join(dir, `${bundle.id}.json`);
  writeFileSync(bundleFile, bundleText(bundle));
  const args = [applyScriptPath(), bundleFile, "--state-dir", join(layout.stateDir, "apply"), ...when(options.noReload === true, "--no-reload")];
  const result = spawnSync("/usr/bin/python3", args, {
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, log: `${result.stdout}${result.stderr}`, bundleFile };
}
