/**
 * Configuration bundles: everything a host must have on disk, with the commands that validate it,
 * the commands that reload the daemons and the listeners that must answer afterwards. The id is a
 * content hash (SHA-256 of the canonical JSON of everything else); the apply script recomputes it.
 */
import { createHash } from "crypto";

/** The bundle format this library writes and the apply script reads. */
export const BUNDLE_FORMAT = "mail-platform-bundle/1";

/** One file of a bundle. */
export interface BundleFile {
  /** Absolute path on the host. */
  readonly path: string;
  /** Octal mode, e.g. `0644`. */
  readonly mode: string;
  /** Whole content. */
  readonly content: string;
}

/** A configuration bundle. */
export interface Bundle {
  readonly format: typeof BUNDLE_FORMAT;
  /** Content hash. */
  readonly id: string;
  readonly platform: string;
  readonly host: string;
  readonly files: readonly BundleFile[];
  /** Commands run before validation (e.g. obtaining certificates the new files name); each must exit 0. */
  readonly prepare: readonly (readonly string[])[];
  /** Commands run on the staged files (`{stage}` is the staging root); each must exit 0 silently. */
  readonly validate: readonly (readonly string[])[];
  /** Commands that make the daemons read the installed files (a reload, never a restart). */
  readonly reload: readonly (readonly string[])[];
  /** Commands that start daemons that are not running (used when a rollback's reload fails). */
  readonly start: readonly (readonly string[])[];
  /** Address and port pairs that must accept connections after the reload. */
  readonly listeners: readonly (readonly [string, number])[];
}

/** JSON with object keys sorted and no blanks, as Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Build a bundle; files are sorted by path so the same content always gives the same id. */
export function buildBundle(parts: Omit<Bundle, "id" | "format">): Bundle {
  const body = {
    ...parts,
    format: BUNDLE_FORMAT as typeof BUNDLE_FORMAT,
    files: [...parts.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
  const id = createHash("sha256").update(canonicalJson(body), "utf8").digest("hex");
  return { ...body, id };
}

/** The bundle as the file the host fetches (stable key order, trailing newline). */
export function bundleText(bundle: Bundle): string {
  const { format, id, platform, host, files, prepare, validate, reload, start, listeners } = bundle;
  return `${JSON.stringify({ format, id, platform, host, files, prepare, validate, reload, start, listeners }, null, 1)}\n`;
}
