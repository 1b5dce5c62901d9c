/**
 * systemd drop-ins that keep Postfix from accepting mail the content filter cannot see yet.
 *
 * rspamd binds its milter sockets only once its main process has loaded the configuration, and at
 * its first start on a host that includes compiling the TLD list into a hyperscan database: 14 s on
 * two idle cores, far longer on busy ones. Debian's unit is `Type=simple`, so systemd reports it
 * started at once, Postfix starts beside it, and `milter_default_action = accept` passes every
 * message of that window unscanned. With these drop-ins rspamd's start ends only when both milter
 * sockets listen, and Postfix's instance is ordered after it (ordering only: a content filter that
 * fails to start does not keep mail out, as at any later rspamd outage).
 */
import type { HostPlan, Plan } from "../plan/types";
import { HOST_OS_FACTS, type HostOs } from "../catalogue/host-os";
import { HOST_PATHS } from "../render/host-paths";
import { RSPAMD_MILTER_SOCKETS } from "../render/rspamd/rspamd";
import type { BundleFile } from "./bundle";

/** The drop-in that makes rspamd's start wait for its milter sockets. */
export const RSPAMD_DROP_IN = "/etc/systemd/system/rspamd.service.d/mail-platform.conf";
/**
 * The drop-in that orders the unit running Postfix's master after rspamd: a drop-in of the
 * template `postfix@.service` on Debian 12 (whose `postfix.service` only starts `postfix@-`).
 */
export function postfixDropIn(os: HostOs): string {
  const unit = HOST_OS_FACTS[os].postfixUnit.replace(/@-\.service$/, "@.service");
  return `/etc/systemd/system/${unit}.d/mail-platform.conf`;
}

/**
 * How long rspamd's start may take before systemd gives up (and stops it): a first start compiles
 * the TLD list, which took over a minute on two cores shared with other work.
 */
export const RSPAMD_START_TIMEOUT_SECONDS = 600;

/**
 * The milters' socket paths.
 * @param spool - Postfix's queue directory; the host's by default
 */
export function rspamdSocketPaths(spool: string = HOST_PATHS.postfixSpool): string[] {
  return Object.values(RSPAMD_MILTER_SOCKETS).map((socket) => `${spool}/${socket}`);
}

/**
 * The wait: every milter socket in the list of listening Unix sockets (`ss -xl`). A socket file
 * alone proves nothing: the previous run's stays until rspamd binds anew.
 * @param sockets - the sockets waited for; the host's milter sockets by default
 */
export function renderRspamdDropIn(sockets: readonly string[] = rspamdSocketPaths()): string {
  const listening = sockets.map((path) => `ss -Hxl | grep -qF " ${path} "`).join(" && ");
  return `# mail-platform: rspamd counts as started once its milters listen (Postfix is ordered after it).
[Service]
ExecStartPost=/bin/sh -c 'until ${listening}; do sleep 0.2; done'
TimeoutStartSec=${RSPAMD_START_TIMEOUT_SECONDS}
`;
}

/** Postfix after rspamd: ordering only, so Postfix still starts when rspamd does not. */
export function renderPostfixDropIn(): string {
  return `# mail-platform: Postfix starts once the content filter's milters listen (see rspamd.service.d).
[Unit]
After=rspamd.service
`;
}

/** The drop-ins of a host's bundle; none without the content filter (a rollout that turns it off removes them). */
export function contentFilterUnitFiles(plan: Plan, host: HostPlan): BundleFile[] {
  if (!plan.contentFilter.enabled) return [];
  return [
    { path: RSPAMD_DROP_IN, mode: "0644", content: renderRspamdDropIn() },
    { path: postfixDropIn(host.os), mode: "0644", content: renderPostfixDropIn() },
  ];
}
