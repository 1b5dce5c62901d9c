/**
 * The blocklist watch on a host (`lib/apply/mail-platform-blocklist-watch.py`, Python standard
 * library and the host's AWS client) and the systemd units that run it every
 * `blocklistWatch.intervalMinutes`. They travel in every bundle, as the users sync does, and the
 * bundle's reload commands switch the timer on or off with the model: a host whose watch was
 * switched off keeps no orphaned timer. The program's configuration is a rendered file
 * (render/blocklist-watch), absent when the watch is off.
 */
import type { Plan } from "../plan/types";
import type { BundleFile } from "./bundle";
import { packagedScriptText } from "./packaged-script";
import { BLOCKLIST_WATCH_SCRIPT_PATH } from "./script-paths";
import { BLOCKLIST_WATCH_CONFIG } from "../render/blocklist-watch/watch-config";

/** The service that checks once. */
export const BLOCKLIST_WATCH_SERVICE = "mail-platform-blocklist-watch.service";
/** The timer that starts it. */
export const BLOCKLIST_WATCH_TIMER = "mail-platform-blocklist-watch.timer";

/** The oneshot service; its findings go to the journal. */
export function renderBlocklistWatchService(): string {
  return `[Unit]
Description=mail-platform blocklist watch: are this host's group addresses listed?
Wants=network-online.target
After=network-online.target unbound.service
ConditionPathExists=/${BLOCKLIST_WATCH_CONFIG}

[Service]
Type=oneshot
ExecStart=${BLOCKLIST_WATCH_SCRIPT_PATH} check
TimeoutStartSec=300
`;
}

/** The timer: a check soon after boot, then every interval after the last one ended; hosts spread over a minute. */
export function renderBlocklistWatchTimer(plan: Plan): string {
  const minutes = plan.spec.blocklistWatch.intervalMinutes;
  return `[Unit]
Description=mail-platform blocklist watch every ${minutes} minutes

[Timer]
OnBootSec=2min
OnUnitInactiveSec=${minutes}min
RandomizedDelaySec=60s

[Install]
WantedBy=timers.target
`;
}

/** The watch's files of a bundle: the program and its two units (also when the watch is off). */
export function blocklistWatchFiles(plan: Plan): BundleFile[] {
  return [
    { path: BLOCKLIST_WATCH_SCRIPT_PATH, mode: "0755", content: packagedScriptText("mail-platform-blocklist-watch.py") },
    { path: `/etc/systemd/system/${BLOCKLIST_WATCH_SERVICE}`, mode: "0644", content: renderBlocklistWatchService() },
    { path: `/etc/systemd/system/${BLOCKLIST_WATCH_TIMER}`, mode: "0644", content: renderBlocklistWatchTimer(plan) },
  ];
}

/**
 * The bundle's commands of the watch, after Postfix has read the bundle's main.cf and systemd the
 * units (the users sync's daemon-reload): the holds of the watch back into defer_transports (with
 * the watch off, its holds end and the apply script delivers their waiting mail), and the timer
 * on with the watch, off without it. All idempotent: a rollback runs them a second time.
 */
export function blocklistWatchAfterApply(plan: Plan): readonly (readonly string[])[] {
  return [
    [BLOCKLIST_WATCH_SCRIPT_PATH, "apply-holds"],
    plan.spec.blocklistWatch.enabled ? ["systemctl", "enable", "--now", BLOCKLIST_WATCH_TIMER] : ["systemctl", "disable", "--now", BLOCKLIST_WATCH_TIMER],
  ];
}
