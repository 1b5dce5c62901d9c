/** The on-host apply script (Python 3, standard library only), as shipped with every host. */
import { existsSync, readFileSync } from "fs";
import { join } from "path";

/** Path of the script in this package (source tree or compiled `dist`). */
export function applyScriptPath(): string {
  for (const candidate of [
    join(__dirname, "..", "apply", "mail-platform-apply.py"),
    join(__dirname, "..", "..", "..", "lib", "apply", "mail-platform-apply.py"),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("mail-platform-apply.py is missing from the package");
}

/** The script text. */
export function applyScriptText(): string {
  return readFileSync(applyScriptPath(), "utf8");
}
