/**
 * The library is built in two flavours from the same source (cdktf and CDK Terrain's cdktn):
 * only `lib/cdk/core.ts` and `lib/cdk/aws.ts` may name the CDK packages, so the flavour build
 * rewrites two files and nothing else.
 */
import { readFileSync, readdirSync, statSync } from "fs";
import { join, relative } from "path";
import { CDK_IMPORT_MODULES, CDKTF, CDKTN, rewriteCdkImports } from "../../scripts/flavours";

const ROOT = join(__dirname, "..", "..");
const CDK_SPECIFIER = /(?:from\s+|require\(\s*|import\(\s*)["'](cdktf|cdktn|@cdktf\/[^"']+|@cdktn\/[^"']+)["']/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(entry) ? [path] : [];
  });
}

test("no file in lib/ but the two CDK import modules names a CDK package", () => {
  const naming = sources(join(ROOT, "lib"))
    .filter((file) => CDK_SPECIFIER.test(readFileSync(file, "utf8")))
    .map((file) => relative(ROOT, file))
    .sort();
  expect(naming).toEqual([...CDK_IMPORT_MODULES].sort());
});

test("the check recognises a direct import", () => {
  expect(CDK_SPECIFIER.test(`import { App } from "cdktf";`)).toBe(true);
  expect(CDK_SPECIFIER.test(`import { Instance } from "@cdktn/provider-aws/lib/instance";`)).toBe(true);
  expect(CDK_SPECIFIER.test(`import { Construct } from "constructs";`)).toBe(false);
});

test("the cdktn rewrite changes exactly the package names of every specifier", () => {
  for (const module of CDK_IMPORT_MODULES) {
    const source = readFileSync(join(ROOT, module), "utf8");
    const rewritten = rewriteCdkImports(source, CDKTN);
    expect(rewritten).not.toMatch(/"cdktf"|"@cdktf\//);
    // Undo the two package names and the text is the source again: nothing else moved.
    expect(rewritten.replace(/from "cdktn"/g, 'from "cdktf"').replace(/from "@cdktn\/provider-aws\//g, 'from "@cdktf/provider-aws/')).toBe(source);
    expect(rewriteCdkImports(source, CDKTF)).toBe(source);
  }
  expect(() => rewriteCdkImports(`export const x = 1;\n`, CDKTN)).toThrow(/no cdktf import/);
});

test("the root package's peers are the cdktf flavour's", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    name: string;
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  expect(pkg.name).toBe(CDKTF.packageName);
  expect(pkg.peerDependencies).toEqual(CDKTF.peerDependencies);
  // The versions the tests run are the lower ends of the ranges (or inside them).
  expect(pkg.devDependencies.cdktf).toBe("0.21.0");
  expect(pkg.devDependencies["@cdktf/provider-aws"]).toBe("21.22.1");
  expect(pkg.devDependencies.cdktn).toBe("0.24.0");
  expect(pkg.devDependencies["@cdktn/provider-aws"]).toBe("25.7.0");
});
