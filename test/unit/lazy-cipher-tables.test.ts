/**
 * The OpenSSL cipher analysis and its measured tables (the library's largest module) are loaded
 * when a custom cipher string is judged, and only then: a validation on the named profiles does
 * not load them, one with a custom string does and judges it. Each case runs in a fresh Node
 * process under the runner of cdktf.json, whose module cache is what a synthesis loads.
 */
import { spawnSync } from "child_process";
import { join } from "path";

const ROOT = join(__dirname, "..", "..");

/** Validate the example, changed by `tls` (JSON), in a fresh process: the problems' paths and whether the tables were loaded. */
function validateInFreshProcess(tls: unknown): { paths: string[]; tablesLoaded: boolean } {
  const script = `
    const { exampleInput } = require("./test/support/example");
    const { validatePlatform } = require("./lib/validation/validate");
    const input = exampleInput();
    const tls = ${JSON.stringify(tls)};
    if (tls) input.tls = tls;
    const result = validatePlatform(input, { deployable: true });
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    const tablesLoaded = Object.keys(require.cache).some((file) => file.endsWith("openssl-cipher-table.ts"));
    process.stdout.write(JSON.stringify({ paths, tablesLoaded }));
  `;
  const run = spawnSync(process.execPath, ["-r", "sucrase/register/ts", "-e", script], { cwd: ROOT, encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as { paths: string[]; tablesLoaded: boolean };
}

test("a model on the named profiles validates without loading the cipher tables", () => {
  expect(validateInFreshProcess(undefined)).toEqual({ paths: [], tablesLoaded: false });
});

test("a custom cipher string loads them and is judged", () => {
  const weak = validateInFreshProcess({ profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers: "HIGH:NULL-SHA256" } });
  expect(weak).toEqual({ paths: ["tls.custom.ciphers"], tablesLoaded: true });
  const sound = validateInFreshProcess({ profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers: "ECDHE+AESGCM" } });
  expect(sound).toEqual({ paths: [], tablesLoaded: true });
});
