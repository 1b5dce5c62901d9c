/**
 * Watching a host's first boot from outside: the setup unit's markers and log, read through the
 * container's mount namespace. A failed attempt is reported with the step it failed at and the
 * last lines of the setup log, cloud-init's output and the AWS calls the stand-ins refused.
 */
import { UserError } from "../errors";
import { SETUP_DONE_MARKER, SETUP_LOG } from "../rollout/bootstrap/setup-script";
import type { HostContainer } from "./container";

/** One failed attempt, as the setup script logs it. */
export interface FailedAttempt {
  readonly step: string;
  readonly exit: number;
  readonly attempt: number;
}

/** How the first boot ended. */
export interface FirstBootOutcome {
  /** The setup finished (setup-done marker present). */
  readonly done: boolean;
  /** Failed attempts seen, in order. */
  readonly failures: readonly FailedAttempt[];
  /** Seconds from boot to the outcome. */
  readonly seconds: number;
}

/** A first boot that did not finish as required, with everything needed to see why. */
export class FirstBootError extends UserError {
  constructor(
    message: string,
    readonly outcome: FirstBootOutcome,
    readonly setupLogTail: string,
    readonly cloudInitTail: string,
  ) {
    super(
      `${message}\n--- last lines of ${SETUP_LOG} ---\n${setupLogTail || "(no setup log: the setup never ran)"}\n--- last lines of /var/log/cloud-init-output.log ---\n${cloudInitTail || "(empty)"}`,
    );
    this.name = "FirstBootError";
  }
}

const FAILED = /mail-platform setup FAILED at step "([^"]+)" \(exit (\d+), attempt (\d+)\)/g;

/** The failed attempts logged so far. */
export function failedAttempts(setupLog: string): FailedAttempt[] {
  return [...setupLog.matchAll(FAILED)].map((m) => ({ step: m[1]!, exit: Number(m[2]), attempt: Number(m[3]) }));
}

function lastLines(text: string | undefined, count: number): string {
  return (text ?? "").trimEnd().split("\n").slice(-count).join("\n");
}

/** What to wait for. */
export interface FirstBootWait {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Stop at the Nth failed attempt (1: the first failure ends the wait). @default undefined - wait out the timeout */
  readonly maxFailures?: number;
  /** Called with each newly seen failed attempt (e.g. to repair the world meanwhile). */
  readonly onFailure?: (failure: FailedAttempt) => void | Promise<void>;
  /** Extra text for an error (e.g. the AWS calls the stand-ins refused). */
  readonly context?: () => string;
  /** Name the host in an error's first line (when a rehearsal boots several). @default unnamed */
  readonly host?: string;
  /**
   * Give up at once when this says so (another host's first boot failed): ends the wait within a
   * second with an error saying it was abandoned. @default never
   */
  readonly abandoned?: () => boolean;
}

/** Wait until the setup is done; throws FirstBootError on timeout or too many failures. */
export async function waitForFirstBoot(container: HostContainer, bootedAt: number, wait: FirstBootWait): Promise<FirstBootOutcome> {
  const deadline = Date.now() + wait.timeoutMs;
  let seen = 0;
  for (;;) {
    const log = container.readFile(SETUP_LOG) ?? "";
    const failures = failedAttempts(log);
    for (const failure of failures.slice(seen)) await wait.onFailure?.(failure);
    seen = failures.length;
    const done = container.readFile(SETUP_DONE_MARKER) !== undefined;
    const outcome = { done, failures, seconds: (Date.now() - bootedAt) / 1000 };
    if (done) return outcome;
    const tooMany = wait.maxFailures !== undefined && failures.length >= wait.maxFailures;
    const abandoned = wait.abandoned?.() === true;
    if (tooMany || abandoned || Date.now() > deadline) {
      const last = failures[failures.length - 1];
      const why = tooMany
        ? `the first-boot setup failed at step "${last!.step}" (exit ${last!.exit}, attempt ${last!.attempt})`
        : abandoned
          ? "the wait for the first-boot setup was abandoned (another host's first boot failed)"
          : `the first-boot setup did not finish within ${Math.round(wait.timeoutMs / 1000)} s${last ? ` (last failure at step "${last.step}")` : ""}`;
      const reason = wait.host === undefined ? why : `host ${wait.host}: ${why}`;
      const context = wait.context?.();
      throw new FirstBootError(
        context ? `${reason}\n${context}` : reason,
        outcome,
        lastLines(container.readFile(SETUP_LOG), 25),
        lastLines(container.readFile("/var/log/cloud-init-output.log"), 15),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
