/** Render a model to a fresh temporary directory, as `mail-platform render` does. */
import { mkdtempSync, readdirSync, statSync, utimesSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { PlatformInput } from "../../lib/model/schema";
import { parsePlatform } from "../../lib/validation/validate";
import { plan } from "../../lib/plan/plan";
import { renderPlatform } from "../../lib/render/host-files";
import { writeHostFiles } from "../../lib/render/write-files";

/** Render every host below a new temporary directory; returns it. */
export function renderToTempDir(input: PlatformInput): string {
  const out = mkdtempSync(join(tmpdir(), "mail-platform-render-"));
  writeHostFiles(out, renderPlatform(plan(parsePlatform(structuredClone(input)))));
  ageFiles(out);
  return out;
}

/**
 * Postfix re-reads a main.cf that is only moments old, in 300 ms steps, until it is about two
 * seconds old (a guard against reading a file while it is being written). Freshly rendered
 * test directories would cost ~2 s per postconf call; a minute-old mtime avoids the wait.
 */
export function ageFiles(dir: string): void {
  const minuteAgo = new Date(Date.now() - 60_000);
  for (const entry of readdirSync(dir, { recursive: true })) {
    const path = join(dir, String(entry));
    if (statSync(path).isFile()) utimesSync(path, minuteAgo, minuteAgo);
  }
}
