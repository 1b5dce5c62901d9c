/** Running this machine's programs for a local instance: one-shot commands, daemons, and waiting for their ports. */
import { spawnSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import type { StateLayout } from "./conventions";
import { LocalInstanceError } from "./instance-error";
import { accepts, hasLoopbackAddress } from "./system";

/** Run a program to its end; a failure is explained by the last lines of its output. */
export function run(program: string, args: string[], env?: NodeJS.ProcessEnv): void {
  const result = spawnSync(program, args, { encoding: "utf8", env: env ? { ...process.env, ...env } : process.env, timeout: 60_000 });
  if (result.status !== 0) {
    throw new LocalInstanceError(`${program} ${args.join(" ")} failed: ${(result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n")}`);
  }
}

/**
 * Start a daemon that forks into the background. Its stdio is not a pipe: a daemon that keeps
 * an inherited pipe open would block us until it exits. Failures are explained by its log.
 * @param timeoutMs - how long it may take to fork; 60 s by default
 */
export function startDaemon(program: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv, timeoutMs = 60_000): void {
  const result = spawnSync(program, args, { stdio: "ignore", env: env ? { ...process.env, ...env } : process.env, timeout: timeoutMs });
  if (result.status !== 0) throw new LocalInstanceError(`${program} ${args.join(" ")} failed (exit ${result.status}); its log:\n${tail(logFile)}`);
}

function tail(file: string, lines = 15): string {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n") : "(no log)";
}

/** Wait until every address and port accepts connections; otherwise fail with the daemons' logs. */
export async function waitListening(targets: ReadonlyArray<readonly [string, number]>, layout: StateLayout, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const [address, port] of targets) {
    while (!(await accepts(address, port))) {
      if (Date.now() > deadline) {
        throw new LocalInstanceError(
          `nothing listens on ${address}:${port} after ${timeoutMs / 1000} s.\npostfix log:\n${tail(layout.postfixLog)}\ndovecot log:\n${tail(layout.dovecotLog)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Put `address` on the loopback interface, unless it is there already. */
export function addLoopbackAddress(address: string): void {
  if (!hasLoopbackAddress(address)) run("ip", ["addr", "add", `${address}/32`, "dev", "lo"]);
}
