/** The seed example as test input: fresh, mutable copies of its model. */
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import type { PlatformIssue } from "../../lib/model/issues";
import type { PlatformInput, PlatformSpec } from "../../lib/model/schema";
import { parsePlatform, validatePlatform } from "../../lib/validation/validate";
import { plan } from "../../lib/plan/plan";
import type { Plan } from "../../lib/plan/types";
import { renderHost, renderPlatform, type HostFiles } from "../../lib/render/host-files";

/** Path of the seed example. */
export const EXAMPLE_FILE = join(__dirname, "..", "..", "examples", "customer-groups", "platform.yaml");

/** A fresh copy of the example's input, to mutate in a test. */
export function exampleInput(): PlatformInput {
  return parse(readFileSync(EXAMPLE_FILE, "utf8")) as PlatformInput;
}

/** The example, optionally changed, validated. */
export function exampleSpec(change?: (input: PlatformInput) => void): PlatformSpec {
  const input = exampleInput();
  change?.(input);
  return parsePlatform(input);
}

/** The plan of the example, optionally changed. */
export function examplePlan(change?: (input: PlatformInput) => void): Plan {
  return plan(exampleSpec(change));
}

/** The rendered files of the example, optionally changed. */
export function renderExample(change?: (input: PlatformInput) => void): HostFiles[] {
  return renderPlatform(examplePlan(change));
}

/** The first host's rendered files of the example, changed, by path. */
export function firstHostFiles(change?: (input: PlatformInput) => void): Map<string, string> {
  const p = plan(exampleSpec(change));
  return new Map(renderHost(p, p.hosts[0]!).files.map((f) => [f.path, f.content]));
}

/** What validation says of the example after `change` (nothing when it is valid). */
export function exampleProblems(change: (input: PlatformInput) => void): PlatformIssue[] {
  const input = exampleInput();
  change(input);
  const result = validatePlatform(input);
  return result.ok ? [] : [...result.issues];
}

/** The text of one rendered file of one host (first host by default). */
export function fileText(hosts: readonly HostFiles[], path: string, host?: string): string {
  const entry = host === undefined ? hosts[0] : hosts.find((h) => h.host === host);
  const file = entry?.files.find((f) => f.path === path);
  if (!file) throw new Error(`no rendered file ${path} for host ${host ?? hosts[0]?.host}`);
  return file.content;
}

/** The `name = value` settings of a main.cf text, as a map. */
export function mainCfSettings(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z0-9_-]+) =(?: (.*))?$/.exec(line);
    if (match) settings.set(match[1]!, match[2] ?? "");
  }
  return settings;
}

/** The entries of a master.cf text: service, type, command and its -o options. */
export interface MasterCfEntry {
  readonly service: string;
  readonly type: string;
  readonly chroot: string;
  readonly maxproc: string;
  readonly command: string;
  readonly options: Map<string, string>;
}

/** Parse master.cf text into entries (continuation lines carry -o options). */
export function masterCfEntries(text: string): MasterCfEntry[] {
  const entries: MasterCfEntry[] = [];
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line) || line.trim() === "") continue;
    if (/^\s/.test(line)) {
      const option = /^\s+-o ([^=]+)=(.*)$/.exec(line);
      if (!option) throw new Error(`unexpected continuation line: ${line}`);
      entries[entries.length - 1]!.options.set(option[1]!, option[2]!);
      continue;
    }
    const [service, type, , , chroot, , maxproc, command] = line.split(/\s+/);
    entries.push({ service: service!, type: type!, chroot: chroot!, maxproc: maxproc!, command: command!, options: new Map() });
  }
  return entries;
}
