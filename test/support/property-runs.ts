/**
 * How many runs a fast-check property gets. CI runs every property with its full count; a local
 * run takes a tenth of it by default (same seed, so a local run checks the first cases of the CI
 * run), which keeps the feedback loop short. PROPERTY_RUNS overrides both:
 *
 * - `PROPERTY_RUNS=full`: the CI counts, locally too;
 * - `PROPERTY_RUNS=<n>` (a whole number ≥ 1): exactly n runs for every property;
 * - `PROPERTY_RUNS=<f>x` (e.g. `0.5x`, `10x`): the CI count times f, at least one run.
 */

/** The fraction of the CI count a local run takes when PROPERTY_RUNS is not set. */
export const LOCAL_FRACTION = 0.1;

/** Whether the tests run in CI: CI is set to anything but empty, "0" or "false" (CI services set CI=true). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/**
 * The number of runs for a property whose CI count is `ciRuns`, read from the environment
 * (see the file comment). Throws on a PROPERTY_RUNS it cannot read, naming what is allowed.
 */
export function propertyRuns(ciRuns: number, env: NodeJS.ProcessEnv = process.env): number {
  if (!Number.isInteger(ciRuns) || ciRuns < 1) throw new Error(`propertyRuns: the CI count must be a whole number ≥ 1, got ${ciRuns}`);
  const setting = env.PROPERTY_RUNS?.trim();
  if (setting === undefined || setting === "") return inCi(env) ? ciRuns : scaled(ciRuns, LOCAL_FRACTION);
  if (setting === "full") return ciRuns;
  if (/^[1-9][0-9]*$/.test(setting)) return Number(setting);
  const factor = /^([0-9]+(?:\.[0-9]+)?)x$/.exec(setting);
  if (factor && Number(factor[1]) > 0) return scaled(ciRuns, Number(factor[1]));
  throw new Error(
    `PROPERTY_RUNS=${JSON.stringify(setting)} is not understood; allowed: "full", a whole number of runs ≥ 1 (e.g. 50), or a factor of the CI count (e.g. 0.5x, 10x)`,
  );
}

function scaled(ciRuns: number, factor: number): number {
  return Math.max(1, Math.ceil(ciRuns * factor));
}
