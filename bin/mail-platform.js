#!/usr/bin/env node
"use strict";
// In a source checkout the TypeScript sources run directly (through tsx), so the command
// never runs stale compiled code; an installed package runs its compiled `dist`.
const { existsSync } = require("fs");
const { join } = require("path");

const source = join(__dirname, "..", "lib", "cli", "main.ts");
let cli;
if (existsSync(source)) {
  require("tsx/cjs");
  cli = require(source);
} else {
  cli = require(join(__dirname, "..", "dist", "lib", "cli", "main.js"));
}
cli.run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
