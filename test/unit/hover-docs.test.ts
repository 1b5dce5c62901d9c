/**
 * What a user of the package sees on hover: the library's declarations are emitted as `tsc`
 * builds them for `dist/` (declarations only, into a temporary directory), a consumer file
 * composes a `MailPlatform` against them, and the TypeScript language service is asked for the
 * quick info of fields deep inside `platform`. The sources are not involved: documentation that
 * exists only on zod schema literals (lost in the emitted `.d.ts`) would fail here.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as ts from "typescript";

const ROOT = join(__dirname, "..", "..");

const CONSUMER = `import type { Construct } from "constructs";
import { MailPlatform } from "./lib/index";

declare const stack: Construct;

new MailPlatform(stack, "m", {
  platform: {
    name: "m",
    hosts: [{ name: "mx1" }],
    tls: { profile: "intermediate" },
    outbound: { tlsRules: [] },
    groups: [
      {
        name: "g",
        domains: [{ name: "a.example" }],
        addresses: [{ host: "mx1", privateIp: "10.0.0.1", hostName: "mx.a.example" }],
      },
    ],
  },
});
`;

let dir: string;
let service: ts.LanguageService;
let consumer: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mail-platform-hover-"));
  // The package's declarations, built with the package's own tsconfig.json.
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("cannot read tsconfig.json");
  const program = ts.createProgram(config.fileNames, {
    ...config.options,
    outDir: dir,
    declaration: true,
    emitDeclarationOnly: true,
    noEmit: false,
    // Type errors are the typecheck's business. Without the full check the declarations come out
    // the same (up to the member order of some inferred enum types) in a third of the time.
    noCheck: true,
  });
  const emitted = program.emit();
  if (emitted.emitSkipped) throw new Error("declaration emit was skipped");
  // The consumer resolves the package's dependencies (constructs, cdktf, zod) as an installed
  // package would: from node_modules next to it.
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "junction");
  consumer = join(dir, "consumer.ts");
  writeFileSync(consumer, CONSUMER);

  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    skipLibCheck: true,
    types: [],
    noEmit: true,
  };
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [consumer],
    getScriptVersion: () => "1",
    getScriptSnapshot: (file) => {
      const text = ts.sys.readFile(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => dir,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
  };
  service = ts.createLanguageService(host, ts.createDocumentRegistry());
}, 120_000);

afterAll(() => {
  service?.dispose();
  if (!dir) return;
  // The link first, on its own: removing the directory must never reach the real node_modules.
  rmSync(join(dir, "node_modules"), { force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** The quick info of the first occurrence of `word` in the consumer. */
function hover(word: string) {
  const position = CONSUMER.indexOf(`${word}:`);
  if (position < 0) throw new Error(`${word} is not in the consumer`);
  const info = service.getQuickInfoAtPosition(consumer, position + 1);
  if (!info) throw new Error(`no quick info for ${word}`);
  const definitions = service.getDefinitionAtPosition(consumer, position + 1) ?? [];
  return {
    display: ts.displayPartsToString(info.displayParts),
    documentation: ts.displayPartsToString(info.documentation),
    tags: (info.tags ?? []).map((tag) => ({ name: tag.name, text: ts.displayPartsToString(tag.text) })),
    definedIn: definitions.map((definition) => definition.fileName),
  };
}

describe("hover documentation in the package's declarations", () => {
  test("the consumer compiles against the emitted declarations", () => {
    expect(readFileSync(join(dir, "lib", "index.d.ts"), "utf8")).toContain("./model/schema");
    const diagnostics = [...service.getSyntacticDiagnostics(consumer), ...service.getSemanticDiagnostics(consumer)];
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  });

  test("privateIp shows its description", () => {
    const info = hover("privateIp");
    expect(info.display).toBe("(property) privateIp: string");
    expect(info.documentation).toContain("Private IPv4 address (RFC 1918) on the host.");
    // From the emitted declarations, not from the sources.
    expect(info.definedIn).toEqual([join(dir, "lib", "model", "input-types.d.ts")]);
  });

  test("profile shows its description and its default", () => {
    const info = hover("profile");
    expect(info.display).toContain("profile?:");
    expect(info.documentation).toContain("TLS profile: intermediate (Mozilla), modern (TLS 1.3 only), legacy-2015 or custom.");
    expect(info.tags).toContainEqual({ name: "default", text: '"intermediate"' });
    expect(info.definedIn).toEqual([join(dir, "lib", "model", "input-types.d.ts")]);
  });

  test("tlsRules shows its description and its default", () => {
    const info = hover("tlsRules");
    expect(info.display).toBe("(property) tlsRules?: OutboundTlsRuleInput[] | undefined");
    expect(info.documentation).toContain("TLS requirements for particular destinations.");
    expect(info.tags).toContainEqual({ name: "default", text: "[]" });
    expect(info.definedIn).toEqual([join(dir, "lib", "model", "input-types.d.ts")]);
  });
});
