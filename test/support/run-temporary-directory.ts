/**
 * One temporary directory per test run, removed when the run ends. Jest's global setup creates it
 * in the system's temporary directory and points TMPDIR at it before the test processes start, so
 * everything the tests make with os.tmpdir() (cdktf's Testing.app() outdirs, rendered trees, zone
 * files, CLI runs) and the temporary files of the programs they start land in it. The global
 * teardown removes this directory only: concurrent runs and other programs keep theirs. Caches
 * meant to outlive a run stay where they were (Jest's own is placed before the setup runs; tsx's
 * is linked, see tsxCacheName).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "fs";
import { tmpdir, userInfo } from "os";
import { basename, dirname, join } from "path";

/** The prefix of a run's directory name in the system's temporary directory. */
export const RUN_DIRECTORY_PREFIX = "mail-platform-tests-";

/** The environment variable naming this run's directory. */
const RUN_DIRECTORY_VARIABLE = "MAIL_PLATFORM_TEST_RUN_TMPDIR";

/** The environment variable keeping the system's temporary directory, for state meant to outlive a run. */
const SYSTEM_TMPDIR_VARIABLE = "MAIL_PLATFORM_TEST_SYSTEM_TMPDIR";

/**
 * The system's temporary directory, as it was before the run pointed TMPDIR at its own. For state
 * that must be found again by the next run (a live instance left running by an aborted run).
 */
export function systemTmpdir(env: NodeJS.ProcessEnv = process.env): string {
  return env[SYSTEM_TMPDIR_VARIABLE] ?? tmpdir();
}

/** The directory tsx keeps its compiled modules in, below the temporary directory (tsx-<euid>). */
export function tsxCacheName(): string {
  return `tsx-${process.geteuid?.() ?? userInfo().username}`;
}

/**
 * Create this run's directory in `system` and make it the temporary directory of this process
 * and its children.
 * @param system - where to create it; the temporary directory by default
 */
export function enterRunDirectory(env: NodeJS.ProcessEnv = process.env, system: string = tmpdir()): string {
  const dir = mkdtempSync(join(system, RUN_DIRECTORY_PREFIX));
  // Traversable (not writable) by the users Postfix, Dovecot and named run as, which read the
  // state directories the tests create below it.
  chmodSync(dir, 0o755);
  // The CLI tests start the command through tsx: its cache of compiled modules (a link, which the
  // removal takes away without following) lets each run start warm, as it did before.
  mkdirSync(join(system, tsxCacheName()), { recursive: true, mode: 0o700 });
  symlinkSync(join(system, tsxCacheName()), join(dir, tsxCacheName()));
  env[SYSTEM_TMPDIR_VARIABLE] = system;
  env[RUN_DIRECTORY_VARIABLE] = dir;
  env.TMPDIR = dir;
  return dir;
}

/**
 * Remove this run's directory (and everything in it) and restore TMPDIR. Returns the removed
 * directory, or undefined when there was none. Refuses a directory that is not a run directory in
 * the system's temporary directory.
 */
export function leaveRunDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env[RUN_DIRECTORY_VARIABLE];
  if (dir === undefined) return undefined;
  const system = env[SYSTEM_TMPDIR_VARIABLE]!;
  if (dirname(dir) !== system || !basename(dir).startsWith(RUN_DIRECTORY_PREFIX)) {
    throw new Error(`${RUN_DIRECTORY_VARIABLE}=${dir} is not a test run directory (${join(system, `${RUN_DIRECTORY_PREFIX}*`)}); not removing it`);
  }
  // Retries: a program a test started may still be writing into it for a moment.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  env.TMPDIR = system;
  delete env[RUN_DIRECTORY_VARIABLE];
  delete env[SYSTEM_TMPDIR_VARIABLE];
  return dir;
}
