/**
 * rspamd's TLD list, compiled early in the first boot.
 *
 * At its first start on a host, rspamd's main process compiles the public-suffix list into a
 * hyperscan database before it binds its milters: 10 s of CPU, 14 s on two idle cores, 20–25 s on
 * busy ones. Postfix waits for those milters (content-filter-units), so that compile lay on the
 * first boot's path to serving mail. The database lands in rspamd's cache directory under the
 * hash of the list, whatever else the configuration says; so an rspamd main process with only the
 * list and the cache directory configured, started right after the packages, compiles it beside
 * the next steps (volume, certificates, keys), and the service's own start later finds it.
 *
 * The warm-up binds no socket (no worker is configured) and runs as the service's user, so the
 * files it leaves are the ones the service would have written. It is an optimisation only: if it
 * fails, the service compiles the list itself and Postfix still waits for it.
 */
import type { HostPlan, Plan } from "../../plan/types";
import { HOST_OS_FACTS } from "../../catalogue/host-os";
import { RSPAMD_USER } from "../../render/rspamd/rspamd";
import { RSPAMD_START_TIMEOUT_SECONDS } from "../content-filter-units";

/** The transient unit the warm-up runs in (`.service`); its runtime directory and configuration file are named after it. */
export const RSPAMD_WARMUP_UNIT = "mail-platform-rspamd-warmup";

/** rspamd's database directory on Debian (`$DBDIR`), where its options put the hyperscan cache. */
export const RSPAMD_DB_DIR = "/var/lib/rspamd";

/** What rspamd logs once the list is compiled and its database written. */
export const RSPAMD_TLD_DONE = "url match suffixes";

/**
 * The warm-up's configuration, on one line (the setup script travels in the user data, whose
 * 16 KB are nearly spent): the list (its path differs by release), the cache directory, and the
 * log level that shows when the list is done.
 * @param runtimeDirectory - where its pid file goes
 * @param cacheDirectory - where the database goes; the service's own (`$DBDIR`) by default
 */
export function renderRspamdWarmupConfig(host: HostPlan, runtimeDirectory: string, cacheDirectory: string = RSPAMD_DB_DIR): string {
  const list = HOST_OS_FACTS[host.os].rspamdTldList;
  return `options {url_tld="${list}";hs_cache_dir="${cacheDirectory}/";pidfile="${runtimeDirectory}/pid";} logging {type="console";level="info";}\n`;
}

/**
 * The setup's step that starts the warm-up (after the packages). Idempotent: a retried setup
 * finds the one still running, or starts one that finds the cache. Its configuration goes to
 * /run, readable by rspamd's user (the state directory is root's alone).
 * @param stateDir - the setup's state directory (the warm-up's log)
 */
export function rspamdWarmupStart(plan: Plan, host: HostPlan, stateDir: string): string {
  if (!plan.contentFilter.enabled) return "";
  const config = renderRspamdWarmupConfig(host, `/run/${RSPAMD_WARMUP_UNIT}`).trimEnd();
  return `step "content filter's TLD list"
# Compiled beside the next steps, not at rspamd's start (Postfix waits for that).
systemctl is-active -q ${RSPAMD_WARMUP_UNIT} || { printf '%s\\n' '${config}' >/run/${RSPAMD_WARMUP_UNIT}.conf
  systemd-run -q --collect -u ${RSPAMD_WARMUP_UNIT} -p User=${RSPAMD_USER} -p RuntimeDirectory=${RSPAMD_WARMUP_UNIT} -p RuntimeMaxSec=${RSPAMD_START_TIMEOUT_SECONDS} \\
    -p StandardOutput=truncate:${stateDir}/rspamd-warmup.log rspamd -f -c /run/${RSPAMD_WARMUP_UNIT}.conf || echo "no TLD warm-up"; }

`;
}

/**
 * Before the services start: wait until the warm-up wrote the database (or ended), then stop it.
 * The wait is bounded by rspamd's own start limit: past it, rspamd starts anyway and compiles the
 * list itself.
 * @param stateDir - as for {@link rspamdWarmupStart}
 */
export function rspamdWarmupFinish(plan: Plan, stateDir: string): string {
  if (!plan.contentFilter.enabled) return "";
  return `for _ in $(seq ${RSPAMD_START_TIMEOUT_SECONDS * 2}); do grep -qF "${RSPAMD_TLD_DONE}" ${stateDir}/rspamd-warmup.log 2>/dev/null || ! systemctl is-active -q ${RSPAMD_WARMUP_UNIT} && break; sleep 0.5; done
systemctl stop ${RSPAMD_WARMUP_UNIT} 2>/dev/null || true
`;
}
