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

const texts = new Map<string, string>();

/** The text of a script of lib/apply (read once per process: the package's files do not change under it). */
export function packagedScriptText(name: string): string {
  let text = texts.get(name);
  if (text === undefined) {
    text = readFileSync(packagedScriptPath(name), "utf8");
    texts.set(name, text);
  }
  return text;
}
