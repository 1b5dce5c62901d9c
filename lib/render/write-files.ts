/**
 * Writing rendered files to disk: `<out>/<host>/<path>`. Each file is written to a
 * temporary name and renamed, so a reader never sees half a file.
 */
import { mkdirSync, renameSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import type { HostFiles } from "./host-files";

/** Write every host's files below `outDir`; returns the paths written, relative to `outDir`. */
export function writeHostFiles(outDir: string, hosts: readonly HostFiles[]): string[] {
  const written: string[] = [];
  for (const { host, files } of hosts) {
    for (const file of files) {
      const relative = join(host, file.path);
      const target = join(outDir, relative);
      mkdirSync(dirname(target), { recursive: true });
      const temporary = `${target}.tmp-${process.pid}`;
      writeFileSync(temporary, file.content, { mode: parseInt(file.mode, 8) });
      renameSync(temporary, target);
      written.push(relative);
    }
  }
  return written;
}
