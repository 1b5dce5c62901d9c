/**
 * A rehearsal image built in a child process while the tests go on: the deploy rehearsal boots
 * Debian 12 while Debian 13's image builds (each release and flavour has its own build lock). On a
 * machine without cached images that takes Debian 13's build, about four minutes, out of the
 * rehearsal's critical path. A later `ensureImage` of the same recipe waits for the child's lock and
 * takes the image from the cache; if the child failed, it builds the image itself and reports the
 * failure there, so nothing depends on the child succeeding.
 */
import { spawn, type ChildProcess } from "child_process";
import { join } from "path";
import type { DebianRelease } from "../../lib/rehearsal/image";

const ROOT = join(__dirname, "..", "..");

/** Start building the cloud image of `release` (a no-op when it is cached); its log lines go to stderr. */
export function buildCloudImageInBackground(release: DebianRelease): ChildProcess {
  const image = JSON.stringify(join(ROOT, "lib", "rehearsal", "image"));
  const script =
    `const { ensureImage, imageRecipe, DEFAULT_IMAGE_CACHE } = require(${image});` +
    `ensureImage(imageRecipe(${JSON.stringify(release)}), DEFAULT_IMAGE_CACHE, (line) => process.stderr.write("[rehearsal] background " + line + "\\n"));`;
  return spawn(process.execPath, ["-r", "sucrase/register/ts", "-e", script], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}

/** Stop a background build that is still running (an interrupted build leaves no image behind). */
export function stopBackgroundBuild(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
}
