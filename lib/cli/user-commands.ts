/**
 * `mail-platform user passwd|list|remove`: the password hashes of the model's mailboxes, kept in
 * SSM Parameter Store at `plan.accounts.mailboxes[].passwordParameter`. Passwords are read without
 * echo and never printed or logged; the hash is printed only by `passwd --print`, as the command
 * that stores it.
 */
import { parseArgs } from "util";
import { UserError } from "../errors";
import { accountsPlan, passwordParameterName } from "../plan/accounts";
import { ssmPasswordStore, type PasswordParameterStore } from "../users/parameter-store";
import { dovecotPasswordHash, passwordProblem } from "../users/password-hash";
import { putParameterCommandLine } from "../users/put-parameter-command";
import { EXIT, UsageError, type CliIo } from "./io";
import { declaredMailbox, lookUpMailbox, normalizedAddress } from "./mailbox-lookup";
import { promptNewPassword, readFirstLine } from "./password-input";
import { loadPlatformFile } from "./read-platform";

/** What the user commands reach outside the process; tests pass their own. */
export interface UserCommandDeps {
  /** The new password: the first line of standard input, or asked twice on the terminal. */
  readPassword(address: string, fromStdin: boolean, io: CliIo): Promise<string>;
  /** The parameter store of a region (undefined: the SDK's chain decides). */
  store(region: string | undefined): PasswordParameterStore;
}

/** The process's standard input and AWS through the SDK. */
export const PROCESS_USER_DEPS: UserCommandDeps = {
  readPassword: (address, fromStdin, io) => (fromStdin ? readFirstLine(process.stdin) : promptNewPassword(address, process.stdin, (t) => io.err(t))),
  store: (region) => ssmPasswordStore(region === undefined ? {} : { region }),
};

const OPTIONS = { help: { type: "boolean", short: "h" }, region: { type: "string" } } as const;

