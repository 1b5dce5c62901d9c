/** Reading a directory of synthesized or rendered files in tests. */
import { readFileSync, readdirSync, statSync } from "fs";
import { join, relative } from "path";

/** Every file below a directory: relative path → content, in sorted order. */
export function fileTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return files;
}

/** The rows of a rendered Postfix lookup table, each split at whitespace; comments and blank lines left out. */
export function tableRows(text: string): string[][] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.split(/\s+/));
}
