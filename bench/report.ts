/** The benchmark's table and its targets (issue: fast at any size). */
import { cpus } from "os";
import { SPREAD, spreadDomains } from "./spread-platform";

/** One cell: the median of several runs, or why there is none. */
export type Measurement = { readonly ok: true; readonly seconds: number; readonly megabytes: number } | { readonly ok: false; readonly why: string };

/** One platform size with every contender. */
export interface Row {
  readonly platform: string;
  readonly ours: Measurement;
  readonly perRecord: Measurement;
  readonly naive: Measurement;
  /** The naive app under our runner (example only). */
  readonly naiveFastRunner?: Measurement;
  /** Ours with the library compiled, as a consumer installs it (where asked for). */
  readonly installed?: Measurement;
}

/** The customer domains of a platform name (`example`: none counted). */
export function domainsOf(platform: string): number {
  return platform === "example" ? 0 : (spreadDomains(platform) ?? Number(platform));
}

/** A platform as the table names it. */
function label(platform: string): string {
  if (platform === "example") return "example (customer-groups)";
  const domains = `${domainsOf(platform).toLocaleString("en")} domains`;
  return spreadDomains(platform) === undefined ? domains : `${SPREAD.hosts} hosts, ${SPREAD.groups} groups, ${domains}, MTA-STS`;
}

function cell(m: Measurement | undefined): string {
  if (!m) return "";
  return m.ok ? `${m.seconds.toFixed(2)} s, ${m.megabytes.toFixed(0)} MB` : m.why;
}

function ratio(ours: Measurement, other: Measurement): string {
  return ours.ok && other.ok ? `${(ours.seconds / other.seconds).toFixed(2)}×` : "–";
}

/** The table as Markdown, with the machine it ran on. */
export function formatTable(rows: readonly Row[], about: { runs: number; runner: string }): string {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}`;
  const lines = [
    `Median of ${about.runs} runs per cell; wall time of the whole process and its peak resident memory. ${machine}. Our runner: \`node ${about.runner}\`.`,
    "",
    "| platform | mail-platform | per-record, deep imports | naive: root import, ts-node | ours ÷ per-record | ours ÷ naive |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (r) => `| ${label(r.platform)} | ${cell(r.ours)} | ${cell(r.perRecord)} | ${cell(r.naive)} | ${ratio(r.ours, r.perRecord)} | ${ratio(r.ours, r.naive)} |`,
    ),
  ];
  const example = rows.find((r) => r.platform === "example");
  if (example?.naiveFastRunner) {
    lines.push("", `The naive app under our runner (root import without type checking): ${cell(example.naiveFastRunner)}.`);
  }
  const installed = rows.filter((r) => r.installed);
  if (installed.length > 0) {
    lines.push(
      "",
      `Ours as installed (the library compiled to JavaScript, as \`npm install\` brings it; only the app file through our runner): ${installed
        .map((r) => `${label(r.platform)} ${cell(r.installed)}`)
        .join("; ")}.`,
    );
  }
  return lines.join("\n");
}

/** A target of the issue and whether this run meets it. */
export interface Target {
  readonly text: string;
  readonly met: boolean;
}

/** The issue's targets, judged on this run. */
export function checkTargets(rows: readonly Row[]): Target[] {
  const at = (platform: string) => rows.find((r) => r.platform === platform);
  const targets: Target[] = [];
  const example = at("example");
  if (example?.ours.ok && example.naive.ok) {
    const r = example.ours.seconds / example.naive.seconds;
    targets.push({ text: `example synth ≤ 0.15 × the naive app (${r.toFixed(3)}×)`, met: r <= 0.15 });
  }
  // 1,000 domains in ten groups on one host, and spread over 16 hosts with MTA-STS: the same targets.
  for (const platform of ["1000", "spread-1000"]) {
    const ours = at(platform)?.ours;
    if (!ours?.ok) continue;
    const what = platform === "1000" ? "1,000 domains" : label(platform);
    targets.push({ text: `${what} ≤ 1.0 s (${ours.seconds.toFixed(2)} s)`, met: ours.seconds <= 1.0 });
    targets.push({ text: `${what} ≤ 200 MB (${ours.megabytes.toFixed(0)} MB)`, met: ours.megabytes <= 200 });
    const installed = at(platform)?.installed;
    if (installed?.ok) {
      targets.push({ text: `${what} as installed ≤ 1.0 s (${installed.seconds.toFixed(2)} s)`, met: installed.seconds <= 1.0 });
      targets.push({ text: `${what} as installed ≤ 200 MB (${installed.megabytes.toFixed(0)} MB)`, met: installed.megabytes <= 200 });
    }
  }
  const thousand = at("1000")?.ours;
  const tenThousand = at("10000")?.ours;
  if (tenThousand?.ok) targets.push({ text: `10,000 domains ≤ 4 s (${tenThousand.seconds.toFixed(2)} s)`, met: tenThousand.seconds <= 4 });
  if (thousand?.ok && tenThousand?.ok) {
    const growth = tenThousand.seconds / thousand.seconds;
    targets.push({ text: `1,000 → 10,000 domains grows time ≤ 5× (${growth.toFixed(2)}×)`, met: growth <= 5 });
  }
  // Linear: ten times the domains cost at most ten times the time and memory (issue 18).
  const hundredThousand = at("100000")?.ours;
  if (tenThousand?.ok && hundredThousand?.ok) {
    const time = hundredThousand.seconds / tenThousand.seconds;
    const memory = hundredThousand.megabytes / tenThousand.megabytes;
    targets.push({ text: `10,000 → 100,000 domains grows time ≤ 10× (${time.toFixed(2)}×)`, met: time <= 10 });
    targets.push({ text: `10,000 → 100,000 domains grows memory ≤ 10× (${memory.toFixed(2)}×)`, met: memory <= 10 });
  }
  return targets;
}
