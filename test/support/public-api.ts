/**
 * Whether a package's public surface is closed: every type that an exported declaration shows
 * in public (a property, a parameter, a return type, a base class) must itself be exported from
 * the package root, or a user can hold a value whose type they cannot name. Read off the
 * declaration output, where every inferred type is written out, as users' compilers see it.
 */
import { createHash } from "crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import * as ts from "typescript";

/**
 * Emitted declarations are kept here, by a hash of every source they come from: emitting the
 * library's declarations costs most of a core for ~20 s, and most test runs change no source.
 */
const DECLARATION_CACHE = resolve(__dirname, "..", "..", "node_modules", ".cache", "cdktf-mail-platform", "declarations");

/** One type that a public declaration shows but the root does not export. */
export interface UnexportedType {
  /** The exported declaration (and member) that shows it, e.g. `MailPlatform.configStore`. */
  readonly shownBy: string;
  /** The type's name. */
  readonly type: string;
  /** Where it is declared, relative to the declaration output. */
  readonly declaredIn: string;
}

/** The hash of every TypeScript source below `dir` (names and contents), with the compiler's version. */
function sourceHash(dir: string): string {
  const hash = createHash("sha256").update(ts.version);
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .sort();
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(dir, file)))
      .update("\0");
  return hash.digest("hex").slice(0, 32);
}

/**
 * The declarations of `entry` (and all it imports), emitted once per state of the sources below
 * `rootDir` and kept in node_modules/.cache; returns the root `.d.ts`.
 */
export function emitDeclarations(entry: string, rootDir: string): string {
  const relativeEntry = `${resolve(entry)
    .slice(resolve(rootDir).length + 1)
    .replace(/\.ts$/, "")}.d.ts`;
  const cached = join(DECLARATION_CACHE, createHash("sha256").update(sourceHash(rootDir)).update(relativeEntry).digest("hex").slice(0, 32));
  if (existsSync(join(cached, relativeEntry))) return join(cached, relativeEntry);
  const outDir = emitDeclarationsInto(entry, rootDir);
  mkdirSync(DECLARATION_CACHE, { recursive: true });
  try {
    renameSync(outDir, cached);
  } catch {
    // Another test process kept the same declarations first: use those.
    rmSync(outDir, { recursive: true, force: true });
  }
  pruneDeclarationCache(cached);
  return join(cached, relativeEntry);
}

/** Keep the newest few states only (the library's and the fixture's): each edit makes a new one. */
function pruneDeclarationCache(keep: string): void {
  const entries = readdirSync(DECLARATION_CACHE)
    .map((name) => join(DECLARATION_CACHE, name))
    .filter((path) => path !== keep)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const stale of entries.slice(3)) rmSync(stale, { recursive: true, force: true });
}

/** Emit the declarations into a fresh directory; returns it. */
function emitDeclarationsInto(entry: string, rootDir: string): string {
  const outDir = mkdtempSync(join(tmpdir(), "public-api-"));
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir,
    outDir,
  });
  const emitted = program.emit();
  const errors = emitted.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0)
    throw new Error(ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => rootDir, getNewLine: () => "\n" }));
  return outDir;
}

function isHidden(node: ts.Node): boolean {
  const flags = ts.canHaveModifiers(node) ? ts.getCombinedModifierFlags(node as ts.Declaration) : 0;
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return true;
  const name = (node as ts.NamedDeclaration).name;
  return name !== undefined && ts.isPrivateIdentifier(name);
}

function memberName(node: ts.Node): string | undefined {
  const name = (node as ts.NamedDeclaration).name;
  return name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined;
}

/**
 * The types shown by the root's exports (declared in the package's own declaration files) that
 * the root does not export. `rootDts` is a root `.d.ts`, e.g. from {@link emitDeclarations}.
 */
export function unexportedTypes(rootDts: string): UnexportedType[] {
  const outDir = resolve(rootDts, "..");
  const program = ts.createProgram([rootDts], { skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const root = program.getSourceFile(rootDts);
  const moduleSymbol = root && checker.getSymbolAtLocation(root);
  if (!moduleSymbol) throw new Error(`${rootDts} is not a module`);
  const resolveAlias = (symbol: ts.Symbol): ts.Symbol => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const exports = checker.getExportsOfModule(moduleSymbol);
  const exported = new Set(exports.map(resolveAlias));
  const own = (symbol: ts.Symbol) => (symbol.declarations ?? []).some((d) => resolve(d.getSourceFile().fileName).startsWith(`${outDir}/`));

  const found = new Map<string, UnexportedType>();
  const check = (symbol: ts.Symbol | undefined, shownBy: string) => {
    if (!symbol) return;
    const target = resolveAlias(symbol);
    if (target.flags & ts.SymbolFlags.TypeParameter || !own(target) || exported.has(target)) return;
    // A member of an exported enum or namespace is reachable through it.
    const parent = (target as ts.Symbol & { parent?: ts.Symbol }).parent;
    if (parent && exported.has(parent)) return;
    const declaredIn = target.declarations![0]!.getSourceFile().fileName.slice(outDir.length + 1);
    const key = `${shownBy} ${target.name}`;
    if (!found.has(key)) found.set(key, { shownBy, type: target.name, declaredIn });
  };
  const visit = (node: ts.Node, shownBy: string): void => {
    if (isHidden(node)) return;
    if (
      (ts.isPropertyDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isPropertySignature(node) ||
        ts.isMethodSignature(node) ||
        ts.isGetAccessor(node)) &&
      memberName(node)
    ) {
      shownBy = `${shownBy.split(".")[0]}.${memberName(node)}`;
    }
    if (ts.isTypeReferenceNode(node)) check(checker.getSymbolAtLocation(node.typeName), shownBy);
    else if (ts.isExpressionWithTypeArguments(node)) check(checker.getSymbolAtLocation(node.expression), shownBy);
    else if (ts.isTypeQueryNode(node)) check(checker.getSymbolAtLocation(node.exprName), shownBy);
    else if (ts.isImportTypeNode(node)) {
      const type = checker.getTypeFromTypeNode(node);
      check(type.aliasSymbol ?? type.getSymbol(), shownBy);
    }
    ts.forEachChild(node, (child) => visit(child, shownBy));
  };
  for (const symbol of exports) {
    for (const declaration of resolveAlias(symbol).declarations ?? []) visit(declaration, symbol.name);
  }
  return [...found.values()].sort((a, b) => a.shownBy.localeCompare(b.shownBy) || a.type.localeCompare(b.type));
}
