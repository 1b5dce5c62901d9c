/** The host-side scripts shipped as files of this package (lib/apply), in the source tree or compiled `dist`. */
import { existsSync, readFileSync } from "fs";
import { join } from "path";

/** Path of a script of lib/apply in this package. */
export function packagedScriptPath(name: string): string {
  for (const candidate of [join(__dirname, "..", "apply", name), join(__dirname, "..", "..", "..", "lib", "apply", name)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is missing from the package`);
}

/** The text of a script of lib/apply. */
export function packagedScriptText(name: string): string {
  return readFileSync(packagedScriptPath(name), "utf8");
}
