/**
 * `npm run bench`: synthesize the example and generated platforms (10 … 100,000 domains in ten
 * groups) with our constructs and with two baselines, in one run on one machine, and print the
 * medians of wall time and peak memory. The ratios are what count; machines differ. The
 * baselines stop at 10,000 domains (`--baseline-max`): at 100,000 they run for many minutes.
 *
 *   npm run bench -- [--runs 3] [--sizes 10,100,1000,10000,100000] [--baseline-max 10000] [--out bench/results.md]
 *
 * Every run is a fresh process (as `cdktf synth` starts one), timed from spawn to exit; its peak
 * resident memory is reported by the process itself (bench/report-usage.cjs). A run that fails
 * or times out is reported as such, never as a number.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { isAbsolute, join } from "path";
import { checkTargets, formatTable, type Measurement, type Row } from "./report";

const ROOT = join(__dirname, "..");

/** How each contender is started. Ours is exactly the cdktf.json app command for the example. */
interface Contender {
  readonly name: string;
  /** The node arguments before the entry file (runner preloads). */
  readonly runner: readonly string[];
  readonly entry: (platform: string) => string;
}

/** The cdktf.json app command, split: `node <runner args…> <entry>`. */
function cdktfAppCommand(): { runner: string[]; entry: string } {
  const app = (JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app.split(/\s+/);
  if (app[0] !== "node") throw new Error(`cdktf.json app should start with node: ${app.join(" ")}`);
  return { runner: app.slice(1, -1), entry: app[app.length - 1]! };
}

const app = cdktfAppCommand();
const OURS: Contender = { name: "mail-platform", runner: app.runner, entry: (p) => (p === "example" ? app.entry : "bench/apps/mail-platform-app.ts") };
const PER_RECORD: Contender = { name: "per-record, deep imports", runner: app.runner, entry: () => "bench/apps/per-record-deep-imports.ts" };
const NAIVE: Contender = { name: "naive (root import, ts-node)", runner: ["-r", "ts-node/register"], entry: () => "bench/apps/naive-root-import.ts" };
/** The naive app under our runner: how much of its cost is the import, not the runner. */
const NAIVE_FAST: Contender = { name: "naive under our runner", runner: app.runner, entry: () => "bench/apps/naive-root-import.ts" };

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

const RUNS = Number(option("runs", "3"));
const SIZES = option("sizes", "10,100,1000,10000,100000").split(",").map(Number);
const BASELINE_MAX = Number(option("baseline-max", "10000"));
const TIMEOUT_MS = Number(option("timeout", "300")) * 1000;
const OUT = option("out", "bench/results.md");

/** One synth in a fresh process. */
function runOnce(contender: Contender, platform: string): Measurement {
  const work = mkdtempSync(join(tmpdir(), "mail-bench-"));
  const usageFile = join(work, "usage.json");
  const outdir = join(work, "cdktf.out");
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...contender.runner, "-r", join(ROOT, "bench", "report-usage.cjs"), contender.entry(platform)], {
    cwd: ROOT,
    env: { ...process.env, BENCH_PLATFORM: platform, BENCH_USAGE_FILE: usageFile, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  try {
    if (result.error || result.status !== 0) {
      const why = result.error?.message.includes("ETIMEDOUT") ? `timeout (> ${TIMEOUT_MS / 1000} s)` : `failed (${result.status ?? result.signal}): ${(result.stderr ?? "").trim().split("\n").slice(-1)[0]}`;
      return { ok: false, why };
    }
    if (!existsSync(join(outdir, "stacks")) || !existsSync(usageFile)) return { ok: false, why: "no synthesized stack" };
    const { maxRssKiB } = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRssKiB: number };
    return { ok: true, seconds, megabytes: maxRssKiB / 1024 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The median of several runs (any failure makes the cell a failure). */
function measure(contender: Contender, platform: string): Measurement {
  const runs: Measurement[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = runOnce(contender, platform);
    if (!run.ok) return run;
    runs.push(run);
    process.stderr.write(`  ${contender.name} @ ${platform}: ${run.seconds.toFixed(2)} s, ${run.megabytes.toFixed(0)} MB\n`);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { ok: true, seconds: median(runs.map((r) => (r.ok ? r.seconds : 0))), megabytes: median(runs.map((r) => (r.ok ? r.megabytes : 0))) };
}

const rows: Row[] = [];
for (const platform of ["example", ...SIZES.map(String)]) {
  process.stderr.write(`${platform}\n`);
  const baselines = platform === "example" || Number(platform) <= BASELINE_MAX;
  rows.push({
    platform,
    ours: measure(OURS, platform),
    perRecord: baselines ? measure(PER_RECORD, platform) : { ok: false, why: "skipped (--baseline-max)" },
    naive: baselines ? measure(NAIVE, platform) : { ok: false, why: "skipped (--baseline-max)" },
    ...(platform === "example" ? { naiveFastRunner: measure(NAIVE_FAST, platform) } : {}),
  });
}

const report = [
  formatTable(rows, { runs: RUNS, runner: app.runner.join(" ") }),
  "",
  ...checkTargets(rows).map((t) => `- ${t.met ? "met" : "NOT met"}: ${t.text}`),
].join("\n");
process.stdout.write(`${report}\n`);
writeFileSync(isAbsolute(OUT) ? OUT : join(ROOT, OUT), `${report}\n`);
