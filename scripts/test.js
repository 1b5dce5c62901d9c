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
const { spawnSync } = require("child_process");
const { join } = require("path");

const ROOT = join(__dirname, "..");

function found(program) {
  return spawnSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
}

const canRehearse = process.getuid?.() === 0 && found("debootstrap") && found("systemd-nspawn");
// The rehearsal's own helper, from source: this script runs before anything is compiled for tests.
require("sucrase/register/ts");
const { buildCloudImageInBackground, stopBackgroundBuild } = require("../lib/rehearsal/background-image");
const builds = canRehearse ? ["bookworm", "trixie"].map((release) => buildCloudImageInBackground(release, "[npm test] ")) : [];
// An interrupted build leaves no image behind (builds are renamed into place complete).
const stopBuilds = () => builds.forEach(stopBackgroundBuild);

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
