/** What `local up` and `local apply` check of this machine before they touch anything. */
import { NOT_RUN_LOCALLY } from "./local-bundle";
import { spawnSync } from "child_process";
import { existsSync, statSync } from "fs";
import { dirname, resolve } from "path";
import type { PlatformSpec } from "../model/schema";
import { plan as derivePlan } from "../plan/plan";
import { LocalInstanceError } from "./instance-error";
import { machineOs } from "./machine-os";

/**
 * The model as this machine runs it: every host on this machine's Debian release, since the
 * instance runs this machine's Postfix and Dovecot (production renders for the model's own OS).
 */
export function onThisMachine(spec: PlatformSpec): PlatformSpec {
  const os = machineOs();
  if (!os) throw new LocalInstanceError("local instances run on Debian 12 or 13 (their Postfix and Dovecot); /etc/os-release names another system");
  return { ...spec, os, hosts: spec.hosts.map(({ os: _own, ...host }) => host) };
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

/** Root, and every program the instance runs (with the Debian package that brings a missing one). */
export function checkPrerequisites(spec: PlatformSpec): void {
  if (process.getuid?.() !== 0) {
    throw new LocalInstanceError("local up needs root: it binds the mail ports (below 1024) and runs Postfix in its chroot");
  }
  if (spec.contentFilter.enabled && spec.contentFilter.antivirus) {
    throw new LocalInstanceError(
      "a local instance does not run ClamAV (its signatures come from the Internet through freshclam); set contentFilter.antivirus to false for local runs",
    );
  }
  const needed: Record<string, string> = {
    ...PROGRAMS,
    // Each daemon the platform runs is a program here too (opendkim, nginx when they run), but not
    // those `local up` does not run (NOT_RUN_LOCALLY: unbound, fail2ban, clamav).
    ...Object.fromEntries(
      derivePlan(spec)
        .daemons.filter((daemon) => !NOT_RUN_LOCALLY.includes(daemon.name))
        .map((daemon) => [daemon.program ?? daemon.name, daemon.package]),
    ),
  };
  const missing = Object.keys(needed).filter((p) => spawnSync("sh", ["-c", `command -v ${p}`]).status !== 0);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((p) => needed[p]!))].join(" ");
    throw new LocalInstanceError(`missing program(s): ${missing.join(", ")}; install: apt-get install -y --no-install-recommends ${packages}`);
  }
}

/** Every existing ancestor of the state directory must be traversable by Postfix's and Dovecot's users. */
export function checkTraversable(stateDir: string): void {
  for (let dir = dirname(resolve(stateDir)); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      throw new LocalInstanceError(
        `${dir} is not accessible to other users (mode ${(statSync(dir).mode & 0o777).toString(8)}); Postfix, Dovecot and named run as their own users: choose another --state-dir or chmod o+x ${dir}`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}
