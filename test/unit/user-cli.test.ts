/**
 * `mail-platform user`: argument handling, the address checks (an alias, a role address, an unknown
 * domain or mailbox are refused with the reason), the password rules, the no-echo prompt and the
 * stdin line, the printed aws command, and AWS failures turned into plain errors. AWS itself is
 * not reached here: the store is a recorder that fails the test if it is written to unexpectedly
 * (the real SDK against the SSM stand-in: test/integration/users/user-commands.test.ts).
 */
import { mkdtempSync, writeFileSync } from "fs";
import { PassThrough, Readable } from "stream";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { verify } from "@node-rs/argon2";
import { isUserError } from "../../lib/errors";
import { run } from "../../lib/cli/main";
import { promptHidden, promptNewPassword, readFirstLine, type TerminalInput } from "../../lib/cli/password-input";
import { userPasswdCommand, userRemoveCommand, type UserCommandDeps } from "../../lib/cli/user-commands";
import { explainAwsFailure } from "../../lib/users/aws-failure";
import { dovecotPasswordHash, passwordProblem } from "../../lib/users/password-hash";
import type { PasswordParameterStore } from "../../lib/users/parameter-store";
import { putParameterCommandLine, shellQuote } from "../../lib/users/put-parameter-command";
import type { PlatformInput } from "../../lib/model/schema";
import { exampleInput } from "../support/example";

const ALICE = "alice@acme-corp.example";

function platformFile(): string {
  const input = exampleInput() as PlatformInput & Record<string, unknown>;
  const groups = input.groups as unknown as Array<Record<string, unknown>>;
  input.accounts = { roleMailbox: "desk@acme-corp.example" } as never;
  groups[0]!.mailboxes = [{ address: ALICE }, { address: "desk@acme-corp.example" }, { address: "reports@acme-corp.example" }];
  groups[0]!.aliases = [
    { address: "sales@acme-corp.example", to: [ALICE, "partner@elsewhere.example"] },
    { address: "dmarc-reports@acme-corp.example", to: ["reports@acme-corp.example"] },
    { address: "tls-reports@acme-corp.example", to: ["reports@acme-corp.example"] },
  ];
  const file = join(mkdtempSync(join(tmpdir(), "user-cli-unit-")), "platform.yaml");
  writeFileSync(file, stringify(input));
  return file;
}

const FILE = platformFile();

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** A store that records and refuses to be written to unless allowed. */
function recorder(allowWrites = false) {
  const calls: string[] = [];
  const store: PasswordParameterStore = {
    region: () => (calls.push("region"), Promise.resolve("eu-central-1")),
    put: (name) => {
      calls.push(`put ${name}`);
      if (!allowWrites) throw new Error("the store must not be written to");
      return Promise.resolve(1);
    },
    remove: (name) => (calls.push(`remove ${name}`), Promise.resolve("absent")),
    namesUnder: (path) => (calls.push(`list ${path}`), Promise.resolve([])),
  };
  return { calls, store };
}

async function passwd(args: string[], password: string, store = recorder().store) {
  let out = "";
  let err = "";
  const deps: UserCommandDeps = { readPassword: () => Promise.resolve(password), store: () => store };
  const io = { out: (t: string) => (out += t), err: (t: string) => (err += t) };
  try {
    return { code: await userPasswdCommand(args, io, "help", deps), out, err };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { code: error.name === "UsageError" ? 2 : 1, out, err: `${err}${error.message}` };
  }
}

describe("arguments", () => {
  test("user alone prints its help on stderr and exits 2; --help exits 0; an unknown subcommand is a usage error", async () => {
    expect(await cli("user")).toMatchObject({ code: 2, out: "", err: expect.stringContaining("Usage: mail-platform user passwd|list|remove") });
    expect(await cli("user", "--help")).toMatchObject({ code: 0, out: expect.stringContaining("Usage: mail-platform user passwd|list|remove") });
    expect(await cli("user", "passwd", "--help")).toMatchObject({ code: 0, out: expect.stringContaining("--stdin") });
    expect(await cli("user", "rename", FILE)).toEqual({ code: 2, out: "", err: 'mail-platform: unknown command "user rename"\nSee: mail-platform --help\n' });
  });

  test.each([
    [["user", "passwd"], "missing <platform.yaml> and <address>"],
    [["user", "passwd", FILE], "missing <address>"],
    [["user", "passwd", FILE, ALICE, "extra"], `expected <platform.yaml> <address>, got 3 arguments: ${FILE} ${ALICE} extra`],
    [["user", "passwd", FILE, "alice"], '"alice" is not a mail address such as alice@example.com'],
    [["user", "passwd", FILE, ALICE, "--echo"], "Unknown option '--echo'"],
    [["user", "passwd", FILE, ALICE, "--region", "Frankfurt"], '--region "Frankfurt" is not an AWS region such as eu-central-1'],
    [["user", "passwd", "/nonexistent/platform.yaml", ALICE], "/nonexistent/platform.yaml: no such file"],
    [["user", "list"], "missing <platform.yaml>"],
    [["user", "list", FILE, ALICE], `expected <platform.yaml>, got 2 arguments: ${FILE} ${ALICE}`],
    [["user", "remove", FILE], "missing <address>"],
  ])("%j is a usage error (exit 2): %s", async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toContain(`mail-platform: ${message}`);
    expect(result.err).toContain(`See: mail-platform ${argv.slice(0, 2).join(" ")} --help`);
  });

  test("an invalid model is reported with its problems (exit 1) before anything else", async () => {
    const broken = join(mkdtempSync(join(tmpdir(), "user-cli-unit-")), "broken.yaml");
    writeFileSync(broken, "name: x\n");
    const result = await passwd([broken, ALICE], "a long enough password");
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/broken.yaml is invalid/);
  });
});

