/**
 * Type checking is done once by `tsc -p tsconfig.check.json` (part of `npm test`);
 * ts-jest only transpiles, which keeps the suite fast.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test", "<rootDir>/examples"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  setupFilesAfterEnv: ["<rootDir>/test/setup-cdktf.ts"],
  testTimeout: 60000,
};
