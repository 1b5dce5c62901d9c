/**
 * `npm run bench`: synthesize the example, generated platforms (10 … 100,000 domains in ten
 * groups on one host) and spread platforms (`spread-1000`: 1,000 domains in 100 groups over 16
 * hosts, each group with a home and a backup MX, MTA-STS on) with our constructs and with two
 * baselines, in one run on one machine, and print the medians of wall time and peak memory. The
 * ratios are what count; machines differ. The baselines stop at 10,000 domains
 * (`--baseline-max`): at 100,000 they run for many minutes.
 *
 *   npm run bench -- [--runs 3] [--sizes 10,100,1000,10000,100000] [--spread 1000] [--baseline-max 10000] [--out bench/results.md]
 *   npm run bench -- --platforms spread-1000     (only these rows: example, a size, spread-<domains>)
 *
 * Every run is a fresh process (as `cdktf synth` starts one), timed from spawn to exit; its peak
 * resident memory is reported by the process itself (bench/report-usage.cjs). A run that fails
 * or times out is reported as such, never as a number.
 */
import { existsSync, writeFileSync } from "fs";
import { isAbsolute, join } from "path";
import { cdktfAppCommand, measuredProcess, option, ROOT } from "./measured-process";
import { checkTargets, domainsOf, formatTable, type Measurement, type Row } from "./report";

/** How each contender is started. Ours is exactly the cdktf.json app command for the example. */
interface Contender {
  readonly name: string;
  /** The node arguments before the entry file (runner preloads). */
  readonly runner: readonly string[];
  readonly entry: (platform: string) => string;
}

const app = cdktfAppCommand();
const OURS: Contender = { name: "mail-platform", runner: app.runner, entry: (p) => (p === "example" ? app.entry : "bench/apps/mail-platform-app.ts") };
const PER_RECORD: Contender = { name: "per-record, deep imports", runner: app.runner, entry: () => "bench/apps/per-record-deep-imports.ts" };
const NAIVE: Contender = { name: "naive (root import, ts-node)", runner: ["-r", "ts-node/register"], entry: () => "bench/apps/naive-root-import.ts" };
/** The naive app under our runner: how much of its cost is the import, not the runner. */
const NAIVE_FAST: Contender = { name: "naive under our runner", runner: app.runner, entry: () => "bench/apps/naive-root-import.ts" };

const RUNS = Number(option("runs", "3"));
const SIZES = option("sizes", "10,100,1000,10000,100000").split(",").map(Number);
/** Domains of the spread platforms (16 hosts, 100 groups); `none` for no spread row. */
const SPREAD = option("spread", "1000");
const PLATFORMS = option(
  "platforms",
  ["example", ...SIZES.map(String), ...(SPREAD === "none" ? [] : SPREAD.split(",").map((d) => `spread-${d}`))].join(","),
).split(",");
const BASELINE_MAX = Number(option("baseline-max", "10000"));
const TIMEOUT_MS = Number(option("timeout", "300")) * 1000;
const OUT = option("out", "bench/results.md");

/** One synth in a fresh process. */
function runOnce(contender: Contender, platform: string): Measurement {
  const run = measuredProcess({
    runner: contender.runner,
    entry: () => [contender.entry(platform)],
    env: { BENCH_PLATFORM: platform },
    timeoutMs: TIMEOUT_MS,
    maxBufferBytes: 64 * 1024 * 1024,
    produced: (work) => existsSync(join(work, "cdktf.out", "stacks")),
  });
  return run.ok ? { ok: true, seconds: run.seconds, megabytes: run.megabytes } : run;
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
for (const platform of PLATFORMS) {
  process.stderr.write(`${platform}\n`);
  const baselines = platform === "example" || domainsOf(platform) <= BASELINE_MAX;
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
