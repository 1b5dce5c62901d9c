/**
 * master.cf as data: one structured entry per service, formatted in aligned columns with
 * `-o name=value` overrides on continuation lines.
 *
 * master.cf splits fields on whitespace, so a value with a blank would become a new
 * argument; values with `{` or `}` would open Postfix's grouping syntax. Both are refused.
 */
import { masterOptionProblem } from "../../model/config-syntax";
import { UnsafeValueError } from "../rendered-file";
import { formatPostconfValue, type PostconfValue } from "./main-cf-format";

/** One master.cf service entry (master(5)). */
export interface MasterEntry {
  /** Service name: `name` for unix services, `address:port` for inet services. */
  readonly service: string;
  /** Transport type. */
  readonly type: "inet" | "unix" | "unix-dgram" | "pass" | "fifo";
  /** Private (`-` keeps Postfix's default, y). */
  readonly private?: "y" | "n";
  /** Unprivileged (`-` keeps the default, y). */
  readonly unprivileged?: "y" | "n";
  /** Chroot into the queue directory. */
  readonly chroot: "y" | "n";
  /** Wake-up time, e.g. `60` or `1000?`. */
  readonly wakeup?: string;
  /** Process limit; `-` keeps default_process_limit. */
  readonly maxproc?: number;
  /** The daemon program. */
  readonly command: string;
  /** `-o name=value` overrides, in order. */
  readonly options?: ReadonlyArray<readonly [string, PostconfValue]>;
  /** A comment line written above the entry. */
  readonly comment?: string;
  /** `-o` overrides the operator set (postfix.masterCf), written last, each under a comment saying where it comes from. */
  readonly operatorOptions?: ReadonlyArray<{ readonly name: string; readonly value: PostconfValue; readonly why: string }>;
}

const SERVICE = /^[A-Za-z0-9._:-]+$/;

function field(value: string | undefined, what: string): string {
  const text = value ?? "-";
  if (!/^[A-Za-z0-9._:?-]+$/.test(text)) throw new UnsafeValueError("master.cf", what, text, "fields are single words");
  return text;
}

function option(name: string, value: PostconfValue): string {
  const text = formatPostconfValue(name, value).replace(/, /g, ",");
  const problem = masterOptionProblem(text);
  if (problem) throw new UnsafeValueError("master.cf", `-o ${name}`, text, problem);
  return `  -o ${name}=${text}`;
}

/** Format a whole master.cf: header line, column legend, then the entries. */
export function formatMasterCf(header: string, entries: readonly MasterEntry[]): string {
  const rows = entries.map((e) => {
    if (!SERVICE.test(e.service)) throw new UnsafeValueError("master.cf", "service name", e.service, "service names are single words");
    return [
      e.service,
      e.type,
      field(e.private, "private"),
      field(e.unprivileged, "unpriv"),
      field(e.chroot, "chroot"),
      field(e.wakeup, "wakeup"),
      field(e.maxproc === undefined ? undefined : String(e.maxproc), "maxproc"),
      field(e.command, "command"),
    ];
  });
  const legend = ["# service", "type", "private", "unpriv", "chroot", "wakeup", "maxproc", "command + args"];
  const widths = legend.map((_, i) => Math.max(legend[i]!.length, ...rows.map((r) => r[i]!.length)));
  const align = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join(" ")
      .trimEnd();
  const lines = [header, "#", align(legend)];
  entries.forEach((entry, i) => {
    if (entry.comment) {
      if (/[\r\n]/.test(entry.comment)) throw new UnsafeValueError("master.cf", "comment", entry.comment, "comments must be one line");
      lines.push(`# ${entry.comment}`);
    }
    lines.push(align(rows[i]!));
    for (const [name, value] of entry.options ?? []) lines.push(option(name, value));
    for (const { name, value, why } of entry.operatorOptions ?? []) {
      // master(5): a line whose first non-blank character is '#' is ignored, also inside an entry.
      if (/[\r\n]/.test(why)) throw new UnsafeValueError("master.cf", "comment", why, "comments must be one line");
      lines.push(`  # ${why}`, option(name, value));
    }
  });
  return `${lines.join("\n")}\n`;
}
