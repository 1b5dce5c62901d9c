/** The platform a benchmark app synthesizes: `example` or a number of generated domains (BENCH_PLATFORM). */
import { readFileSync } from "fs";
import { join } from "path";
import { loadPlatformText } from "../../lib/validation/load";
import type { PlatformInput } from "../../lib/model/schema";
import { generatedPlatform } from "../generated-platform";

/** The example's platform.yaml, or a generated platform of that many domains. */
export function benchInput(which = process.env.BENCH_PLATFORM ?? "example"): PlatformInput {
  if (which === "example") {
    const path = join(__dirname, "..", "..", "examples", "customer-groups", "platform.yaml");
    return loadPlatformText(readFileSync(path, "utf8"), path) as PlatformInput;
  }
  const domains = Number(which);
  if (!Number.isInteger(domains) || domains < 10) throw new Error(`BENCH_PLATFORM: "example" or a number of domains (at least 10), not ${which}`);
  return generatedPlatform(domains);
}
