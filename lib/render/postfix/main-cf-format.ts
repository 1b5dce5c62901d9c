/**
 * main.cf as data: sections of settings, each with an optional reason, formatted in one
 * place. Booleans become yes/no, lists are joined with ", ", numbers are written plainly.
 *
 * Every value is checked for main.cf syntax before it is written: no line breaks (a new
 * line would start a new setting), no leading blank (it would continue the previous line),
 * nothing that is not printable ASCII.
 */
import { postconfNameProblem, postconfText, postconfValueProblem, type PostconfValue } from "../../model/config-syntax";
import { UnsafeValueError } from "../rendered-file";

export type { PostconfValue } from "../../model/config-syntax";

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

/** Format one value as main.cf text. */
export function formatPostconfValue(name: string, value: PostconfValue): string {
  const text = postconfText(value);
  const problem = postconfValueProblem(text);
  if (problem) throw new UnsafeValueError("main.cf", name, text, problem);
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
      const nameProblem = postconfNameProblem(setting.name);
      if (nameProblem) throw new UnsafeValueError("main.cf", "parameter name", setting.name, nameProblem);
      if (seen.has(setting.name)) throw new Error(`main.cf: ${setting.name} is set twice`);
      seen.add(setting.name);
      if (setting.why) lines.push(formatComment(setting.why));
      const value = formatPostconfValue(setting.name, setting.value);
      lines.push(value === "" ? `${setting.name} =` : `${setting.name} = ${value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
