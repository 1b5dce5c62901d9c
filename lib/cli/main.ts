/**
 * The `mail-platform` command line. `run` never throws and never prints a stack trace
 * (unless MAIL_PLATFORM_DEBUG is set): every outcome is a message and an exit code.
 * Failures are told apart by type: a usage error exits 2, any other {@link UserError} exits 1,
 * and every other error is a defect of mail-platform (exit 70).
 */
import { isUserError } from "../errors";
import { renderCommand, validateCommand, zoneCommand } from "./commands";
import { groupPauseCommand, groupResumeCommand } from "./group-commands";
import { localApplyCommand, localDownCommand, localUpCommand } from "./local-commands";
import { rehearseCommand } from "./rehearse-command";
import { userListCommand, userPasswdCommand, userRemoveCommand } from "./user-commands";
import { EXIT, UsageError, type CliIo } from "./io";
import { COMMAND_HELP, MAIN_HELP } from "./usage";

type Command = (args: string[], io: CliIo, help: string) => number | Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  validate: validateCommand,
  render: renderCommand,
  zone: zoneCommand,
  "local up": localUpCommand,
  "local down": localDownCommand,
  "local apply": localApplyCommand,
  rehearse: rehearseCommand,
  "group pause": groupPauseCommand,
  "group resume": groupResumeCommand,
  "user passwd": userPasswdCommand,
  "user list": userListCommand,
  "user remove": userRemoveCommand,
};

/** Commands with subcommands: `local up`, `user passwd`, … */
const GROUPS = new Set(["local", "user", "group"]);

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Run the CLI with arguments (without `node` and the script) and return the exit code. */
export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let [command, ...args] = argv;
  try {
    if (command === undefined || command === "-h" || command === "--help" || command === "help") {
      io[command === undefined ? "err" : "out"](MAIN_HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (GROUPS.has(command)) {
      const [sub, ...rest] = args;
      if (sub === undefined || sub === "-h" || sub === "--help") {
        io[sub === undefined ? "err" : "out"](COMMAND_HELP[command]!);
        return sub === undefined ? EXIT.usage : EXIT.ok;
      }
      command = `${command} ${sub}`;
      args = rest;
    }
    const handler = COMMANDS[command];
    if (!handler) throw new UsageError(`unknown command "${command}"`);
    return await handler(args, io, COMMAND_HELP[command]!);
  } catch (error) {
    if (error instanceof UsageError) {
      const hint = error.command ? `mail-platform ${error.command} --help` : "mail-platform --help";
      io.err(`mail-platform: ${error.message}\nSee: ${hint}\n`);
      return EXIT.usage;
    }
    if (isUserError(error)) {
      io.err(`mail-platform: ${error.message}\n`);
      return EXIT.invalid;
    }
    const detail = process.env.MAIL_PLATFORM_DEBUG ? `\n${(error as Error).stack}` : "";
    io.err(
      `mail-platform: internal error: ${(error as Error).message}${detail}\nThis is a bug in mail-platform; please report it with the input that caused it.\n`,
    );
    return EXIT.internal;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
