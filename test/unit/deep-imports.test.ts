/**
 * The provider package root costs seconds and hundreds of MB to load; only deep imports
 * (`@cdktf/provider-aws/lib/<resource>`) are allowed anywhere in the project.
 */
import { readFileSync, readdirSync, statSync } from "fs";
import { join } from "path";

const ROOT = join(__dirname, "..", "..");
const ROOT_IMPORT = /(?:from\s+|require\(\s*|import\(\s*)["']@cdktf\/provider-aws["']/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "node_modules" || entry.startsWith(".")) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry) ? [path] : [];
  });
}

/** The benchmark's naive baseline imports the root on purpose: it measures what that costs. */
const ALLOWED = [join(ROOT, "bench", "apps", "naive-root-import.ts")];

test("no file imports the root of @cdktf/provider-aws (except the naive benchmark baseline)", () => {
  const offenders = ["lib", "examples", "test", "bench", "scripts", "bin"]
    .flatMap((dir) => {
      try {
        return sources(join(ROOT, dir));
      } catch {
        return [];
      }
    })
    .filter((file) => ROOT_IMPORT.test(readFileSync(file, "utf8")));
  expect(offenders).toEqual(ALLOWED);
});

test("the check recognises a root import", () => {
  // Assembled at run time, so this file does not trip its own check.
  const pkg = ["@cdktf", "provider-aws"].join("/");
  expect(ROOT_IMPORT.test(`import { Instance } from "${pkg}";`)).toBe(true);
  expect(ROOT_IMPORT.test(`const aws = require("${pkg}");`)).toBe(true);
  expect(ROOT_IMPORT.test(`import { Instance } from "${pkg}/lib/instance";`)).toBe(false);
});
