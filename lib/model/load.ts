/**
 * Reading a platform file: YAML (a superset of JSON, so `.json` files work too) into the
 * validated model. Syntax errors are reported like validation problems, with a line number.
 */
import { parseDocument } from "yaml";
import { issue, PlatformValidationError, type PlatformIssue } from "./issues";
import type { PlatformSpec } from "./schema";
import { validatePlatform, type ValidationResult } from "./validate";
import type { ValidationOptions } from "./deployable";

/** Parse YAML or JSON text; syntax errors come back as issues at the top level. */
export function parsePlatformText(text: string): { ok: true; value: unknown } | { ok: false; issues: PlatformIssue[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const line = e.linePos?.[0];
        const where = line ? `line ${line.line}, column ${line.col}: ` : "";
        // The pretty message ends its first line with " at line L, column C:"; we say it first.
        const text = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:$/, "");
        return issue([], "(file text)", `${where}${text}`);
      }),
    };
  }
  return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
}

/** Validate platform text (YAML or JSON). */
export function validatePlatformText(text: string, options: ValidationOptions = {}): ValidationResult {
  const parsed = parsePlatformText(text);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  return validatePlatform(parsed.value, options);
}

/**
 * Parse and validate platform text, or throw a {@link PlatformValidationError}.
 * @param source - how to name the input in the error message, e.g. the file name
 * @param options - whether the model must be deployable (default: renderable is enough)
 */
export function loadPlatformText(text: string, source = "platform file", options: ValidationOptions = {}): PlatformSpec {
  const result = validatePlatformText(text, options);
  if (!result.ok) throw new PlatformValidationError(result.issues, source);
  return result.spec;
}
