/**
 * The package as a new user meets it: packed, installed into a fresh app laid out like
 * `cdktf init --template=typescript` with today's compatible versions, composed with typed props
 * and from YAML, compiled with the app's own tsc, synthesized through the CLI and directly, and
 * tested with the CDK's Jest matchers and snapshots — for cdktf and for CDK Terrain (cdktn).
 * It fails when packaging breaks (no build on pack, a pinned peer, a missing export).
 */
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { CDKTF, CDKTN, type Flavour } from "../../scripts/flavours";
import { EXAMPLE_FILE, exampleInput } from "../support/example";
import { constructsCopies, createConsumerApp, jsonDifferences, packFlavour, ROOT, type ConsumerApp } from "../support/consumer-app";

jest.setTimeout(600_000);

const work = mkdtempSync(join(tmpdir(), "consumer-packages-"));
const exampleYaml = readFileSync(EXAMPLE_FILE, "utf8");
const invalid = exampleInput();
invalid.groups[1]!.name = "Private Customers";
delete invalid.aws;
const synthesized = new Map<Flavour["name"], Record<string, unknown>>();
afterAll(() => rmSync(work, { recursive: true, force: true }));

function output(result: { status: number | null; stdout: string; stderr: string }): string {
  return `exit ${result.status}\n${result.stdout}\n${result.stderr}`.slice(-6000);
}

function stackDocuments(outdir: string): Record<string, unknown> {
  return Object.fromEntries(
    readdirSync(join(outdir, "stacks")).map((stack) => [stack, JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"))]),
  );
}

describe.each([CDKTF, CDKTN])("a consumer app of the $name flavour", (flavour) => {
  let app: ConsumerApp;
  let tarball: string;
  // The cdktf CLI runs either flavour's app (same protocol: CDKTF_OUTDIR and the manifest);
  // cdktn-cli 0.24 itself needs Node >= 22.19 and this project supports Node 20.
  const cli = join(ROOT, "node_modules", ".bin", "cdktf");

  beforeAll(() => {
    tarball = packFlavour(flavour, work);
    app = createConsumerApp(flavour, tarball, exampleYaml);
    writeFileSync(join(app.dir, "invalid.yaml"), stringify(invalid));
  });

  // Each app holds its own copy of the provider bindings (about 500 MB): never leave it behind.
  afterAll(() => {
    if (app) rmSync(app.dir, { recursive: true, force: true });
  });

  test("the tarball holds the compiled library, its types, the CLI, the apply script and the schema; no sources, no tests", () => {
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map((f) => f.replace(/^package\//, ""));
    for (const expected of [
      "package.json",
      "README.md",
      "CHANGELOG.md",
      "LICENSE",
      "bin/mail-platform.js",
      "lib/apply/mail-platform-apply.py",
      "schema/platform.schema.json",
      "dist/lib/index.js",
      "dist/lib/index.d.ts",
      "dist/lib/model/input-types.d.ts",
      "dist/lib/cli/main.js",
      "dist/lib/testing/index.js",
    ]) {
      expect(files).toContain(expected);
    }
    expect(files.filter((f) => /^(test|examples|scripts|bench)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);
    // Source maps carry their sources: they point at nothing that is not shipped.
    const map = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/dist/lib/constructs/mail-platform.js.map"], { encoding: "utf8" })) as {
      sources: string[];
      sourcesContent?: string[];
    };
    expect(map.sourcesContent?.[0]).toContain("export class MailPlatform");
    const pkg = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })) as Record<string, Record<string, string>>;
    expect(pkg.peerDependencies).toEqual(flavour.peerDependencies);
    // The CLI's `user` commands hash with argon2 and write to SSM; both load only when used.
    expect(Object.keys(pkg.dependencies!).sort()).toEqual(["@aws-sdk/client-ssm", "@node-rs/argon2", "yaml", "zod"]);
  });

  test("installs one copy of constructs (the library brings none of its own)", () => {
    expect(constructsCopies(app)).toHaveLength(1);
    expect(existsSync(join(app.dir, "node_modules", flavour.packageName, "node_modules"))).toBe(false);
  });

  test("the app compiles with its own tsc (the package's types, the exported input types)", () => {
    const tsc = app.run("npx", ["tsc", "--noEmit"]);
    expect(output(tsc)).toBe(output({ ...tsc, status: 0 }));
  });

  test("`cdktf synth` and a direct run write the same stacks, with the rendered files", () => {
    const viaCli = app.run(cli, ["synth"]);
    expect(output(viaCli)).toMatch(/^exit 0/);
    renameSync(join(app.dir, "cdktf.out"), join(app.dir, "cli.out"));
    const direct = app.run("npx", ["ts-node", "main.ts"]);
    expect(output(direct)).toMatch(/^exit 0/);
    const fromCli = stackDocuments(join(app.dir, "cli.out"));
    expect(Object.keys(fromCli).sort()).toEqual(["from-file", "typed"]);
    expect(stackDocuments(join(app.dir, "cdktf.out"))).toEqual(fromCli);
    expect(readFileSync(join(app.dir, "cli.out", "stacks", "from-file", "mail-platform", "acme-mail", "mx1", "etc", "postfix", "main.cf"), "utf8")).toContain(
      "smtpd_tls_auth_only = yes",
    );
    synthesized.set(flavour.name, fromCli["from-file"] as Record<string, unknown>);
  });

  test("an invalid platform.yaml under `cdktf synth`: the problem list, no stack trace", () => {
    const result = app.run(cli, ["synth"], { PLATFORM_FILE: join(app.dir, "invalid.yaml") });
    expect(result.status).not.toBe(0);
    const text = `${result.stdout}\n${result.stderr}`;
    expect(text).toContain("invalid.yaml is invalid (2 problems):");
    expect(text).toContain("  - aws: a deployable platform needs the aws section");
    expect(text).toContain("  - groups[1].name: ");
    expect(text).not.toMatch(/^\s+at .*\.js:\d+/m);
  });

  test("jest with the CDK's matchers and a readable snapshot passes, and passes again against the written snapshot", () => {
    const first = app.run("npx", ["jest", "--ci=false"]);
    expect(output(first)).toMatch(/^exit 0/);
    const snapshot = readFileSync(join(app.dir, "__tests__", "__snapshots__", "main-test.ts.snap"), "utf8");
    // The rendered files are text in the snapshot, one configuration line per snapshot line.
    expect(snapshot).toMatch(/^smtpd_tls_auth_only = yes$/m);
    expect(snapshot).toMatch(/^write_files:$/m);
    const second = app.run("npx", ["jest", "--ci"]);
    expect(output(second)).toMatch(/^exit 0/);
  });
});

test("both flavours synthesize the example alike: only the version stamp and the provider's source and version differ", () => {
  const cdktf = synthesized.get("cdktf");
  const cdktn = synthesized.get("cdktn");
  expect(cdktf && cdktn).toBeTruthy();
  expect(jsonDifferences(cdktf, cdktn)).toEqual([
    // The CDK's version stamp.
    [".//.metadata.version", '"0.21.0"', '"0.24.0"'],
    // The same registry provider (Terraform reads "aws" as hashicorp/aws), bindings generated
    // from different releases of its schema: hashicorp/aws 6.25.0 and 6.66.0.
    [".terraform.required_providers.aws.source", '"aws"', '"hashicorp/aws"'],
    [".terraform.required_providers.aws.version", '"6.25.0"', '"6.66.0"'],
  ]);
});
