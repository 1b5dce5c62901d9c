#!/usr/bin/env node
/**
 * `npm test`: type check, formatting and lint, then Jest (arguments go to Jest). On a machine that
 * can rehearse deploys (root, debootstrap, systemd-nspawn), the deploy rehearsal's two cloud images
 * start building first, in child processes, while the static checks run: on a machine without
 * cached images their build (about five minutes on two busy cores) otherwise began only with the
 * rehearsal, on the suite's critical path. The rehearsal's own `ensureImage` waits for a build in
 * progress (one build lock per release) and takes the image from the cache; if a child failed, it
 * builds the image itself and reports the failure there, so nothing depends on the children.
 */
"use strict";
const { spawn, spawnSync } = require("child_process");
const { join } = require("path");

const ROOT = join(__dirname, "..");

function found(program) {
  return spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
}

function startImageBuild(release) {
  const image = JSON.stringify(join(ROOT, "lib", "rehearsal", "image"));
  const script =
    `const { ensureImage, imageRecipe, DEFAULT_IMAGE_CACHE } = require(${image});` +
    `ensureImage(imageRecipe(${JSON.stringify(release)}), DEFAULT_IMAGE_CACHE, (line) => process.stderr.write("[npm test] " + line + "\\n"));`;
  const child = spawn(process.execPath, ["-r", "sucrase/register/ts", "-e", script], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  child.on("error", () => undefined);
  return child;
}

const canRehearse = process.getuid?.() === 0 && found("debootstrap") && found("systemd-nspawn");
const builds = canRehearse ? ["bookworm", "trixie"].map(startImageBuild) : [];
const stopBuilds = () => {
  // An interrupted build leaves no image behind (builds are renamed into place complete).
  for (const child of builds) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
};

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit" });
  return result.status ?? 1;
}

let status = 0;
for (const script of ["typecheck", "format:check", "lint"]) {
  status = run("npm", ["run", "--silent", script]);
  if (status !== 0) break;
}
if (status === 0) status = run(join(ROOT, "node_modules", ".bin", "jest"), process.argv.slice(2));
stopBuilds();
process.exit(status);
