// Lint: ESLint's and typescript-eslint's recommended rules (syntax only, no type information, so
// a run takes seconds; tsc -p tsconfig.check.json does the type checking). Formatting is
// Prettier's (.prettierrc.json), so no stylistic rules here.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

/** Node's CommonJS globals, for the few plain JavaScript files (bin, jest.config.js, bench). */
const commonJsGlobals = {
  require: "readonly",
  module: "writable",
  exports: "writable",
  __dirname: "readonly",
  __filename: "readonly",
  process: "readonly",
  console: "readonly",
};

export default defineConfig(
  globalIgnores(["dist/", "cdktf.out/", ".gen/", "coverage/", "out/", "build/", "schema/", "test/golden/"]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a value left out on purpose (`const { id: _id, ...rest } = …`).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Validators and quoting match control characters on purpose, to refuse or escape them.
      "no-control-regex": "off",
      // The errors quote the caught error's message for the user; the lock loops' timeouts are not caused by the EEXIST they catch.
      "preserve-caught-error": "off",
    },
  },
  {
    // Its regular expressions are published verbatim as JSON Schema patterns: an escape changed here changes schema/platform.schema.json.
    files: ["lib/model/schema.ts"],
    rules: { "no-useless-escape": "off" },
  },
  {
    // Tests read untyped documents (parsed policies) and load modules lazily inside a test.
    files: ["test/**/*.ts", "examples/**/*.test.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: commonJsGlobals },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
