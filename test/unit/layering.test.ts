/**
 * The layers of `lib/` only point down: each layer imports itself and the layers below it, never
 * one above. The order is written down once, here (and explained in the README, "How it is
 * built"); every relative import of every source file is judged against it, `import type`,
 * `export … from`, `require()` and dynamic `import()` included, comments and strings not. Within
 * a layer, files may import each other, but never in a cycle.
 */
import { readFileSync, readdirSync, statSync } from "fs";
import { dirname, join, relative, sep } from "path";
import { preProcessFile } from "typescript";

const ROOT = join(__dirname, "..", "..");
const LIB = join(ROOT, "lib");

/** A layer: the top-level directories (or root files, named without `.ts`) of lib/ it holds. */
interface Layer {
  readonly name: string;
  readonly holds: readonly string[];
  readonly purpose: string;
}

/** The layers of lib/, lowest first: each may import only itself and the layers before it. */
const LAYERS: readonly Layer[] = [
  { name: "errors", holds: ["errors"], purpose: "the two kinds of failure (a user error or a defect), known to every layer" },
  {
    name: "catalogue",
    holds: ["catalogue"],
    purpose: "static facts several layers read: host operating systems, the services table, DNS record types, owner-name prefixes",
  },
  { name: "tls", holds: ["tls"], purpose: "TLS profiles and the OpenSSL cipher tables of each host operating system" },
  { name: "model", holds: ["model"], purpose: "the platform model: schema, syntax guards, documented limits and the checks that read the model alone" },
  { name: "plan", holds: ["plan"], purpose: "plan(): the pure derivation of listeners, transports, ports and DNS records from a valid model" },
  { name: "render", holds: ["render"], purpose: "the configuration files rendered from the plan (Postfix, Dovecot, OpenDKIM, nginx, zone files)" },
  {
    name: "rollout",
    holds: ["rollout"],
    purpose: "rendered files onto a host: bundles, the on-host apply script, the first-boot bootstrap (cloud-init user data)",
  },
  {
    name: "validation",
    holds: ["validation"],
    purpose:
      "the validation doors (validatePlatform, parsePlatform, validatePlatformText, loadPlatformText) and the checks that need the rendered configuration",
  },
  { name: "cdk", holds: ["cdk"], purpose: "the only modules that name cdktf and the AWS provider bindings" },
  { name: "security", holds: ["security"], purpose: "the security rule pack and the aspect that applies it to constructs" },
  { name: "constructs", holds: ["constructs"], purpose: "the cdktf constructs: MailPlatform and its parts" },
  { name: "local", holds: ["local"], purpose: "one host on this machine's Postfix and Dovecot, on loopback" },
  { name: "rehearsal", holds: ["rehearsal"], purpose: "the synthesized stack booted for real, in containers with AWS stand-ins" },
  {
    name: "users",
    holds: ["users"],
    purpose: "mailbox passwords: Dovecot's ARGON2ID hashes and the SSM parameters that keep them (through the AWS SDK)",
  },
  { name: "cli", holds: ["cli"], purpose: "the mail-platform command" },
  { name: "testing", holds: ["testing"], purpose: "helpers for users' tests of their synthesized stacks" },
  { name: "package root", holds: ["index"], purpose: "the package's public exports" },
];

/**
 * Upward imports tolerated for now, each as "<file> -> <import>" (file relative to lib/, import
 * as written). Every entry must still occur and still point up; the list is to be emptied.
 */
const TEMPORARILY_ALLOWED_UPWARD_IMPORTS: readonly string[] = [];

/** The index of the layer holding a path relative to lib/ (a file or an import target), or -1. */
function layerIndexOf(pathInLib: string): number {
  const segments = pathInLib.split(/[\\/]/);
  const top = segments.length === 1 ? segments[0]!.replace(/\.ts$/, "") : segments[0]!;
  return LAYERS.findIndex((layer) => layer.holds.includes(top));
}

/** Every module specifier a source imports, with its line: static, type-only, re-exports, require() and import(). */
function importsOf(source: string): Array<{ specifier: string; line: number }> {
  return preProcessFile(source, true, true).importedFiles.map((f) => ({ specifier: f.fileName, line: source.slice(0, f.pos).split("\n").length }));
}

/**
 * Why an import breaks the layering, or undefined when it is allowed.
 * @param file - the importing file, relative to lib/
 * @param specifier - the import as written
 */
function violation(file: string, specifier: string, line = 1): string | undefined {
  if (!specifier.startsWith(".")) return undefined; // packages: judged by the deep-imports and cdk-imports tests
  const where = `lib/${file}:${line} imports "${specifier}"`;
  const target = relative(LIB, join(LIB, dirname(file), specifier));
  if (target.startsWith("..")) return `${where}, outside lib/; rule: lib/ imports only lib/ and packages`;
  const from = layerIndexOf(file);
  const to = layerIndexOf(target);
  if (to === -1) return `${where} (lib/${target}), which belongs to no layer; rule: every part of lib/ is in one layer (LAYERS in test/unit/layering.test.ts)`;
  if (to <= from) return undefined;
  const below = LAYERS.slice(0, from).map((l) => l.name);
  return (
    `${where} (layer ${LAYERS[to]!.name}, #${to + 1}), above its own layer ${LAYERS[from]!.name} (#${from + 1}); ` +
    `rule: ${LAYERS[from]!.name} may import only itself${below.length > 0 ? ` and the layers below it: ${below.join(", ")}` : ""}`
  );
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(entry) ? [path] : [];
  });
}

