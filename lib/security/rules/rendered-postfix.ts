/** Reading the rendered files of a MailPlatform: Postfix settings (main.cf plus master.cf overrides), any file by path. */
import type { IConstruct } from "constructs";
import { isMailPlatform } from "../brands";

/** Effective values of one parameter on one host: main.cf's and every -o override's. */
export interface PostfixSetting {
  readonly host: string;
  readonly where: string;
  readonly value: string | undefined;
}

/**
 * A file's parse, kept with the text it was made of: five rules ask for nine parameters of the
 * same files, and each file is parsed once (again only when its content was replaced).
 */
function parsedOnce<T>(cache: WeakMap<object, { content: string; parsed: T }>, file: { content: string }, parse: (text: string) => T): T {
  const kept = cache.get(file);
  if (kept && kept.content === file.content) return kept.parsed;
  const parsed = parse(file.content);
  cache.set(file, { content: file.content, parsed });
  return parsed;
}

const mainCfs = new WeakMap<object, { content: string; parsed: Map<string, string> }>();
const masterCfs = new WeakMap<object, { content: string; parsed: Array<{ service: string; name: string; value: string }> }>();

function mainCf(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z0-9_-]+) =(?: (.*))?$/.exec(line);
    if (match) settings.set(match[1]!, match[2] ?? "");
  }
  return settings;
}

/** Every `-o name=value` of master.cf, with its service, in file order. */
function overrides(text: string): Array<{ service: string; name: string; value: string }> {
  const found: Array<{ service: string; name: string; value: string }> = [];
  let service = "";
  for (const line of text.split("\n")) {
    if (/^[^\s#]/.test(line)) service = line.split(/\s+/)[0]!;
    const match = /^\s+-o ([^=]+)=(.*)$/.exec(line);
    if (match) found.push({ service, name: match[1]!, value: match[2]! });
  }
  return found;
}

/** One rendered file of every host of a MailPlatform, by path below the host root (undefined when the node is not one). */
export function renderedHostFiles(node: IConstruct, path: string): Array<{ host: string; content: string }> | undefined {
  return hostFiles(node, path)?.map(({ host, file }) => ({ host, content: file.content }));
}

/** The file itself (an empty one where a host has none), for parsing it once. */
function hostFiles(node: IConstruct, path: string): Array<{ host: string; file: { content: string } }> | undefined {
  if (!isMailPlatform(node)) return undefined;
  return node.renderedFiles.map(({ host, files }) => ({ host, file: files.find((f) => f.path === path) ?? { content: "" } }));
}

/** Every place a parameter is set for a MailPlatform (undefined when the node is not one). */
export function postfixSettings(node: IConstruct, name: string): PostfixSetting[] | undefined {
  const mains = hostFiles(node, "etc/postfix/main.cf");
  const masters = hostFiles(node, "etc/postfix/master.cf");
  if (!mains || !masters) return undefined;
  return mains.flatMap(({ host, file }, i) => [
    { host, where: "main.cf", value: parsedOnce(mainCfs, file, mainCf).get(name) },
    ...parsedOnce(masterCfs, masters[i]!.file, overrides)
      .filter((o) => o.name === name)
      .map((o) => ({ host, where: `master.cf ${o.service}`, value: o.value })),
  ]);
}
