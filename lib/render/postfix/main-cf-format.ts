/**
 * main.cf as data: sections of settings, each with an optional reason, formatted in one
 * place. Booleans become yes/no, lists are joined with ", ", numbers are written plainly.
 *
 * Every value is checked for main.cf syntax before it is written: no line breaks (a new
 * line would start a new setting), no leading blank (it would continue the previous line),
 * nothing that is not printable ASCII.
 */
import { UnsafeValueError } from "../rendered-file";

/** A main.cf value before formatting. */
export type PostconfValue = string | number | boolean | readonly string[];

/** One `name = value` line with the reason it is set. */
export interface PostconfSetting {
  /** Parameter name (postconf(5)) or `<transport>_<parameter>`. */
  readonly name: string;
  /** The value. */
  readonly value: PostconfValue;
  /** Why this value, shown as a comment above it. */
  readonly why?: string;
}

/** A titled group of settings. */
export interface PostconfSection {
  /** Section title, shown as a `## title` comment. */
  readonly title: string;
  /** The settings, in the order written. */
  readonly settings: readonly PostconfSetting[];
}

const NAME = /^[a-z0-9][A-Za-z0-9_-]*$/;
const SAFE_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** Format one value as main.cf text. */
export function formatPostconfValue(name: string, value: PostconfValue): string {
  const text =
    typeof value === "boolean" ? (value ? "yes" : "no") : typeof value === "number" ? String(value) : typeof value === "string" ? value : value.join(", ");
  if (text !== "" && !SAFE_VALUE.test(text)) {
    throw new UnsafeValueError("main.cf", name, text, "values must be one line of printable ASCII without leading or trailing blanks");
  }
  return text;
}

function formatComment(text: string): string {
  if (/[\r\n]/.test(text)) throw new UnsafeValueError("main.cf", "comment", text, "comments must be one line");
  return `# ${text}`;
}

/** Format a whole main.cf: header line, then each section. */
export function formatMainCf(header: string, sections: readonly PostconfSection[]): string {
  const lines: string[] = [header];
  const seen = new Set<string>();
  for (const section of sections) {
    if (section.settings.length === 0) continue;
    lines.push("", formatComment(`== ${section.title} ==`));
    for (const setting of section.settings) {
      if (!NAME.test(setting.name)) throw new UnsafeValueError("main.cf", "parameter name", setting.name, "names are letters, digits, '_' and '-'");
      if (seen.has(setting.name)) throw new Error(`main.cf: ${setting.name} is set twice`);
      seen.add(setting.name);
      if (setting.why) lines.push(formatComment(setting.why));
      const value = formatPostconfValue(setting.name, setting.value);
      lines.push(value === "" ? `${setting.name} =` : `${setting.name} = ${value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