describe("only a declared mailbox has a password", () => {
  test.each([
    [
      "sales@acme-corp.example",
      "sales@acme-corp.example is an alias of group business that delivers to alice@acme-corp.example, partner@elsewhere.example: it has no password of its own; set the password of the mailbox it reaches (alice@acme-corp.example)",
    ],
    [
      "postmaster@acme-shop.example",
      "postmaster@acme-shop.example is a role address (RFC 5321 postmaster@, RFC 2142 abuse@) of group business that delivers to desk@acme-corp.example: it has no password of its own; set the password of the mailbox it reaches (desk@acme-corp.example)",
    ],
    [
      "alice@nowhere.example",
      "nowhere.example is not a domain of platform acme-mail (its domains: acme-corp.example, acme-shop.example, acme-home.example, acme-family.example)",
    ],
    [
      "carol@acme-corp.example",
      `carol@acme-corp.example is not declared as a mailbox in ${FILE}; the mailboxes of acme-corp.example: alice@acme-corp.example, desk@acme-corp.example, reports@acme-corp.example. Declare it under groups[].mailboxes of group business first`,
    ],
  ])("%s is refused (exit 1) before a password is asked for or AWS is reached", async (address, why) => {
    const { calls, store } = recorder();
    const asked: string[] = [];
    const deps: UserCommandDeps = { readPassword: (a) => (asked.push(a), Promise.resolve("a long enough password")), store: () => store };
    await expect(userPasswdCommand([FILE, address], { out: () => undefined, err: () => undefined }, "", deps)).rejects.toThrow(why);
    expect(asked).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe("the password", () => {
  test.each([
    ["empty", "", "the password is empty"],
    ["11 characters", "short pw 11", "the password has 11 characters; at least 12 are required"],
    ["a tab", "tab\tinside password", "control character"],
    ["1025 characters", "x".repeat(1025), "at most 1024"],
  ])("%s is refused and nothing is written", async (_label, password, message) => {
    const { calls, store } = recorder();
    const result = await passwd([FILE, ALICE, "--stdin"], password, store);
    expect(result.code).toBe(1);
    expect(result.err).toContain(message);
    expect(result.err).toContain("nothing was changed");
    expect(calls).toEqual(["region"]);
  });

  test("twelve characters (counted as characters, not bytes) are enough; the hash is Dovecot's ARGON2ID and verifies", async () => {
    expect(passwordProblem("ääääääääääää")).toBeUndefined();
    const hash = await dovecotPasswordHash("ääääääääääää");
    expect(hash).toMatch(/^\{ARGON2ID\}\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verify(hash.slice("{ARGON2ID}".length), "ääääääääääää")).toBe(true);
    expect(await dovecotPasswordHash("ääääääääääää")).not.toBe(hash); // a fresh salt each time
  });

  test("--print prints the aws command with the hash only (no AWS call); the note goes to stderr", async () => {
    const { calls, store } = recorder();
    const result = await passwd([FILE, ALICE, "--print"], "correct horse battery staple", store);
    expect(result.code).toBe(0);
    expect(calls).toEqual([]);
    const match =
      /^aws ssm put-parameter --type SecureString --overwrite --name \/acme-mail\/mail-users\/acme-corp.example\/alice --value '(\{ARGON2ID\}[^']+)'\n$/.exec(
        result.out,
      );
    expect(match).not.toBeNull();
    expect(await verify(match![1]!.slice("{ARGON2ID}".length), "correct horse battery staple")).toBe(true);
    expect(result.err).toBe(
      "user passwd: the command above stores the ARGON2ID hash of alice@acme-corp.example's new password (not the password) as SecureString /acme-mail/mail-users/acme-corp.example/alice\n",
    );
    expect(result.out + result.err).not.toContain("horse");
  });

  test("the printed command is quoted for a POSIX shell", () => {
    expect(shellQuote("/a/b")).toBe("/a/b");
    expect(shellQuote("it's $x")).toBe(`'it'\\''s $x'`);
    expect(putParameterCommandLine("/p/d/l", "{ARGON2ID}$a$b", "eu-west-1")).toBe(
      "aws ssm put-parameter --region eu-west-1 --type SecureString --overwrite --name /p/d/l --value '{ARGON2ID}$a$b'",
    );
  });
});

/** A stand-in terminal: what is typed arrives as data; raw mode is recorded. */
function terminal(typed: string[]): TerminalInput & { modes: boolean[] } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; modes: boolean[]; setRawMode(mode: boolean): void };
  stream.isTTY = true;
  stream.modes = [];
  stream.setRawMode = (mode) => void stream.modes.push(mode);
  const feed = typed.slice();
  const next = () => {
    const chunk = feed.shift();
    if (chunk !== undefined) setTimeout(() => (stream.write(chunk), next()), 1);
  };
  next();
  return stream;
}

