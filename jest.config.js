/**
 * Type checking is done once by `tsc -p tsconfig.check.json` (part of `npm test`);
 * ts-jest only transpiles, which keeps the suite fast.
 */
const { availableParallelism } = require("os");

/** @type {import('jest').Config} */
module.exports = {
  // At least two workers, also on two cores: the deploy rehearsal spends most of its ten minutes
  // waiting for its containers, and the other suites run meanwhile (jest would run in band).
  maxWorkers: Math.max(2, availableParallelism() - 1),
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