function parse<T>(command: string, parser: () => T): T {
  try {
    return parser();
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

/** `<platform.yaml>` and, when asked for, `<address>` (lower-cased as the model writes it). */
function positionalsOf(command: string, positionals: string[], withAddress: boolean): { file: string; address: string } {
  const expected = withAddress ? ["<platform.yaml>", "<address>"] : ["<platform.yaml>"];
  if (positionals.length < expected.length) throw new UsageError(`missing ${expected.slice(positionals.length).join(" and ")}`, command);
  if (positionals.length > expected.length)
    throw new UsageError(`expected ${expected.join(" ")}, got ${positionals.length} arguments: ${positionals.join(" ")}`, command);
  const file = positionals[0]!;
  if (!withAddress) return { file, address: "" };
  const address = normalizedAddress(positionals[1]!);
  if (address === undefined) throw new UsageError(`"${positionals[1]}" is not a mail address such as alice@example.com`, command);
  return { file, address };
}

function regionOf(command: string, region: string | undefined): string | undefined {
  if (region !== undefined && !/^[a-z]{2}(?:-[a-z]+)+-\d$/.test(region))
    throw new UsageError(`--region "${region}" is not an AWS region such as eu-central-1`, command);
  return region;
}

/** `mail-platform user passwd <platform.yaml> <address> [--stdin] [--print] [--region REGION]`. */
export async function userPasswdCommand(args: string[], io: CliIo, help: string, deps: UserCommandDeps = PROCESS_USER_DEPS): Promise<number> {
  const command = "user passwd";
  const { values, positionals } = parse(command, () =>
    parseArgs({ args, options: { ...OPTIONS, stdin: { type: "boolean" }, print: { type: "boolean" } }, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  const { file, address } = positionalsOf(command, positionals, true);
  const region = regionOf(command, values.region);
  const spec = loadPlatformFile(io, file, command);
  if (!spec) return EXIT.invalid;
  const { mailbox } = declaredMailbox(spec, file, address);
  // Known before the password is asked for, so that a missing region does not waste it.
  const store = values.print ? undefined : deps.store(region);
  const storeRegion = store ? await store.region() : undefined;
  const password = await deps.readPassword(address, values.stdin === true, io);
  const problem = passwordProblem(password);
  if (problem !== undefined) throw new UserError(`${problem}; nothing was changed`);
  const hash = await dovecotPasswordHash(password);
  if (!store) {
    io.out(`${putParameterCommandLine(mailbox.passwordParameter, hash, region)}\n`);
    io.err(
      `user passwd: the command above stores the ARGON2ID hash of ${address}'s new password (not the password) as SecureString ${mailbox.passwordParameter}\n`,
    );
    return EXIT.ok;
  }
  const version = await store.put(mailbox.passwordParameter, hash);
  io.out(
    `stored the ARGON2ID hash of ${address}'s password as SecureString ${mailbox.passwordParameter} (version ${version}, region ${storeRegion}); ` +
      `the hosts use it from their next user sync\n`,
  );
  return EXIT.ok;
}

/** `mail-platform user list <platform.yaml> [--json] [--region REGION]`. */
export async function userListCommand(args: string[], io: CliIo, help: string, deps: UserCommandDeps = PROCESS_USER_DEPS): Promise<number> {
  const command = "user list";
  const { values, positionals } = parse(command, () =>
    parseArgs({ args, options: { ...OPTIONS, json: { type: "boolean" } }, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  const { file } = positionalsOf(command, positionals, false);
  const region = regionOf(command, values.region);
  const spec = loadPlatformFile(io, file, command);
  if (!spec) return EXIT.invalid;
  const accounts = accountsPlan(spec);
  const stored = new Set(await deps.store(region).namesUnder(accounts.passwordParameterPrefix));
  const rows = accounts.mailboxes.map((m) => ({
    address: m.address,
    group: m.group,
    quotaMb: m.quotaMb ?? null,
    passwordSet: stored.has(m.passwordParameter),
  }));
  const declared = new Set(accounts.mailboxes.map((m) => m.passwordParameter));
  const undeclared = [...stored].filter((name) => !declared.has(name)).sort();
  if (values.json) {
    io.out(`${JSON.stringify({ prefix: accounts.passwordParameterPrefix, mailboxes: rows, undeclaredParameters: undeclared }, null, 2)}\n`);
    return EXIT.ok;
  }
  const table = [
    ["ADDRESS", "GROUP", "QUOTA", "PASSWORD"],
    ...rows.map((r) => [r.address, r.group, r.quotaMb === null ? "unlimited" : `${r.quotaMb} MiB`, r.passwordSet ? "set" : "not set (cannot log in)"]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
  io.out(`${rows.length === 0 ? `no mailboxes are declared in ${file}\n` : `${lines.join("\n")}\n`}`);
  if (undeclared.length > 0)
    io.out(
      `\nhashes under ${accounts.passwordParameterPrefix} of no declared mailbox (delete with mail-platform user remove):\n${undeclared.map((n) => `  ${n}`).join("\n")}\n`,
    );
  return EXIT.ok;
}

/** `mail-platform user remove <platform.yaml> <address> [--region REGION]`. */
export async function userRemoveCommand(args: string[], io: CliIo, help: string, deps: UserCommandDeps = PROCESS_USER_DEPS): Promise<number> {
  const command = "user remove";
  const { values, positionals } = parse(command, () => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }));
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  const { file, address } = positionalsOf(command, positionals, true);
  const region = regionOf(command, values.region);
  const spec = loadPlatformFile(io, file, command);
  if (!spec) return EXIT.invalid;
  const { accounts, mailbox } = lookUpMailbox(spec, file, address);
  // A mailbox already taken out of the model still has its parameter at the model's prefix.
  const parameter = mailbox?.passwordParameter ?? passwordParameterName(accounts.passwordParameterPrefix, address);
  const outcome = await deps.store(region).remove(parameter);
  if (outcome === "absent") {
    if (!mailbox) throw new UserError(`${address} is not declared in ${file} and has no password hash (${parameter} does not exist): nothing to remove`);
    io.out(`no password hash is stored for ${address} (${parameter} does not exist): it cannot log in already\n`);
    return EXIT.ok;
  }
  const declared = mailbox
    ? `It is still declared in ${file}, so it still receives mail: remove it from groups[].mailboxes of group ${mailbox.group} (and deploy) to delete the mailbox itself.`
    : `Its mailbox is not declared in ${file}.`;
  io.out(
    `deleted ${parameter}: ${address} can no longer log in once the hosts have synced their users. ${declared} ` +
      `Mail already delivered to it is kept on the host (its Maildir is never deleted).\n`,
  );
  return EXIT.ok;
}
