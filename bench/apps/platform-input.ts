/**
 * The platform a benchmark app synthesizes (BENCH_PLATFORM): `example`, a number of generated
 * domains in ten groups on one host, or `spread-<domains>`: that many domains in 100 groups over
 * 16 hosts, each group with a home and a backup MX, MTA-STS on.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { loadPlatformText } from "../../lib/validation/load";
import type { PlatformInput } from "../../lib/model/schema";
import { generatedPlatform } from "../generated-platform";
import { SPREAD, spreadDomains, spreadPlatform } from "../spread-platform";

/** The example's platform.yaml, a generated platform of that many domains, or a spread one. */
export function benchInput(which = process.env.BENCH_PLATFORM ?? "example"): PlatformInput {
  if (which === "example") {
    const path = join(__dirname, "..", "..", "examples", "customer-groups", "platform.yaml");
    return loadPlatformText(readFileSync(path, "utf8"), path) as PlatformInput;
  }
  const spread = spreadDomains(which);
  if (spread !== undefined) {
    if (spread < SPREAD.groups) throw new Error(`BENCH_PLATFORM: spread-<domains> needs at least ${SPREAD.groups} domains (one per group), not ${which}`);
    return spreadPlatform(SPREAD.hosts, SPREAD.groups, spread);
  }
  const domains = Number(which);
  if (!Number.isInteger(domains) || domains < 10) {
    throw new Error(`BENCH_PLATFORM: "example", a number of domains (at least 10) or spread-<domains> (at least ${SPREAD.groups}), not ${which}`);
  }
  return generatedPlatform(domains);
}
