/**
 * The on-host users sync (`lib/apply/mail-platform-users-sync.py`, Python standard library and
 * the host's AWS client, `mail-platform-aws`) and the systemd units that run it: once at first boot (by the setup), after each
 * bundle applied (by the bundle's reload commands) and every minute (a timer), so that a password
 * changed in SSM takes effect without a configuration change. They travel in the bundle, not in
 * user data: a host that booted before the sync existed gets it with its next rollout.
 */
import type { BundleFile } from "./bundle";
import { packagedScriptText } from "./packaged-script";
import { USERS_SYNC_SCRIPT_PATH } from "./script-paths";
import { MAILBOX_LIST_PATH } from "../render/accounts/mailbox-list";
import { HOST_PATHS } from "../render/host-paths";

/** The service that runs the sync once. */
export const USERS_SYNC_SERVICE = "mail-platform-users-sync.service";
/** The timer that starts it periodically. */
export const USERS_SYNC_TIMER = "mail-platform-users-sync.timer";
/** Seconds between two runs of the timer: the longest a password change in SSM waits to take effect. */
export const USERS_SYNC_PERIOD_SECONDS = 60;

/** The script text. */
export function usersSyncScriptText(): string {
  return packagedScriptText("mail-platform-users-sync.py");
}

/** The oneshot service (its output goes to the journal; the script never prints a hash). */
export function renderUsersSyncService(): string {
  return `[Unit]
Description=mail-platform users sync: ${HOST_PATHS.dovecotUsers} from /${MAILBOX_LIST_PATH} and SSM
Wants=network-online.target
After=network-online.target
# Before the first bundle there is no list (the first-boot setup runs the sync itself).
ConditionPathExists=/${MAILBOX_LIST_PATH}

[Service]
Type=oneshot
ExecStart=${USERS_SYNC_SCRIPT_PATH}
TimeoutStartSec=120
`;
}

/** The timer: every period after the last run ended, and soon after a boot. */
export function renderUsersSyncTimer(): string {
  return `[Unit]
Description=mail-platform users sync every ${USERS_SYNC_PERIOD_SECONDS} s (a password changed in SSM takes effect without a rollout)

[Timer]
OnBootSec=30s
OnUnitInactiveSec=${USERS_SYNC_PERIOD_SECONDS}s
AccuracySec=5s

[Install]
WantedBy=timers.target
`;
}

/** The sync's files of a bundle: the script and its two units. */
export function usersSyncFiles(): BundleFile[] {
  return [
    { path: USERS_SYNC_SCRIPT_PATH, mode: "0755", content: usersSyncScriptText() },
    { path: `/etc/systemd/system/${USERS_SYNC_SERVICE}`, mode: "0644", content: renderUsersSyncService() },
    { path: `/etc/systemd/system/${USERS_SYNC_TIMER}`, mode: "0644", content: renderUsersSyncTimer() },
  ];
}

/**
 * The bundle's reload commands of the sync, after the daemons': systemd reads the (possibly new)
 * units, the timer runs, and one sync for the new mailbox list is queued. Queued, not waited for:
 * SSM being unreachable for a moment must not roll a valid configuration back (the timer retries),
 * and a rollback's reload queues it again for the restored list.
 */
export const USERS_SYNC_AFTER_APPLY: readonly (readonly string[])[] = [
  ["systemctl", "daemon-reload"],
  ["systemctl", "enable", "--now", USERS_SYNC_TIMER],
  ["systemctl", "start", "--no-block", USERS_SYNC_SERVICE],
];
