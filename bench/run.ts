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
 *   npm run bench -- --installed none            (without the compiled library's cells; default: example,1000,spread-1000)
 *
 * "As installed": ours as a consumer's `npm install` brings it, the library compiled to JavaScript
 * (built here first, `tsc -p tsconfig.json` into dist/) and only the app file through our runner.
 * The main column runs the library's TypeScript sources through the runner, as this repository's
 * own cdktf.json does for the example.
 *
 * Every run is a fresh process (as `cdktf synth` starts one), timed from spawn to exit; its peak
 * resident memory is reported by the process itself (bench/report-usage.cjs). A run that fails
 * or times out is reported as such, never as a number.
 */
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { isAbsolute, join } from "path";
import { benchInput } from "./apps/platform-input";
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
/** Ours with the library compiled (dist/), as a consumer runs it; the platform from BENCH_PLATFORM_FILE. */
const INSTALLED: Contender = { name: "mail-platform as installed", runner: app.runner, entry: () => "bench/apps/installed-app.ts" };
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
/** Platforms that also get the "as installed" cell. */
const INSTALLED_PLATFORMS = new Set(
  option("installed", "example,1000,spread-1000")
    .split(",")
    .filter((p) => p !== "none"),
);

/** The platform file the installed app reads: the example's platform.yaml, or the model as JSON in `dir`. */
function platformFile(platform: string, dir: string): string {
  if (platform === "example") return join(ROOT, "examples", "customer-groups", "platform.yaml");
  const file = join(dir, `${platform}.json`);
  writeFileSync(file, JSON.stringify(benchInput(platform)));
  return file;
}

/** One synth in a fresh process. */
function runOnce(contender: Contender, platform: string, env: NodeJS.ProcessEnv): Measurement {
  const run = measuredProcess({
    runner: contender.runner,
    entry: () => [contender.entry(platform)],
    env: { BENCH_PLATFORM: platform, ...env },
    timeoutMs: TIMEOUT_MS,
    maxBufferBytes: 64 * 1024 * 1024,
    produced: (work) => existsSync(join(work, "cdktf.out", "stacks")),
  });
  return run.ok ? { ok: true, seconds: run.seconds, megabytes: run.megabytes } : run;
}

/** The median of several runs (any failure makes the cell a failure). */
function measure(contender: Contender, platform: string, env: NodeJS.ProcessEnv = {}): Measurement {
  const runs: Measurement[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = runOnce(contender, platform, env);
    if (!run.ok) return run;
    runs.push(run);
    process.stderr.write(`  ${contender.name} @ ${platform}: ${run.seconds.toFixed(2)} s, ${run.megabytes.toFixed(0)} MB\n`);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { ok: true, seconds: median(runs.map((r) => (r.ok ? r.seconds : 0))), megabytes: median(runs.map((r) => (r.ok ? r.megabytes : 0))) };
}

const installedRequested = PLATFORMS.some((p) => INSTALLED_PLATFORMS.has(p));
if (installedRequested) {
  process.stderr.write("building dist/ (tsc -p tsconfig.json) for the installed cells\n");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.json")], { cwd: ROOT, stdio: "inherit" });
}
// The installed app's platform files (JSON models), written once per platform.
const platformFiles = installedRequested ? mkdtempSync(join(tmpdir(), "mail-bench-platforms-")) : undefined;
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
    ...(INSTALLED_PLATFORMS.has(platform) ? { installed: measure(INSTALLED, platform, { BENCH_PLATFORM_FILE: platformFile(platform, platformFiles!) }) } : {}),
  });
}
if (platformFiles !== undefined) rmSync(platformFiles, { recursive: true, force: true });

const report = [
  formatTable(rows, { runs: RUNS, runner: app.runner.join(" ") }),
  "",
  ...checkTargets(rows).map((t) => `- ${t.met ? "met" : "NOT met"}: ${t.text}`),
].join("\n");
process.stdout.write(`${report}\n`);
writeFileSync(isAbsolute(OUT) ? OUT : join(ROOT, OUT), `${report}\n`);
