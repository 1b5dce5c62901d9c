/** `mail-platform local down`: stopping an instance's daemons, and telling which of them run. */
import { spawnSync } from "child_process";
import { existsSync, readFileSync, rmSync } from "fs";
import { join } from "path";
import { stateLayout, type StateLayout } from "./conventions";
import { LocalInstanceError } from "./instance-error";
import { isAlive, pidFromFile, processTree, waitGone } from "./processes";
import { DEFAULT_STATE_DIR, type LocalState } from "./state";
import { removeLoopbackAddress } from "./system";
import { postsrsdLayout } from "./postsrsd";
import { rspamdLayout } from "./rspamd";
import { runningJoinedInstances } from "./join";

/** The master processes of an instance that are alive now. */
export function runningPids(layout: StateLayout): number[] {
  return [
    join(layout.spool, "pid", "master.pid"),
    join(layout.dovecotBase, "master.pid"),
    join(layout.dns, "named.pid"),
    join(layout.opendkimRun, "opendkim.pid"),
    join(layout.nginx, "nginx.pid"),
    postsrsdLayout(layout).pid,
    rspamdLayout(layout).pid,
    rspamdLayout(layout).redisPid,
  ]
    .map(pidFromFile)
    .filter((pid): pid is number => pid !== undefined);
}

/** Stop every daemon of an instance (politely, then by force); returns the processes that were running. */
export async function stopAll(layout: StateLayout): Promise<number[]> {
  const masters = runningPids(layout);
  const everything = masters.flatMap(processTree);
  if (existsSync(join(layout.postfixConfig, "main.cf"))) spawnSync("postfix", ["-c", layout.postfixConfig, "stop"], { stdio: "ignore" });
  for (const pid of masters) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  if (!(await waitGone(everything, 15_000))) {
    for (const pid of everything.filter(isAlive)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await waitGone(everything, 5_000);
  }
  return everything;
}

/** What `local down` did. */
export interface LocalDownResult {
  /** How many processes ended. */
  readonly stopped: number;
  readonly stateDir: string;
  /** Instances that joined this one (`local up --join`) and still run, now without their DNS server. */
  readonly joinedStillRunning: readonly string[];
}

/**
 * Stop the instance in a state directory: its own processes only. A joined instance leaves the
 * DNS server and its address to the instance it joined; the first instance takes them down.
 */
export async function localDown(stateDir: string = DEFAULT_STATE_DIR): Promise<LocalDownResult> {
  const layout = stateLayout(stateDir);
  if (!existsSync(layout.stateFile) && runningPids(layout).length === 0) {
    throw new LocalInstanceError(`no local instance in ${stateDir}`);
  }
  const stopped = await stopAll(layout);
  const left = stopped.filter(isAlive);
  if (left.length > 0) throw new LocalInstanceError(`processes still running after stop: ${left.join(", ")}`);
  if (existsSync(layout.stateFile)) {
    const state = JSON.parse(readFileSync(layout.stateFile, "utf8")) as LocalState;
    if (state.joined === undefined) removeLoopbackAddress(state.dnsServer);
  }
  rmSync(layout.stateFile, { force: true });
  return { stopped: stopped.length, stateDir, joinedStillRunning: runningJoinedInstances(layout) };
}
