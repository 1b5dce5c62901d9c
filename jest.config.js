/**
 * Type checking is done once by `tsc -p tsconfig.check.json` (part of `npm test`);
 * ts-jest only transpiles, which keeps the suite fast.
 */
const { availableParallelism } = require("os");

/** @type {import('jest').Config} */
module.exports = {
  // At least three workers, also on two cores: the deploy rehearsal (about twenty minutes) and the
  // live suites spend much of their time waiting for containers, bans and queues; with two workers
  // every other file ran on the one worker left, and the suite used 1.2 of its two cores.
  maxWorkers: Math.max(3, availableParallelism() - 1),
  testEnvironment: "node",
  roots: ["<rootDir>/test", "<rootDir>/examples"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  setupFilesAfterEnv: ["<rootDir>/test/setup-cdktf.ts"],
  // One temporary directory for the run (TMPDIR points at it), removed at its end.
  globalSetup: "<rootDir>/test/global-setup.ts",
  globalTeardown: "<rootDir>/test/global-teardown.ts",
  testTimeout: 60000,
  // The longest files first, also on a clean machine without Jest's timing cache.
  testSequencer: "<rootDir>/test/support/longest-first-sequencer.js",
};
