/**
 * The on-host users sync (`lib/apply/mail-platform-users-sync.py`, Python standard library and
 * the `aws` CLI) and the systemd units that run it: once at first boot (by the setup), after each
 * bundle applied (by the bundle's reload commands) and every minute (a timer), so that a password
 * changed in SSM takes effect without a configuration change.
 */
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { USERS_SYNC_SCRIPT_PATH } from "./script-paths";
import { MAILBOX_LIST_PATH } from "../render/accounts/mailbox-list";
import { HOST_PATHS } from "../render/host-paths";

/** The service that runs the sync once. */
export const USERS_SYNC_SERVICE = "mail-platform-users-sync.service";
/** The timer that starts it periodically. */
export const USERS_SYNC_TIMER = "mail-platform-users-sync.timer";
/** Seconds between two runs of the timer: the longest a password change in SSM waits to take effect. */
export const USERS_SYNC_PERIOD_SECONDS = 60;

/** Path of the script in this package (source tree or compiled `dist`). */
function usersSyncScriptPath(): string {
  for (const candidate of [
    join(__dirname, "..", "apply", "mail-platform-users-sync.py"),
    join(__dirname, "..", "..", "..", "lib", "apply", "mail-platform-users-sync.py"),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("mail-platform-users-sync.py is missing from the package");
}

/** The script text. */
export function usersSyncScriptText(): string {
  return readFileSync(usersSyncScriptPath(), "utf8");
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

/**
 * The bundle's reload command that runs the sync after each bundle applied. Queued, not waited
 * for: SSM being unreachable for a moment must not roll a valid configuration back (the timer
 * retries), and a rollback's reload runs it again with the restored list.
 */
export const USERS_SYNC_AFTER_APPLY: readonly string[] = ["systemctl", "start", "--no-block", USERS_SYNC_SERVICE];
