/** Reading the rendered files of a MailPlatform: Postfix settings (main.cf plus master.cf overrides), any file by path. */
import type { IConstruct } from "constructs";
import { isMailPlatform } from "../brands";

/** Effective values of one parameter on one host: main.cf's and every -o override's. */
export interface PostfixSetting {
  readonly host: string;
  readonly where: string;
  readonly value: string | undefined;
}

function mainCf(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z0-9_-]+) =(?: (.*))?$/.exec(line);
    if (match) settings.set(match[1]!, match[2] ?? "");
  }
  return settings;
}

function overrides(text: string, name: string): Array<{ service: string; value: string }> {
  const found: Array<{ service: string; value: string }> = [];
  let service = "";
  for (const line of text.split("\n")) {
    if (/^[^\s#]/.test(line)) service = line.split(/\s+/)[0]!;
    const match = /^\s+-o ([^=]+)=(.*)$/.exec(line);
    if (match && match[1] === name) found.push({ service, value: match[2]! });
  }
  return found;
}

/** One rendered file of every host of a MailPlatform, by path below the host root (undefined when the node is not one). */
export function renderedHostFiles(node: IConstruct, path: string): Array<{ host: string; content: string }> | undefined {
  if (!isMailPlatform(node)) return undefined;
  return node.renderedFiles.map(({ host, files }) => ({ host, content: files.find((f) => f.path === path)?.content ?? "" }));
}

/** Every place a parameter is set for a MailPlatform (undefined when the node is not one). */
export function postfixSettings(node: IConstruct, name: string): PostfixSetting[] | undefined {
  const mains = renderedHostFiles(node, "etc/postfix/main.cf");
  const masters = renderedHostFiles(node, "etc/postfix/master.cf");
  if (!mains || !masters) return undefined;
  return mains.flatMap(({ host, content }, i) => [
    { host, where: "main.cf", value: mainCf(content).get(name) },
    ...overrides(masters[i]!.content, name).map((o) => ({ host, where: `master.cf ${o.service}`, value: o.value })),
  ]);
}
