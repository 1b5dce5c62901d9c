/** The on-host apply script (Python 3, standard library only), as shipped with every host. */
import { packagedScriptPath, packagedScriptText } from "./packaged-script";

/** Path of the script in this package (source tree or compiled `dist`). */
export function applyScriptPath(): string {
  return packagedScriptPath("mail-platform-apply.py");
}

/** The script text. */
export function applyScriptText(): string {
  return packagedScriptText("mail-platform-apply.py");
}
