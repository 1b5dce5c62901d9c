/**
 * postsrsd in a local instance: this machine runs Debian 12's postsrsd 1.x, started directly
 * (not through systemd) with the rendered /etc/default/postsrsd of the instance, a secret made
 * for the instance, and its TCP tables on the host's first group address instead of
 * 127.0.0.1 (two instances, of two platforms or two hosts of one, must not share one SRS daemon).
 */
import { randomBytes } from "crypto";
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import type { HostPlan, Plan } from "../plan/types";
import { POSTSRSD_TCP } from "../render/postsrsd/postsrsd";
import type { StateLayout } from "./conventions";

/** Files of the instance's postsrsd below its state directory. */
export function postsrsdLayout(layout: StateLayout) {
  const dir = join(layout.stateDir, "postsrsd");
  return { dir, defaults: join(dir, "default"), secret: join(dir, "secret"), pid: join(dir, "postsrsd.pid") } as const;
}

/** Where the instance's postsrsd listens: the host's first group address (no other host or block has it). */
export function localSrsAddress(host: HostPlan): string {
  return host.addresses[0]!.privateIp;
}

/** The main.cf settings the overlay changes for SRS: the instance's own tables. */
export function postsrsdPostfixOverlay(plan: Plan, host: HostPlan): Record<string, string> {
  if (!plan.srs.enabled) return {};
  const address = localSrsAddress(host);
  return {
    sender_canonical_maps: `tcp:${address}:${POSTSRSD_TCP.forwardPort}`,
    recipient_canonical_maps: `tcp:${address}:${POSTSRSD_TCP.reversePort}`,
  };
}

/** Make the instance's SRS secret (random, never part of any rendered file), as Debian's package does on a host. */
export function writeLocalSrsSecret(layout: StateLayout): void {
  const files = postsrsdLayout(layout);
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.secret, `${randomBytes(24).toString("base64")}\n`, { mode: 0o600 });
}

function startScript(host: HostPlan, layout: StateLayout): string {
  const files = postsrsdLayout(layout);
  return [
    `. ${files.defaults}`,
    `exec postsrsd -d "$SRS_DOMAIN" "-X$SRS_EXCLUDE_DOMAINS" -a "$SRS_SEPARATOR" -n "$SRS_HASHLENGTH" -N "$SRS_HASHMIN"` +
      ` -f "$SRS_FORWARD_PORT" -r "$SRS_REVERSE_PORT" -s ${files.secret} -l ${localSrsAddress(host)} -u nobody -p ${files.pid} -D`,
  ].join("\n");
}

/**
 * The command that starts the instance's postsrsd: the rendered defaults file supplies the domain
 * and the excluded domains (as Debian's launcher reads it); address, secret and pid file are the
 * instance's.
 */
export function postsrsdStartCommand(host: HostPlan, layout: StateLayout): string[] {
  return ["sh", "-c", startScript(host, layout)];
}

/** postsrsd 1.x reads its settings only at start: a reload is a restart once the old process is gone. */
export function postsrsdRestartCommand(host: HostPlan, layout: StateLayout): string[] {
  const pid = postsrsdLayout(layout).pid;
  const stop = `if [ -s ${pid} ]; then old=$(cat ${pid}); kill "$old" 2>/dev/null; while kill -0 "$old" 2>/dev/null; do sleep 0.1; done; fi`;
  return ["sh", "-c", `${stop}\n${startScript(host, layout)}`];
}
