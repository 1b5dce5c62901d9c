/**
 * One validation problem, as users see it: where, what was received, what is allowed.
 * All validation (schema, cross-field checks, construct-time checks) reports through this.
 */
import { UserError } from "../errors";

/** A validation problem with its field path, the value received and what is allowed. */
export interface PlatformIssue {
  /** Field path in the input, e.g. `groups[0].addresses[1].privateIp`; empty for the root. */
  readonly path: string;
  /** The value received, rendered short (JSON, at most 80 characters); `nothing` when missing. */
  readonly received: string;
  /** What is allowed or expected instead. */
  readonly message: string;
}

/** A path segment: object key or array index. */
export type PathSegment = string | number;

const MAX_RECEIVED = 80;

/** Render a path like `groups[0].domains[1].name`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (out === "") out = String(segment);
    else out += `.${String(segment)}`;
  }
  return out;
}

/** Render a received value briefly; never more than 80 characters. */
export function formatReceived(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_RECEIVED ? `${text.slice(0, MAX_RECEIVED - 1)}…` : text;
}

/** Create an issue from a path, the received value and the message. */
export function issue(path: ReadonlyArray<PathSegment>, received: unknown, message: string): PlatformIssue {
  return { path: formatPath(path), received: formatReceived(received), message };
}

/**
 * Issues collected once per path: a platform-wide value that is wrong for several groups is one
 * problem, reported at the first group it affects.
 */
export function issuesOncePerPath(): { readonly found: PlatformIssue[]; report(path: ReadonlyArray<PathSegment>, received: unknown, message: string): void } {
  const found: PlatformIssue[] = [];
  const reported = new Set<string>();
  return {
    found,
    report(path, received, message) {
      const key = path.join(".");
      if (reported.has(key)) return;
      reported.add(key);
      found.push(issue(path, received, message));
    },
  };
}

/** Order issues by path, then message, so reports are stable. */
export function sortIssues(issues: ReadonlyArray<PlatformIssue>): PlatformIssue[] {
  return [...issues].sort((a, b) => comparePaths(a.path, b.path) || a.message.localeCompare(b.message));
}

function comparePaths(a: string, b: string): number {
  // Compare segment by segment so that [10] sorts after [9].
  const split = (p: string) => p.split(/[.[\]]+/).filter(Boolean);
  const sa = split(a);
  const sb = split(b);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i]!;
    const y = sb[i]!;
    if (x === y) continue;
    const nx = Number(x);
    const ny = Number(y);
    if (Number.isInteger(nx) && Number.isInteger(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}

/** Render issues as the lines a user reads: `path: message (received: value)`. */
export function formatIssues(issues: ReadonlyArray<PlatformIssue>): string {
  return issues.map((i) => `  - ${i.path === "" ? "(top level)" : i.path}: ${i.message} (received: ${i.received})`).join("\n");
}

/** Thrown when a platform model is invalid; carries every problem found. */
export class PlatformValidationError extends UserError {
  /** Every problem found, sorted by path. */
  readonly issues: readonly PlatformIssue[];

  constructor(issues: ReadonlyArray<PlatformIssue>, source = "the platform model") {
    const sorted = sortIssues(issues);
    const count = sorted.length === 1 ? "1 problem" : `${sorted.length} problems`;
    super(`${source} is invalid (${count}):\n${formatIssues(sorted)}`);
    this.name = "PlatformValidationError";
    this.issues = sorted;
  }
}
