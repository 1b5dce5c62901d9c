/**
 * The synthesis benchmark's report (`npm run bench`): the "as installed" cells (the library
 * compiled, as a consumer's `npm install` brings it) are printed under the table and judged by the
 * same targets as the main column, which stays what the targets are judged on first.
 */
import { checkTargets, formatTable, type Measurement, type Row } from "../../bench/report";

const at = (seconds: number, megabytes: number): Measurement => ({ ok: true, seconds, megabytes });
const skipped: Measurement = { ok: false, why: "skipped (--baseline-max)" };

const rows: Row[] = [
  { platform: "1000", ours: at(1.2, 130), perRecord: skipped, naive: skipped, installed: at(0.9, 120) },
  { platform: "spread-1000", ours: at(2.5, 175), perRecord: skipped, naive: skipped, installed: { ok: false, why: "failed (1): boom" } },
];

describe("the synthesis benchmark's report", () => {
  test("names the installed cells under the table, a failure as such", () => {
    const table = formatTable(rows, { runs: 3, runner: "-r sucrase/register/ts" });
    expect(table).toContain(
      "Ours as installed (the library compiled to JavaScript, as `npm install` brings it; only the app file through our runner): 1,000 domains 0.90 s, 120 MB; 16 hosts, 100 groups, 1,000 domains, MTA-STS failed (1): boom.",
    );
  });

  test("judges the installed cells by the same targets, beside the main column's", () => {
    expect(checkTargets(rows).map((t) => `${t.met ? "met" : "NOT met"}: ${t.text}`)).toEqual([
      "NOT met: 1,000 domains ≤ 1.0 s (1.20 s)",
      "met: 1,000 domains ≤ 200 MB (130 MB)",
      "met: 1,000 domains as installed ≤ 1.0 s (0.90 s)",
      "met: 1,000 domains as installed ≤ 200 MB (120 MB)",
      "NOT met: 16 hosts, 100 groups, 1,000 domains, MTA-STS ≤ 1.0 s (2.50 s)",
      "met: 16 hosts, 100 groups, 1,000 domains, MTA-STS ≤ 200 MB (175 MB)",
    ]);
  });

  test("no installed line without installed cells", () => {
    const table = formatTable(
      rows.map(({ installed: _installed, ...row }) => row),
      { runs: 3, runner: "-r sucrase/register/ts" },
    );
    expect(table).not.toContain("as installed");
  });
});
