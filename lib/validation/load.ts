/**
 * Reading a platform file: YAML (a superset of JSON, so `.json` files work too) into the
 * validated model. Syntax errors are reported like validation problems, with a line number.
 */
import { isAlias, LineCounter, parseDocument, visit, type Document, type YAMLError } from "yaml";
import { TextDecoder } from "util";
import { issue, PlatformValidationError, type PlatformIssue } from "../model/issues";
import type { PlatformSpec } from "../model/schema";
import { validatePlatform, type ValidationResult } from "./validate";
import type { ValidationOptions } from "../model/deployable";

/** Most alias uses (`*name`) a file may make: enough to share a DKIM key, too few for "billion laughs". */
export const MAX_YAML_ALIASES = 100;

type TextResult = { ok: true; value: unknown } | { ok: false; issues: PlatformIssue[] };

/**
 * Parse YAML or JSON text. Syntax errors, unknown tags (`!!binary`, `!!set`, …: not part of the
 * model, and silently read as strings otherwise), aliases to a missing anchor, too many aliases
 * and nesting too deep to read all come back as issues at the top level, with a line number.
 */
export function parsePlatformText(text: string): TextResult {
  let doc: Document.Parsed;
  const lines = new LineCounter();
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, strict: true, resolveKnownTags: false, lineCounter: lines });
  } catch (error) {
    return { ok: false, issues: [tooDeep(error)] };
  }
  const problems = [...doc.errors, ...doc.warnings];
  // Reading too deep fails at a depth that depends on the caller's stack: say it once.
  if (problems.length > 0) return { ok: false, issues: [...new Map(problems.map(fromYamlError).map((i) => [i.message, i])).values()] };
  const aliasIssues = aliasProblems(doc, lines);
  if (aliasIssues.length > 0) return { ok: false, issues: aliasIssues };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (error) {
    if (error instanceof ReferenceError) {
      // yaml's own guard: aliases of nodes that hold aliases multiply ("billion laughs").
      return {
        ok: false,
        issues: [issue([], "(file text)", `aliases (*name) expand the document beyond what is read (at most ${MAX_YAML_ALIASES} copies in all)`)],
      };
    }
    return { ok: false, issues: [tooDeep(error)] };
  }
}

function fromYamlError(e: YAMLError): PlatformIssue {
  if (e.message.includes("Maximum call stack size exceeded")) return tooDeep(e);
  const line = e.linePos?.[0];
  const where = line ? `line ${line.line}, column ${line.col}: ` : "";
  // The pretty message ends its first line with " at line L, column C:"; we say it first.
  const text = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:$/, "");
  const unresolvedTag = /^Unresolved tag: (.*)$/.exec(text);
  if (unresolvedTag) {
    const tag = unresolvedTag[1]!.replace(/^tag:yaml\.org,2002:/, "!!");
    return issue([], "(file text)", `${where}the tag ${tag} is not part of the model; write the value without a tag`);
  }
  return issue([], "(file text)", `${where}${text}`);
}

function tooDeep(error: unknown): PlatformIssue {
  if (error instanceof RangeError || (error instanceof Error && error.message.includes("Maximum call stack size exceeded"))) {
    return issue([], "(file text)", "lists and mappings are nested too deeply to read (a platform model is about six levels deep)");
  }
  throw error;
}

/** Aliases must name an anchor set before them, and a file may use at most {@link MAX_YAML_ALIASES}. */
function aliasProblems(doc: Document.Parsed, lines: LineCounter): PlatformIssue[] {
  const found: PlatformIssue[] = [];
  const anchors = new Set<string>();
  let uses = 0;
  const lineOf = (offset: number | undefined) => (offset === undefined ? "" : `line ${lines.linePos(offset).line}: `);
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      uses += 1;
      if (!anchors.has(node.source))
        found.push(issue([], "(file text)", `${lineOf(node.range?.[0])}the alias *${node.source} names no anchor &${node.source} set before it`));
      return;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor !== undefined) anchors.add(anchor);
  });
  if (uses > MAX_YAML_ALIASES) {
    found.push(
      issue(
        [],
        "(file text)",
        `the file uses aliases (*name) ${uses} times; at most ${MAX_YAML_ALIASES} are read (a guard against documents that expand without bound)`,
      ),
    );
  }
  return found;
}

/**
 * The text of a platform file's bytes: UTF-8 (a leading byte-order mark is dropped). Bytes that
 * are not UTF-8 are a problem to report, never characters to replace silently with U+FFFD.
 */
export function decodePlatformBytes(bytes: Uint8Array): { ok: true; text: string } | { ok: false; issues: PlatformIssue[] } {
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const line = new TextDecoder("utf-8").decode(bytes.subarray(0, offset)).split("\n").length;
    const byte = bytes[offset]!.toString(16).padStart(2, "0");
    return {
      ok: false,
      issues: [issue([], "(file bytes)", `line ${line}: the file is not UTF-8 text (byte 0x${byte} at offset ${offset}); save it as UTF-8`)],
    };
  }
}

/** Offset of the first byte that does not begin or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const strict = new TextDecoder("utf-8", { fatal: true });
  // Binary search for the longest valid prefix; a prefix may end inside a sequence, so allow 3 bytes of slack.
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (validPrefix(strict, bytes, mid)) good = mid;
    else bad = mid;
  }
  return good;
}

function validPrefix(decoder: TextDecoder, bytes: Uint8Array, length: number): boolean {
  try {
    decoder.decode(bytes.subarray(0, length), { stream: true });
    return true;
  } catch {
    return false;
  } finally {
    decoder.decode(); // reset the streaming state
  }
}

/**
 * Largest platform file read: the YAML reader holds a tree of about 30 times the text, so a file
 * far beyond any deployable model (100,000 domains take about 14 MB) would exhaust the memory
 * before a single problem could be reported.
 */
export const MAX_PLATFORM_TEXT_BYTES = 64 * 1024 * 1024;

/** Validate platform text (YAML or JSON), given as a string or as the file's bytes. */
export function validatePlatformText(text: string | Uint8Array, options: ValidationOptions = {}): ValidationResult {
  const size = typeof text === "string" ? Buffer.byteLength(text, "utf8") : text.byteLength;
  if (size > MAX_PLATFORM_TEXT_BYTES) {
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    return {
      ok: false,
      issues: [
        issue(
          [],
          `(${mb(size)} of text)`,
          `expected a platform file of at most ${mb(MAX_PLATFORM_TEXT_BYTES)} (100,000 domains take about 14 MB); split the platform`,
        ),
      ],
    };
  }
  let source: string;
  if (typeof text === "string") source = text;
  else {
    const decoded = decodePlatformBytes(text);
    if (!decoded.ok) return { ok: false, issues: decoded.issues };
    source = decoded.text;
  }
  const parsed = parsePlatformText(source);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  return validatePlatform(parsed.value, options);
}

/**
 * Parse and validate platform text, or throw a {@link PlatformValidationError}.
 * @param text - YAML or JSON, as a string or as the file's bytes (which must be UTF-8)
 * @param source - how to name the input in the error message, e.g. the file name
 * @param options - whether the model must be deployable (default: renderable is enough)
 */
export function loadPlatformText(text: string | Uint8Array, source = "platform file", options: ValidationOptions = {}): PlatformSpec {
  const result = validatePlatformText(text, options);
  if (!result.ok) throw new PlatformValidationError(result.issues, source);
  return result.spec;
}
