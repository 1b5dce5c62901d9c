/**
 * A rehearsal image built in a child process while other work goes on: `npm test` starts both
 * releases' images before its static checks, and the deploy rehearsal boots Debian 12 while Debian
 * 13's image builds (each release and flavour has its own build lock). On a machine without cached
 * images that takes the builds, four to five minutes on two busy cores, out of the rehearsal's
 * critical path. A later `ensureImage` of the same recipe waits for the child's lock and
 * takes the image from the cache; if the child failed, it builds the image itself and reports the
 * failure there, so nothing depends on the child succeeding.
 */
import { spawn, type ChildProcess } from "child_process";
import { join } from "path";
import type { DebianRelease } from "./image";

/**
 * Start building the cloud image of `release` (a no-op when it is cached); its log lines go to
 * stderr, each after `prefix`.
 * @param prefix - what each log line starts with @default "[rehearsal] background "
 */
export function buildCloudImageInBackground(release: DebianRelease, prefix = "[rehearsal] background "): ChildProcess {
  const image = JSON.stringify(join(__dirname, "image"));
  const script =
    `const { ensureImage, imageRecipe, DEFAULT_IMAGE_CACHE } = require(${image});` +
    `ensureImage(imageRecipe(${JSON.stringify(release)}), DEFAULT_IMAGE_CACHE, (line) => process.stderr.write(${JSON.stringify(prefix)} + line + "\\n"));`;
  // From source (npm test, the tests) the child needs the TypeScript runner; compiled, it does not.
  const runner = __filename.endsWith(".ts") ? ["-r", "sucrase/register/ts"] : [];
  const child = spawn(process.execPath, [...runner, "-e", script], { cwd: join(__dirname, "..", ".."), stdio: ["ignore", "ignore", "inherit"] });
  // A child that cannot start is no failure of the caller's: the rehearsal then builds the image itself.
  child.on("error", () => undefined);
  return child;
}

/** Stop a background build that is still running (an interrupted build leaves no image behind). */
export function stopBackgroundBuild(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
}
