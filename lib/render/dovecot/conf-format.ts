/**
 * dovecot.conf as data: settings and nested blocks, formatted with two-space indents.
 *
 * Values are checked for dovecot.conf syntax before they are written. A plain value may not
 * contain a line break, `{`, `}`, `#`, `%`, `$` or a leading `<` (file inclusion): those are
 * Dovecot syntax. Values the renderer builds on purpose with such characters (variables like
 * `%d`, file references like `</path`) are marked `trusted` and come from fixed templates only.
 */
import { dovecotNameProblem, dovecotText, dovecotValueProblem } from "../../model/config-syntax";
import { UnsafeValueError } from "../rendered-file";

/** A `name = value` line. */
export interface DovecotSetting {
  readonly kind: "setting";
  readonly name: string;
  readonly value: string;
  /** Built by the renderer from a fixed template (may contain `%`, `$`, `<`, `\`). */
  readonly trusted?: boolean;
  readonly why?: string;
}

/** A `name [label] { … }` block. */
export interface DovecotBlock {
  readonly kind: "block";
  readonly name: string;
  readonly label?: string;
  readonly children: readonly DovecotNode[];
  readonly why?: string;
}

/** Anything inside dovecot.conf. */
export type DovecotNode = DovecotSetting | DovecotBlock;

/** A plain setting. */
export function setting(name: string, value: string | boolean | number, why?: string): DovecotSetting {
  return { kind: "setting", name, value: dovecotText(value), ...(why ? { why } : {}) };
}

/** A setting whose value is a fixed template of the renderer (variables allowed). */
export function trusted(name: string, value: string, why?: string): DovecotSetting {
  return { kind: "setting", name, value, trusted: true, ...(why ? { why } : {}) };
}

/** A setting that reads its value from a file (`name = </path`). */
export function fileSetting(name: string, path: string, why?: string): DovecotSetting {
  checkPlain(name, path);
  return trusted(name, `<${path}`, why);
}

/** A block. */
export function block(name: string, label: string | undefined, children: readonly DovecotNode[], why?: string): DovecotBlock {
  return { kind: "block", name, ...(label === undefined ? {} : { label }), children, ...(why ? { why } : {}) };
}

function checkPlain(name: string, value: string): void {
  const problem = dovecotValueProblem(value);
  if (problem) throw new UnsafeValueError("dovecot.conf", name, value, problem);
}

function format(nodes: readonly DovecotNode[], depth: number, lines: string[]): void {
  const indent = "  ".repeat(depth);
  for (const node of nodes) {
    if (node.why) {
      if (/[\r\n]/.test(node.why)) throw new UnsafeValueError("dovecot.conf", "comment", node.why, "comments must be one line");
      lines.push(`${indent}# ${node.why}`);
    }
    const nameProblem = dovecotNameProblem(node.name);
    if (nameProblem) throw new UnsafeValueError("dovecot.conf", "name", node.name, nameProblem);
    if (node.kind === "setting") {
      if (node.trusted) {
        if (/[\r\n]/.test(node.value)) throw new UnsafeValueError("dovecot.conf", node.name, node.value, "one line");
      } else {
        checkPlain(node.name, node.value);
      }
      lines.push(`${indent}${node.name} = ${node.value}`.trimEnd());
    } else {
      if (node.label !== undefined && !/^[A-Za-z0-9_./:-]+$/.test(node.label)) {
        throw new UnsafeValueError("dovecot.conf", `${node.name} label`, node.label, "labels are one word");
      }
      lines.push(`${indent}${node.name}${node.label === undefined ? "" : ` ${node.label}`} {`);
      format(node.children, depth + 1, lines);
      lines.push(`${indent}}`);
    }
  }
}

/** Format a dovecot.conf: header, then top-level sections separated by blank lines. */
export function formatDovecotConf(header: string, sections: ReadonlyArray<{ title: string; nodes: readonly DovecotNode[] }>): string {
  const lines = [header];
  for (const section of sections) {
    if (section.nodes.length === 0) continue;
    lines.push("", `# == ${section.title} ==`);
    format(section.nodes, 0, lines);
  }
  return `${lines.join("\n")}\n`;
}
