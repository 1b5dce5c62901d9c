/**
 * `mail-platform group pause|resume <file> <group> [--local DIR]`: the brake on one group's
 * outbound mail. The platform file is the only source of truth: the command edits it in place
 * (groups[].outbound.paused), validates the result like any other change, and leaves the rollout
 * to the next deploy, or applies it at once to a local instance with --local.
 */
import { renameSync, statSync, writeFileSync } from "fs";
import { parseArgs } from "util";
import { isUserError } from "../errors";
import { localApply } from "../local/apply";
import { checkLocalLimits } from "../local/limits";
import { readLocalState } from "../local/state";
import type { PlatformSpec } from "../model/schema";
import { validatePlatformText } from "../validation/load";
import { setGroupPaused } from "./group-brake-edit";
import { EXIT, UsageError, type CliIo } from "./io";
import { readPlatformFile, reportIssues } from "./read-platform";

function parse<T>(command: string, parser: () => T): T {
  try {
    return parser();
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

/** Write next to the file and rename over it: a reader never sees half a file. */
function replaceFile(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text, { mode: statSync(file).mode & 0o777 });
  renameSync(temporary, file);
}

function applyLocally(io: CliIo, command: string, spec: PlatformSpec, stateDir: string): number {
  checkLocalLimits(spec, readLocalState(stateDir).loopbackBlock);
  const result = localApply(spec, { stateDir });
  io.err(result.log);
  if (result.status !== 0) {
    io.err(`mail-platform ${command}: the local instance did not take the change (apply script exit ${result.status}); the previous configuration serves\n`);
    return EXIT.invalid;
  }
  io.out(`${JSON.stringify({ applied: result.bundleId })}\n`);
  return EXIT.ok;
}

async function brakeCommand(args: string[], io: CliIo, help: string, paused: boolean): Promise<number> {
  const command = paused ? "group pause" : "group resume";
  const { values, positionals } = parse(command, () =>
    parseArgs({ args, options: { help: { type: "boolean", short: "h" }, local: { type: "string" } }, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  if (positionals.length !== 2)
    throw new UsageError(
      positionals.length < 2
        ? `missing ${positionals.length === 0 ? "<file> and <group>" : "<group>"}`
        : `expected <file> <group>, got ${positionals.length} arguments`,
      command,
    );
  const [file, group] = positionals as [string, string];
  const before = validatePlatformText(readPlatformFile(file, command));
  if (!before.ok) {
    reportIssues(io, file, before.issues);
    return EXIT.invalid;
  }
  const names = before.spec.groups.map((g) => g.name);
  if (!names.includes(group)) {
    io.err(`mail-platform ${command}: ${file} has no group "${group}"; its groups: ${names.join(", ")}\n`);
    return EXIT.invalid;
  }
  try {
    // A wrong --local fails before the file changes.
    if (values.local !== undefined) readLocalState(values.local);
    const text = readPlatformFile(file, command).toString("utf8");
    const edit = setGroupPaused(text, group, paused, file, /\.json$/i.test(file));
    let spec = before.spec;
    if (edit.unchanged) {
      io.err(`${command}: group ${group} is already ${paused ? "paused" : "not paused"} in ${file}; the file is unchanged\n`);
    } else {
      const after = validatePlatformText(edit.text);
      if (!after.ok) {
        reportIssues(io, file, after.issues);
        return EXIT.invalid;
      }
      spec = after.spec;
      replaceFile(file, edit.text);
      io.err(
        `${command}: group ${group} ${paused ? "paused: its outbound mail waits in the queue" : "resumed: its waiting mail is delivered"} once the change is rolled out` +
          `${values.local === undefined ? " (deploy, or --local for a local instance)" : ""}\n`,
      );
    }
    return values.local === undefined ? EXIT.ok : applyLocally(io, command, spec, values.local);
  } catch (error) {
    if (isUserError(error)) {
      io.err(`mail-platform ${command}: ${error.message}\n`);
      return EXIT.invalid;
    }
    throw error;
  }
}

/** `mail-platform group pause <file> <group> [--local DIR]`. */
export function groupPauseCommand(args: string[], io: CliIo, help: string): Promise<number> {
  return brakeCommand(args, io, help, true);
}

/** `mail-platform group resume <file> <group> [--local DIR]`. */
export function groupResumeCommand(args: string[], io: CliIo, help: string): Promise<number> {
  return brakeCommand(args, io, help, false);
}
