/**
 * Validation entry point: shape (zod) and cross-field checks in one pass, every problem
 * reported with its field path, the value received and what is allowed.
 */
import { z } from "zod";
import { crossCheck } from "../model/cross-checks";
import { issue, PlatformValidationError, sortIssues, type PathSegment, type PlatformIssue } from "../model/issues";
import { PlatformSchema, type PlatformSpec } from "../model/schema";
import { deploymentIssues, type ValidationOptions } from "../model/deployable";
import { toPlainData } from "../model/plain-data";
import { RENDERED_CHECKS } from "./rendered-checks";

/** The outcome of validating a platform model. */
export type ValidationResult = { readonly ok: true; readonly spec: PlatformSpec } | { readonly ok: false; readonly issues: readonly PlatformIssue[] };

/** Validate untrusted input (parsed YAML/JSON or props) into a complete {@link PlatformSpec}. */
export function validatePlatform(input: unknown, options: ValidationOptions = {}): ValidationResult {
  // Everything below reads a copy that is plain data: no getter, proxy or cycle of the caller's runs again.
  const plain = toPlainData(input);
  if (!plain.ok) return { ok: false, issues: sortIssues(plain.issues) };
  const raw = plain.value;
  const parsed = PlatformSchema.safeParse(raw, { reportInput: true });
  const issues: PlatformIssue[] = parsed.success ? [] : parsed.error.issues.flatMap((i) => fromZodIssue(i));
  // Loops, not push(...): a spread passes every issue as an argument, and a million of them overflow the stack.
  // The order of the checks does not matter: the issues are deduplicated and sorted below.
  for (const i of crossCheck(raw, RENDERED_CHECKS, parsed.success ? parsed.data : undefined)) issues.push(i);
  if (options.deployable) for (const i of deploymentIssues(raw)) issues.push(i);
  if (parsed.success && issues.length === 0) return { ok: true, spec: parsed.data };
  return { ok: false, issues: sortIssues(dedupe(issues)) };
}

/**
 * Validate or throw a {@link PlatformValidationError} listing every problem.
 * @param source - how to name the input in the error message, e.g. a file name
 * @param options - whether the model must be deployable (default: renderable is enough)
 */
export function parsePlatform(raw: unknown, source?: string, options: ValidationOptions = {}): PlatformSpec {
  const result = validatePlatform(raw, options);
  if (!result.ok) throw new PlatformValidationError(result.issues, source);
  return result.spec;
}

function dedupe(issues: PlatformIssue[]): PlatformIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function fromZodIssue(zi: z.core.$ZodIssue): PlatformIssue[] {
  const path = zi.path as PathSegment[];
  const input = (zi as { input?: unknown }).input;
  switch (zi.code) {
    case "invalid_type":
      return [issue(path, input, input === undefined ? `required: expected ${article(zi.expected)}` : `expected ${article(zi.expected)}`)];
    case "invalid_value":
      return [issue(path, input, `expected one of: ${zi.values.map((v) => JSON.stringify(v)).join(", ")}`)];
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(path);
      return zi.keys.map((key) =>
        issue([...path, key], (input as Record<string, unknown> | undefined)?.[key], `unknown field; allowed fields here: ${allowed.join(", ")}`),
      );
    }
    case "too_small":
      return [issue(path, input, `expected ${bound(zi.origin, zi.minimum, "at least", zi.inclusive)}`)];
    case "too_big":
      return [issue(path, input, `expected ${bound(zi.origin, zi.maximum, "at most", zi.inclusive)}`)];
    default:
      return [issue(path, input, zi.message)];
  }
}

function article(expected: string): string {
  const names: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "a mapping of fields",
    array: "a list",
  };
  return names[expected] ?? expected;
}

function bound(origin: string, limit: number | bigint, word: string, inclusive = true): string {
  const n = Number(limit);
  switch (origin) {
    case "array":
      return `${word} ${n} item${n === 1 ? "" : "s"}`;
    case "string":
      return `${word} ${n} character${n === 1 ? "" : "s"}`;
    default:
      return inclusive ? `a number ${word} ${n}` : `a number ${word === "at least" ? "above" : "below"} ${n}`;
  }
}

/** The field names the schema allows at an object path (for "unknown field" messages). */
function allowedKeysAt(path: PathSegment[]): string[] {
  let schema: z.ZodType = PlatformSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject && typeof segment === "string") schema = schema.shape[segment] as z.ZodType;
    else if (schema instanceof z.ZodArray && typeof segment === "number") schema = schema.element as z.ZodType;
    else return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}
