/** `mail-platform local up|down|apply`: run hosts of a platform on this machine for trying and testing. */
import { resolve } from "path";
import { parseArgs } from "util";
import { DEFAULT_LOOPBACK_BLOCK } from "../local/conventions";
import { isUserError } from "../errors";
import { localApply } from "../local/apply";
import { checkLocalLimits } from "../local/limits";
import { DEFAULT_STATE_DIR, readLocalState } from "../local/state";
import { localDown } from "../local/stop";
import { localUp } from "../local/up";
import { EXIT, UsageError, type CliIo } from "./io";
import { loadPlatformFile } from "./read-platform";

function parse<T>(command: string, parser: () => T): T {
  try {
    return parser();
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

/** `mail-platform local up <file> [--host NAME] [--state-dir DIR] [--loopback 127.X.Y | --join DIR] [--users FILE]`. */
export async function localUpCommand(args: string[], io: CliIo, help: string): Promise<number> {
  const { values, positionals } = parse("local up", () =>
    parseArgs({
      args,
      options: {
        help: { type: "boolean", short: "h" },
        host: { type: "string" },
        "state-dir": { type: "string" },
        loopback: { type: "string" },
        join: { type: "string" },
        users: { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? "missing <file>" : `expected one <file>, got ${positionals.length}`, "local up");
  const stateDir = values["state-dir"] ?? DEFAULT_STATE_DIR;
  if (values.join !== undefined) {
    // A joining instance shares the block of the instance it joins, and needs a directory of its own.
    if (values.loopback !== undefined) throw new UsageError("--join takes the loopback block of the instance it joins; leave out --loopback", "local up");
    if (values["state-dir"] === undefined) throw new UsageError("--join needs --state-dir: the joining instance's own directory", "local up");
    if (resolve(values.join) === resolve(stateDir))
      throw new UsageError("--join and --state-dir name the same directory; the joining instance needs its own", "local up");
  }
  const spec = loadPlatformFile(io, positionals[0]!, "local up");
  if (!spec) return EXIT.invalid;
  try {
    const loopbackBlock = values.join === undefined ? (values.loopback ?? DEFAULT_LOOPBACK_BLOCK) : readLocalState(values.join).loopbackBlock;
    // Before localUp, which clears the state directory first.
    checkLocalLimits(spec, loopbackBlock);
    const info = await localUp(spec, {
      ...(values.host === undefined ? {} : { host: values.host }),
      stateDir,
      ...(values.join === undefined ? { loopbackBlock } : { join: values.join }),
      ...(values.users === undefined ? {} : { usersFile: values.users }),
      log: (line) => io.err(`local up: ${line}\n`),
    });
    io.out(`${JSON.stringify(info)}\n`);
    return EXIT.ok;
  } catch (error) {
    if (isUserError(error)) {
      io.err(`mail-platform local up: ${error.message}\n`);
      return EXIT.invalid;
    }
    throw error;
  }
}

/** `mail-platform local down [--state-dir DIR]`. */
export async function localDownCommand(args: string[], io: CliIo, help: string): Promise<number> {
  const { values, positionals } = parse("local down", () =>
    parseArgs({ args, options: { help: { type: "boolean", short: "h" }, "state-dir": { type: "string" } }, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals.join(" ")}`, "local down");
  try {
    const result = await localDown(values["state-dir"] ?? DEFAULT_STATE_DIR);
    io.err(`local down: stopped ${result.stopped} processes of ${result.stateDir}\n`);
    for (const dir of result.joinedStillRunning) {
      io.err(`local down: ${dir} joined this instance and still runs, now without its DNS server; stop it with: mail-platform local down --state-dir ${dir}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    if (isUserError(error)) {
      io.err(`mail-platform local down: ${error.message}\n`);
      return EXIT.invalid;
    }
    throw error;
  }
}

/** `mail-platform local apply <file> [--state-dir DIR] [--users FILE]`. */
export async function localApplyCommand(args: string[], io: CliIo, help: string): Promise<number> {
  const { values, positionals } = parse("local apply", () =>
    parseArgs({
      args,
      options: { help: { type: "boolean", short: "h" }, "state-dir": { type: "string" }, users: { type: "string" } },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? "missing <file>" : `expected one <file>, got ${positionals.length}`, "local apply");
  const spec = loadPlatformFile(io, positionals[0]!, "local apply");
  if (!spec) return EXIT.invalid;
  const stateDir = values["state-dir"] ?? DEFAULT_STATE_DIR;
  try {
    checkLocalLimits(spec, readLocalState(stateDir).loopbackBlock);
    const result = localApply(spec, { stateDir, ...(values.users === undefined ? {} : { usersFile: values.users }) });
    io.err(result.log);
    if (result.status === 0) {
      io.out(`${JSON.stringify({ applied: result.bundleId })}\n`);
      return EXIT.ok;
    }
    io.err(`mail-platform local apply: the change was not applied (apply script exit ${result.status}); the previous configuration serves\n`);
    return EXIT.invalid;
  } catch (error) {
    if (isUserError(error)) {
      io.err(`mail-platform local apply: ${error.message}\n`);
      return EXIT.invalid;
    }
    throw error;
  }
}
