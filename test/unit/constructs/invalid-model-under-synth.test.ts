/**
 * Under `cdktf synth` an invalid model reads like `mail-platform validate`'s report: the problem
 * list, no stack trace, no object dump, exit 1. Elsewhere the error is thrown for the caller.
 * (The consumer-app test runs the real `cdktf synth` on an invalid file as well.)
 */
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { exampleInput } from "../../support/example";
import { runByCdkCli } from "../../../lib/constructs/invalid-model-under-synth";

const ROOT = join(__dirname, "..", "..", "..");
const dir = mkdtempSync(join(tmpdir(), "invalid-under-synth-"));
const broken = exampleInput();
broken.groups[0]!.name = "Business";
delete broken.dns;
const platformFile = join(dir, "platform.yaml");
writeFileSync(platformFile, stringify(broken));
const app = join(dir, "main.ts");
writeFileSync(
  app,
  [
    `import { App, TerraformStack } from ${JSON.stringify(require.resolve("cdktf"))};`,
    `import { MailPlatform } from ${JSON.stringify(join(ROOT, "lib"))};`,
    `const app = new App();`,
    `MailPlatform.fromFile(new TerraformStack(app, "s"), "mail", ${JSON.stringify(platformFile)});`,
    `app.synth();`,
  ].join("\n"),
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runApp(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ["-r", "sucrase/register/ts", app], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: undefined, ...env },
    encoding: "utf8",
  });
}

test("run by the CDK CLI (CDKTF_OUTDIR set): the problem list as validate prints it, exit 1, no stack trace", () => {
  const synth = runApp({ CDKTF_OUTDIR: join(dir, "out") });
  const validate = spawnSync(process.execPath, [join(ROOT, "bin", "mail-platform.js"), "validate", platformFile], { encoding: "utf8" });
  expect(synth.status).toBe(1);
  expect(validate.status).toBe(1);
  expect(synth.stderr).toBe(validate.stderr);
  expect(synth.stderr).toContain("  - dns: a deployable platform needs the dns section");
  expect(synth.stderr).toContain("  - groups[0].name: ");
  expect(synth.stderr).not.toMatch(/^\s+at /m);
  expect(synth.stderr).not.toContain("issues:");
});

test("elsewhere the PlatformValidationError is thrown (an app or test may catch it)", () => {
  const plain = runApp({});
  expect(plain.status).toBe(1);
  expect(plain.stderr).toContain("PlatformValidationError");
  expect(plain.stderr).toMatch(/^\s+at /m);
});

test("the CDK CLI is recognised by the variable both cdktf and cdktn set for the app", () => {
  expect(runByCdkCli({ CDKTF_OUTDIR: "/tmp/cdktf.out" })).toBe(true);
  expect(runByCdkCli({ CDKTF_OUTDIR: "" })).toBe(false);
  expect(runByCdkCli({})).toBe(false);
});
