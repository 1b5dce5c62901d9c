/**
 * One rehearsal at a time per machine: the stand-ins listen on fixed addresses (EC2's metadata
 * and resolver addresses above all), so a second rehearsal waits for the first. The lock is a file
 * holding the owner's pid; a lock whose owner is gone is taken over.
 */
import { UserError } from "../errors";
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "fs";

/** Where the lock lives. */
export const REHEARSAL_LOCK_FILE = "/run/mail-platform-rehearsal.lock";

/** A held lock. */
export interface RehearsalLock {
  release(): void;
}

function ownerAlive(file: string): boolean {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Take the lock, waiting up to `timeoutMs` for another rehearsal to end. */
export async function acquireRehearsalLock(timeoutMs = 30 * 60_000, file = REHEARSAL_LOCK_FILE): Promise<RehearsalLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, "wx", 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let held = true;
      return {
        release() {
          if (held) rmSync(file, { force: true });
          held = false;
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!ownerAlive(file)) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new UserError(
          `another rehearsal (pid ${readFileSync(file, "utf8").trim()}) still runs after ${timeoutMs / 1000} s; one rehearsal runs on a machine at a time: wait for it or stop it`,
        );
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
