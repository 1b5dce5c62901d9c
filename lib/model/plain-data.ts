/**
 * The first step of every door (props, YAML, JSON): turn whatever the caller handed over into
 * plain data — strings, numbers, booleans, null, lists and mappings — or say precisely why it
 * is not. Everything after this step (zod, the cross-checks, the plan) then reads a value that
 * cannot run code (no getters, proxies or class instances), cannot exhaust the stack (bounded
 * depth, no cycles) or the memory (bounded size), and has no key that reaches an object's
 * prototype (`__proto__`).
 */
import { issue, type PathSegment, type PlatformIssue } from "./issues";

/** Limits of the plain-data step; each is far above what a real platform needs. */
export const PLAIN_DATA_LIMITS = {
  /** Deepest nesting of lists and mappings (a platform model is at most six levels deep). */
  depth: 32,
  /** Longest string: no field of the model takes more than a few thousand characters. */
  stringLength: 10_000,
  /** Most values in all (a million domains are about three million values). */
  values: 20_000_000,
} as const;

/** The outcome of reading a value as plain data. */
export type PlainDataResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: readonly PlatformIssue[] };

/** At most this many plain-data problems are reported; after that the input is clearly not a model. */
const MAX_ISSUES = 50;

class TooMany extends Error {}

/**
 * Copy `raw` into plain data, or report every part that is not (at most 50 problems, each with
 * its path). Exceptions thrown by the caller's getters or proxies are reported, not propagated.
 */
export function toPlainData(raw: unknown): PlainDataResult {
  const issues: PlatformIssue[] = [];
  let values = 0;
  const ancestors = new Set<object>();

  const report = (path: PathSegment[], received: unknown, message: string) => {
    issues.push(issue(path, received, message));
    if (issues.length >= MAX_ISSUES) throw new TooMany();
  };

  const copy = (value: unknown, path: PathSegment[]): unknown => {
    values += 1;
    if (values > PLAIN_DATA_LIMITS.values) {
      report(path, "(more values)", `expected a model of at most ${PLAIN_DATA_LIMITS.values.toLocaleString("en")} values in all`);
      throw new TooMany();
    }
    switch (typeof value) {
      case "undefined":
      case "boolean":
        return value;
      case "number":
        if (!Number.isFinite(value)) report(path, String(value), "expected a finite number");
        return value;
      case "string":
        return plainString(value, path, report);
      case "bigint":
        report(path, `${value}n`, "expected a number, not a bigint");
        return undefined;
      case "symbol":
      case "function":
        report(path, `(a ${typeof value})`, "expected plain data: a string, number, boolean, list or mapping");
        return undefined;
    }
    if (value === null) return null;
    const object = value as object;
    if (ancestors.has(object)) {
      report(path, "(a value containing itself)", "expected plain data without cycles: this value contains itself");
      return undefined;
    }
    if (path.length >= PLAIN_DATA_LIMITS.depth) {
      report(path, "(deeper nesting)", `expected at most ${PLAIN_DATA_LIMITS.depth} levels of nested lists and mappings`);
      return undefined;
    }
    ancestors.add(object);
    try {
      // Array.isArray throws for a revoked proxy: that is the caller's value failing, not ours.
      const isList = guarded(path, () => Array.isArray(object));
      if (isList === undefined) return undefined;
      return isList ? copyList(object as unknown[], path) : copyMapping(object, path);
    } finally {
      ancestors.delete(object);
    }
  };

  const copyList = (list: readonly unknown[], path: PathSegment[]): unknown[] | undefined => {
    const length = guarded(path, () => list.length);
    if (length === undefined) return undefined;
    if (!Number.isSafeInteger(length) || length < 0) {
      report(path, String(length), "expected a list with a whole-number length");
      return undefined;
    }
    if (length > PLAIN_DATA_LIMITS.values - values) {
      report(path, `(${length.toLocaleString("en")} items)`, `expected a model of at most ${PLAIN_DATA_LIMITS.values.toLocaleString("en")} values in all`);
      return undefined;
    }
    const out: unknown[] = [];
    // Every item counts towards the size limit, so even a list that only claims a huge length ends.
    for (let i = 0; i < length; i++)
      out.push(
        copy(
          guarded([...path, i], () => list[i]),
          [...path, i],
        ),
      );
    return out;
  };

  const copyMapping = (object: object, path: PathSegment[]): Record<string, unknown> | undefined => {
    const prototype = guarded(path, () => Object.getPrototypeOf(object) as unknown);
    // A plain object's prototype is Object.prototype, of this realm or another (structuredClone,
    // vm contexts), or null; anything with a longer chain is an instance of some class.
    const plain = prototype === null || (typeof prototype === "object" && guarded(path, () => Object.getPrototypeOf(prototype)) === null);
    if (!plain) {
      const kind = guarded(path, () => (object as { constructor?: { name?: unknown } }).constructor?.name);
      report(
        path,
        `(a ${typeof kind === "string" && kind !== "" ? kind : "class instance"})`,
        "expected plain data: a mapping of fields, not an instance of a class",
      );
      return undefined;
    }
    const keys = guarded(path, () => Object.keys(object));
    if (keys === undefined) return undefined;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (key === "__proto__") {
        report([...path, key], "(a field)", "expected a field name of the model; __proto__ is never one");
        continue;
      }
      // Keys other than __proto__ become own data properties of a plain object: no setter runs.
      out[key] = copy(
        guarded([...path, key], () => (object as Record<string, unknown>)[key]),
        [...path, key],
      );
    }
    return out;
  };

  /** Run a read that may be a getter or proxy trap of the caller's; a throw becomes a problem. */
  const guarded = <T>(path: PathSegment[], read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (error instanceof TooMany) throw error;
      const message = error instanceof Error ? error.message : String(error);
      report(path, "(unreadable)", `expected plain data; reading this value failed: ${message.split("\n")[0]!.slice(0, 120)}`);
      return undefined;
    }
  };

  let value: unknown;
  try {
    value = copy(raw, []);
  } catch (error) {
    if (!(error instanceof TooMany)) throw error;
  }
  return issues.length === 0 ? { ok: true, value } : { ok: false, issues };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string is plain when it is well-formed Unicode (no lone surrogate) and not absurdly long. */
function plainString(value: string, path: PathSegment[], report: (path: PathSegment[], received: unknown, message: string) => void): string {
  if (value.length > PLAIN_DATA_LIMITS.stringLength) {
    report(
      path,
      `(${value.length.toLocaleString("en")} characters)`,
      `expected at most ${PLAIN_DATA_LIMITS.stringLength.toLocaleString("en")} characters (no field of the model is longer)`,
    );
  } else if (LONE_SURROGATE.test(value)) {
    report(path, value, "expected well-formed Unicode text (this string holds a lone UTF-16 surrogate)");
  }
  return value;
}