describe("reading the password", () => {
  test("the prompt reads in raw mode (no echo), handles Backspace and Ctrl-U, and prints only the prompt", async () => {
    let shown = "";
    const input = terminal(["wrong", "\u0015", "secret", "\u007fT", " pass\r"]);
    expect(await promptHidden("Password: ", input, (t) => (shown += t))).toBe("secreT pass");
    expect(shown).toBe("Password: \n");
    expect(input.modes).toEqual([true, false]);
  });

  test("asked twice: both must match; a refused password is said before the second prompt; Ctrl-C cancels", async () => {
    let shown = "";
    await expect(promptNewPassword(ALICE, terminal(["a long enough password\r", "a long enough passw0rd\r"]), (t) => (shown += t))).rejects.toThrow(
      "the two passwords differ; nothing was changed",
    );
    expect(shown).toBe(`New password for ${ALICE}: \nRepeat the password: \n`);
    shown = "";
    await expect(promptNewPassword(ALICE, terminal(["short\r"]), (t) => (shown += t))).rejects.toThrow("at least 12 are required; nothing was changed");
    expect(shown).not.toContain("Repeat");
    expect(await promptNewPassword(ALICE, terminal(["a long enough password\r", "a long enough password\n"]), () => undefined)).toBe("a long enough password");
    await expect(promptHidden("P: ", terminal(["abc\u0003"]), () => undefined)).rejects.toThrow("cancelled");
  });

  test("without a terminal the prompt refuses and names --stdin", async () => {
    await expect(promptHidden("P: ", Readable.from([]) as TerminalInput, () => undefined)).rejects.toThrow(/not a terminal.*--stdin/);
  });

  test("--stdin takes the first line, without its CR LF", async () => {
    expect(await readFirstLine(Readable.from([Buffer.from("pass"), Buffer.from("word one\r\nsecond\n")]))).toBe("password one");
    expect(await readFirstLine(Readable.from([Buffer.from("no newline")]))).toBe("no newline");
    expect(await readFirstLine(Readable.from([]))).toBe("");
  });
});

describe("AWS failures are plain errors", () => {
  test.each([
    [
      { name: "AccessDeniedException", message: "User: x is not authorized", $fault: "client" },
      /^AWS refused ssm:PutParameter on \/p: User: x is not authorized \(the rights/,
    ],
    [
      { name: "CredentialsProviderError", message: "Could not load credentials from any providers" },
      /^no AWS credentials for ssm:PutParameter on \/p: set them/,
    ],
    [
      { name: "ExpiredTokenException", message: "expired", $fault: "client" },
      /^AWS refused the credentials for ssm:PutParameter on \/p: ExpiredTokenException/,
    ],
    [{ name: "Error", message: "Region is missing" }, /^no AWS region: give --region/],
    [{ name: "Error", code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1" }, /^cannot reach AWS SSM for ssm:PutParameter on \/p: ECONNREFUSED/],
    [
      { name: "ThrottlingException", message: "Rate exceeded", $fault: "client", $metadata: { httpStatusCode: 400 } },
      /^AWS SSM failed ssm:PutParameter on \/p: ThrottlingException: Rate exceeded/,
    ],
  ])("%j", (error, message) => {
    const explained = explainAwsFailure(Object.assign(new Error(error.message), error), "ssm:PutParameter on /p");
    expect(isUserError(explained)).toBe(true);
    expect((explained as Error).message).toMatch(message);
  });

  test("anything else stays a defect", () => {
    const bug = new TypeError("x is undefined");
    expect(explainAwsFailure(bug, "ssm:PutParameter on /p")).toBe(bug);
  });

  test("remove of an undeclared address without a hash is an error; of a declared one, a note", async () => {
    const { calls, store } = recorder();
    const deps: UserCommandDeps = { readPassword: () => Promise.reject(new Error("not asked")), store: () => store };
    let out = "";
    expect(await userRemoveCommand([FILE, ALICE], { out: (t) => (out += t), err: () => undefined }, "", deps)).toBe(0);
    expect(out).toContain("no password hash is stored for alice@acme-corp.example");
    await expect(userRemoveCommand([FILE, "zed@acme-corp.example"], { out: () => undefined, err: () => undefined }, "", deps)).rejects.toThrow(
      /is not declared in .* nothing to remove/,
    );
    expect(calls).toEqual(["remove /acme-mail/mail-users/acme-corp.example/alice", "remove /acme-mail/mail-users/acme-corp.example/zed"]);
  });
});
