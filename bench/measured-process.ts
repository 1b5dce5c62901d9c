/**
 * What both benchmarks share: their command-line options, the cdktf.json app command, and one
 * fresh Node process timed from spawn to exit with the CPU time and peak memory it reports about
 * itself (bench/report-usage.cjs).
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

/** The repository root. */
export const ROOT = join(__dirname, "..");

/** The value of `--name <value>` on the command line, or the fallback. */
export function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

/** The cdktf.json app command, split: `node <runner args…> <entry>`. */
export function cdktfAppCommand(): { runner: string[]; entry: string } {
  const app = (JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app.split(/\s+/);
  if (app[0] !== "node") throw new Error(`cdktf.json app should start with node: ${app.join(" ")}`);
  return { runner: app.slice(1, -1), entry: app[app.length - 1]! };
}

/** One measured process: wall seconds, CPU seconds, peak MB; or why there is none. */
export type ProcessMeasurement = { ok: true; seconds: number; cpuSeconds: number; megabytes: number } | { ok: false; why: string };

/** What to run: node arguments after the usage reporter's preload is inserted by `measuredProcess`. */
export interface MeasuredCommand {
  /** Node arguments before the usage reporter (runner preloads). */
  readonly runner: readonly string[];
  /** Arguments after it: the entry file and its arguments; `work` is a fresh directory removed afterwards. */
  readonly entry: (work: string) => readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly maxBufferBytes: number;
  /** Whether the run produced what it should (checked before the work directory is removed). */
  readonly produced?: (work: string) => boolean;
}

/** Run one command in a fresh process and a fresh work directory; the work directory is always removed. */
export function measuredProcess(command: MeasuredCommand): ProcessMeasurement {
  const work = mkdtempSync(join(tmpdir(), "mail-bench-"));
  const usageFile = join(work, "usage.json");
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...command.runner, "-r", join(ROOT, "bench", "report-usage.cjs"), ...command.entry(work)], {
    cwd: ROOT,
    env: { ...process.env, ...command.env, BENCH_USAGE_FILE: usageFile, CDKTF_OUTDIR: join(work, "cdktf.out"), CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    timeout: command.timeoutMs,
    maxBuffer: command.maxBufferBytes,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  try {
    if (result.error || result.status !== 0) {
      const why = result.error?.message.includes("ETIMEDOUT")
        ? `timeout (> ${command.timeoutMs / 1000} s)`
        : `failed (${result.status ?? result.signal}): ${(result.stderr ?? "").trim().split("\n").slice(-1)[0]}`;
      return { ok: false, why };
    }
    if (!existsSync(usageFile) || (command.produced && !command.produced(work))) return { ok: false, why: "no output or no usage report" };
    const { maxRssKiB, cpuMicroseconds } = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRssKiB: number; cpuMicroseconds: number };
    return { ok: true, seconds, cpuSeconds: cpuMicroseconds / 1e6, megabytes: maxRssKiB / 1024 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
