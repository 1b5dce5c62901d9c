/**
 * `npm run bench:stages`: how each stage grows with the number of domains. For each size it writes
 * the generated platform as a YAML file and times, each in a fresh process, what a user runs:
 * `mail-platform validate`, `mail-platform render`, `mail-platform zone`, and a synth of the
 * benchmark app (`bench/apps/mail-platform-app.ts`, the runner of `cdktf.json`).
 *
 *   npm run bench:stages -- [--sizes 10000,100000] [--runs 1] [--timeout 900] [--out bench/stages-results.md]
 *
 * Each cell: wall time from spawn to exit, the process's own CPU time (user + system; less
 * disturbed than wall time on a busy machine) and its peak resident memory (bench/report-usage.cjs).
 * The ratio row is what counts: linear growth is 10× per tenfold size, less with the fixed start-up.
 */
import { cpus, tmpdir } from "os";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "fs";
import { isAbsolute, join } from "path";
import { cdktfAppCommand, measuredProcess, option, ROOT, type ProcessMeasurement } from "./measured-process";
import { stringify } from "yaml";
import { generatedPlatform } from "./generated-platform";

const SIZES = option("sizes", "10000,100000").split(",").map(Number);
const RUNS = Number(option("runs", "1"));
const TIMEOUT_MS = Number(option("timeout", "900")) * 1000;
const OUT = option("out", "bench/stages-results.md");

/** One stage run: wall seconds, CPU seconds, peak MB; or why there is none. */
type Cell = ProcessMeasurement;

const STAGES = ["validate", "render", "zone", "synth"] as const;
type Stage = (typeof STAGES)[number];

function runStage(stage: Stage, domains: number, file: string): Cell {
  const app = cdktfAppCommand();
  const cli = join(ROOT, "bin", "mail-platform.js");
  return measuredProcess({
    runner: stage === "synth" ? app.runner : [],
    entry: (work) =>
      stage === "synth" ? ["bench/apps/mail-platform-app.ts"] : [cli, stage, file, ...(stage === "validate" ? [] : ["--out", join(work, "out")])],
    env: { BENCH_PLATFORM: String(domains) },
    timeoutMs: TIMEOUT_MS,
    maxBufferBytes: 256 * 1024 * 1024,
  });
}

/** The median run of a stage (by wall time); a failure makes the cell a failure. */
function measure(stage: Stage, domains: number, file: string): Cell {
  const runs: Array<Extract<Cell, { ok: true }>> = [];
  for (let i = 0; i < RUNS; i++) {
    const run = runStage(stage, domains, file);
    if (!run.ok) return run;
    runs.push(run);
    process.stderr.write(`  ${stage} @ ${domains}: ${run.seconds.toFixed(2)} s (CPU ${run.cpuSeconds.toFixed(2)} s), ${run.megabytes.toFixed(0)} MB\n`);
  }
  return runs.sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
}

function cell(c: Cell | undefined): string {
  if (!c) return "";
  return c.ok ? `${c.seconds.toFixed(2)} s (CPU ${c.cpuSeconds.toFixed(2)} s), ${c.megabytes.toFixed(0)} MB` : c.why;
}

function growth(from: Cell | undefined, to: Cell | undefined): string {
  if (!from?.ok || !to?.ok) return "–";
  return `${(to.seconds / from.seconds).toFixed(1)}× time (CPU ${(to.cpuSeconds / from.cpuSeconds).toFixed(1)}×), ${(to.megabytes / from.megabytes).toFixed(1)}× memory`;
}

const rows: Array<{ domains: number; yamlMegabytes: number; cells: Record<Stage, Cell> }> = [];
for (const domains of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), "mail-stages-input-"));
  try {
    const file = join(dir, "platform.yaml");
    writeFileSync(file, stringify(generatedPlatform(domains)));
    const yamlMegabytes = statSync(file).size / 1e6;
    process.stderr.write(`${domains} domains (${yamlMegabytes.toFixed(1)} MB of YAML)\n`);
    const cells = Object.fromEntries(STAGES.map((stage) => [stage, measure(stage, domains, file)])) as Record<Stage, Cell>;
    rows.push({ domains, yamlMegabytes, cells });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}`;
const lines = [
  `Each stage in a fresh process, median of ${RUNS} run(s): wall time, the process's CPU time (user + system) and its peak resident memory. ${machine}.`,
  "validate/render/zone: `mail-platform <command>` on the generated platform's YAML; synth: the benchmark app (`bench/apps/mail-platform-app.ts`).",
  "",
  `| domains | YAML | ${STAGES.join(" | ")} |`,
  `|---|---|${STAGES.map(() => "---").join("|")}|`,
  ...rows.map((r) => `| ${r.domains.toLocaleString("en")} | ${r.yamlMegabytes.toFixed(1)} MB | ${STAGES.map((s) => cell(r.cells[s])).join(" | ")} |`),
];
for (let i = 1; i < rows.length; i++) {
  const [a, b] = [rows[i - 1]!, rows[i]!];
  lines.push(`| ${a.domains.toLocaleString("en")} → ${b.domains.toLocaleString("en")} | | ${STAGES.map((s) => growth(a.cells[s], b.cells[s])).join(" | ")} |`);
}
const report = lines.join("\n");
process.stdout.write(`${report}\n`);
writeFileSync(isAbsolute(OUT) ? OUT : join(ROOT, OUT), `${report}\n`);