const files = sources(LIB).map((path) => relative(LIB, path).split(sep).join("/"));

test("every source file of lib/ belongs to a layer", () => {
  const unplaced = files
    .filter((file) => layerIndexOf(file) === -1)
    .map((file) => `lib/${file}: add its directory to LAYERS in test/unit/layering.test.ts, in its place in the order`);
  expect(unplaced).toEqual([]);
});

test("every import of lib/ points down the layers (or stays in its own)", () => {
  const found = files.flatMap((file) =>
    importsOf(readFileSync(join(LIB, file), "utf8")).flatMap(({ specifier, line }) => {
      const problem = violation(file, specifier, line);
      return problem === undefined ? [] : [{ key: `${file} -> ${specifier}`, problem }];
    }),
  );
  const allowed = new Set(TEMPORARILY_ALLOWED_UPWARD_IMPORTS);
  expect(found.filter((f) => !allowed.has(f.key)).map((f) => f.problem)).toEqual([]);
  // An exception that no longer occurs is deleted from the list, so that it cannot come back unseen.
  const stale = TEMPORARILY_ALLOWED_UPWARD_IMPORTS.filter((key) => !found.some((f) => f.key === key));
  expect(stale).toEqual([]);
});

/** The lib/ file an import names (relative to lib/), or undefined for a package or a file that is not there. */
function importedFile(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = relative(LIB, join(LIB, dirname(file), specifier))
    .split(sep)
    .join("/");
  return [`${target}.ts`, `${target}/index.ts`].find((candidate) => files.includes(candidate));
}

/** Every import cycle of a graph, each as the files around it, starting and ending with the same file. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string) => {
    const at = path.indexOf(node);
    if (at !== -1) return void found.push([...path.slice(at), node]);
    if (done.has(node)) return;
    path.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of graph.keys()) visit(node);
  return found;
}

test("no file of lib/ imports itself through others, not even for a type (within a layer too)", () => {
  const graph = new Map(
    files.map((file) => [file, importsOf(readFileSync(join(LIB, file), "utf8")).flatMap(({ specifier }) => importedFile(file, specifier) ?? [])] as const),
  );
  expect(cycles(graph).map((cycle) => `import cycle: ${cycle.map((f) => `lib/${f}`).join(" -> ")}; rule: a shared part moves to a file both import`)).toEqual(
    [],
  );
});

test("the cycle check finds a cycle", () => {
  const graph = new Map([
    ["plan/dns-records.ts", ["plan/dns-checks.ts", "catalogue/services.ts"]],
    ["plan/dns-checks.ts", ["plan/dns-records.ts"]],
    ["catalogue/services.ts", []],
  ]);
  expect(cycles(graph)).toEqual([["plan/dns-records.ts", "plan/dns-checks.ts", "plan/dns-records.ts"]]);
  expect(
    cycles(
      new Map([
        ["a.ts", ["b.ts"]],
        ["b.ts", []],
      ]),
    ),
  ).toEqual([]);
});

test("the check finds imports of every form and judges their direction", () => {
  const source = [
    `// import { commented } from "../render/commented";`,
    `const text = 'import { quoted } from "../render/quoted"';`,
    `import type { PlatformSpec } from "../model/schema";`,
    `import {`,
    `  plan,`,
    `} from "../plan/plan";`,
    `export { SERVICES } from "../catalogue/services";`,
    `type Config = typeof import("../render/host-files");`,
    `const late = () => import("../rollout/bundle");`,
    `const old = require("./issues");`,
  ].join("\n");
  expect(importsOf(source)).toEqual([
    { specifier: "../model/schema", line: 3 },
    { specifier: "../plan/plan", line: 6 },
    { specifier: "../catalogue/services", line: 7 },
    { specifier: "../render/host-files", line: 8 },
    { specifier: "../rollout/bundle", line: 9 },
    { specifier: "./issues", line: 10 },
  ]);
  // Down, within the layer, and a package: allowed.
  expect(violation("plan/plan.ts", "../model/schema")).toBeUndefined();
  expect(violation("plan/plan.ts", "./types")).toBeUndefined();
  expect(violation("render/dns/zone-file.ts", "../../catalogue/dns-record-types")).toBeUndefined();
  expect(violation("index.ts", "./constructs")).toBeUndefined();
  expect(violation("model/schema.ts", "zod")).toBeUndefined();
  // Up: refused, naming the file, the import and the rule.
  expect(violation("model/semantic-checks.ts", "../render/opendkim/opendkim", 12)).toBe(
    `lib/model/semantic-checks.ts:12 imports "../render/opendkim/opendkim" (layer render, #6), above its own layer model (#4); rule: model may import only itself and the layers below it: errors, catalogue, tls`,
  );
  expect(violation("errors.ts", "./model/issues")).toMatch(/rule: errors may import only itself$/);
  expect(violation("security/rules/rendered-postfix.ts", "../../constructs/mail-platform")).toMatch(/above its own layer security/);
  // Out of lib/, or into a directory no layer holds: refused too.
  expect(violation("cli/main.ts", "../../scripts/flavours")).toMatch(/outside lib\//);
  expect(violation("cli/main.ts", "../unknown/thing")).toMatch(/belongs to no layer/);
});
