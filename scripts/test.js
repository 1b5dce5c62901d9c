#!/usr/bin/env node
/**
 * `npm test`: Jest (arguments go to it) and, beside it, the static checks: type check, formatting
 * and lint, one after the other. They ran before Jest, and on a machine without cached images the
 * deploy rehearsal, which sets the suite's wall time, then began its image builds only after them
 * (about a minute idle, three when the builds ran beside them). Both always run to the end; the
 * command fails if either fails, and names which.
 */
"use strict";
const { spawn } = require("child_process");
const { join } = require("path");

const ROOT = join(__dirname, "..");

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: "inherit" });
    child.on("error", () => resolve(1));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function staticChecks() {
  for (const script of ["typecheck", "format:check", "lint"]) {
    const status = await run("npm", ["run", "--silent", script]);
    if (status !== 0) return { script, status };
  }
  return { script: undefined, status: 0 };
}

async function main() {
  const [checks, jest] = await Promise.all([staticChecks(), run(join(ROOT, "node_modules", ".bin", "jest"), process.argv.slice(2))]);
  if (checks.status !== 0) process.stderr.write(`npm test: npm run ${checks.script} failed (exit ${checks.status})\n`);
  if (jest !== 0) process.stderr.write(`npm test: jest failed (exit ${jest})\n`);
  process.exit(checks.status !== 0 ? checks.status : jest);
}

main();
