/**
 * `mail-platform user` against the rehearsal's SSM stand-in with the real AWS SDK over HTTP:
 * SigV4 checked, every call authorized by the operator's policy (the one the README gives), the
 * hash stored as SecureString under the aws/ssm key and verified by this machine's Dovecot
 * (`doveadm pw -t`, libsodium), listed without decryption, deleted; refusals by IAM and bad
 * credentials are plain errors, never stack traces; no password or hash reaches the output.
 * The stand-in listens on 127.0.0.1, on a port the kernel picks.
 */
import { spawn, spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { isUserError } from "../../../lib/errors";
import { run } from "../../../lib/cli/main";
import { DeleteParameterCommand, GetParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { userPasswdCommand, PROCESS_USER_DEPS } from "../../../lib/cli/user-commands";
import { COMMAND_HELP } from "../../../lib/cli/usage";
import type { PlatformInput } from "../../../lib/model/schema";
import { exampleInput } from "../../support/example";
import { OPERATOR_ACCOUNT, operatorPolicy, startOperatorSsm, type OperatorSsm } from "../../support/operator-ssm";

const REGION = "eu-central-1";
const BIN = join(__dirname, "..", "..", "..", "bin", "mail-platform.js");
const PREFIX = "/acme-mail/mail-users";
const ALICE = "alice@acme-corp.example";
const ALICE_PARAMETER = `${PREFIX}/acme-corp.example/alice`;
const PASSWORD = "correct horse battery staple";
const parameterArn = (path: string) => `arn:aws:ssm:${REGION}:${OPERATOR_ACCOUNT}:parameter${path}`;

/** The operator policy of the README, "Mailbox passwords". */
const README_POLICY = operatorPolicy("mail-operator", [
  { Sid: "MailboxPasswords", Effect: "Allow", Action: ["ssm:PutParameter", "ssm:DeleteParameter"], Resource: parameterArn(`${PREFIX}/*`) },
  { Sid: "ListMailboxPasswords", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: parameterArn(PREFIX) },
]);

let dir: string;
let file: string;
let standIn: OperatorSsm;
const savedEnv = { ...process.env };

function platformInput(): PlatformInput {
  const input = exampleInput() as PlatformInput & Record<string, unknown>;
  const groups = input.groups as unknown as Array<Record<string, unknown>>;
  // Only the accounts below: what the example declares itself is cleared first.
  for (const group of input.groups) {
    group.aliases = [];
    delete group.roleMailbox;
    for (const domain of group.domains) delete domain.catchAll;
  }
  input.accounts = { roleMailbox: "desk@acme-corp.example" } as never;
  input.mailbox = { ...(input.mailbox ?? {}), defaultQuotaMb: 2048 } as never;
  groups[0]!.mailboxes = [{ address: ALICE, quotaMb: 1024 }, { address: "desk@acme-corp.example" }, { address: "reports@acme-corp.example" }];
  groups[0]!.aliases = [
    { address: "dmarc-reports@acme-corp.example", to: ["reports@acme-corp.example"] },
    { address: "tls-reports@acme-corp.example", to: ["reports@acme-corp.example"] },
  ];
  groups[1]!.mailboxes = [{ address: "bob@acme-home.example" }];
  return input;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "user-cli-"));
  file = join(dir, "platform.yaml");
  writeFileSync(file, stringify(platformInput()));
  standIn = await startOperatorSsm(REGION, "127.0.0.1", [README_POLICY]);
  // The SDK's chain reads the environment; the machine's own ~/.aws must not take part.
  Object.assign(process.env, standIn.env(), { AWS_CONFIG_FILE: join(dir, "no-config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials") });
});

afterAll(async () => {
  process.env = savedEnv;
  await standIn?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => standIn.setPolicies([README_POLICY]));

/** The binary as a separate process, with the password on standard input (asynchronous: the stand-in runs in this process). */
function bin(args: string[], input: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: process.env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** `user passwd` in this process with a given password (standing in for the terminal); a UserError reported as run() reports it. */
async function passwd(address: string, password: string, ...extra: string[]) {
  let out = "";
  let err = "";
  const io = { out: (t: string) => (out += t), err: (t: string) => (err += t) };
  const deps = { ...PROCESS_USER_DEPS, readPassword: () => Promise.resolve(password) };
  const code = await userPasswdCommand([file, address, ...extra], io, COMMAND_HELP["user passwd"]!, deps).catch((error: unknown) => {
    if (!isUserError(error)) throw error;
    io.err(`mail-platform: ${error.message}\n`);
    return 1;
  });
  return { code, out, err };
}

function doveadmVerifies(hash: string, password: string): boolean {
  const result = spawnSync("doveadm", ["pw", "-t", hash, "-p", password], { encoding: "utf8" });
  if (result.error) throw result.error;
  return result.status === 0 && result.stdout.includes("(verified)");
}

const stored = (name: string) => standIn.ssm.get(name);

describe("user passwd", () => {
  test("the binary reads the first line of stdin and stores Dovecot's ARGON2ID hash as SecureString (aws/ssm), which doveadm verifies", async () => {
    const result = await bin(["user", "passwd", file, "Alice@Acme-Corp.example", "--stdin"], `${PASSWORD}\nsecond line ignored\n`);
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toBe(
      `stored the ARGON2ID hash of ${ALICE}'s password as SecureString ${ALICE_PARAMETER} (version 1, region ${REGION}); the hosts use it from their next user sync\n`,
    );
    const parameter = stored(ALICE_PARAMETER)!;
    expect(parameter.type).toBe("SecureString");
    expect(parameter.key?.alias).toBe("alias/aws/ssm");
    expect(parameter.value).toMatch(/^\{ARGON2ID\}\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(doveadmVerifies(parameter.value, PASSWORD)).toBe(true);
    expect(doveadmVerifies(parameter.value, `${PASSWORD}!`)).toBe(false);
    expect(doveadmVerifies(parameter.value, "second line ignored")).toBe(false);
    // Neither the password nor the hash is in anything printed.
    for (const secret of [PASSWORD, parameter.value, parameter.value.split("$").pop()!]) expect(result.out + result.err).not.toContain(secret);
    const put = standIn.log.calls.filter((c) => c.action === "ssm:PutParameter").pop();
    expect(put).toMatchObject({
      decision: "allowed",
      resource: parameterArn(ALICE_PARAMETER),
      principal: `arn:aws:sts::${OPERATOR_ACCOUNT}:assumed-role/mail-operator/alice`,
    });
    expect(put!.reason).toMatch(/allowed by mail-operator\/MailboxPasswords; kms:Encrypt allowed by key policy of alias\/aws\/ssm/);
  }, 60_000);

  test("a second passwd overwrites: a new version whose hash verifies the new password only", async () => {
    const before = stored(ALICE_PARAMETER)?.version ?? 0;
    await passwd(ALICE, "first password of alice");
    const first = stored(ALICE_PARAMETER)!;
    const result = await passwd(ALICE, "second password of alice");
    expect(result.code).toBe(0);
    const second = stored(ALICE_PARAMETER)!;
    expect(second.version).toBe(before + 2);
    expect(first.version).toBe(before + 1);
    expect(doveadmVerifies(second.value, "second password of alice")).toBe(true);
    expect(doveadmVerifies(second.value, "first password of alice")).toBe(false);
  }, 60_000);

  test("the printed command, run by the aws command, stores the same hash (quoting survives the shell)", async () => {
    const result = await passwd("bob@acme-home.example", "bob's 'quoted' $HOME password", "--print", "--region", REGION);
    expect(result.code).toBe(0);
    expect(standIn.ssm.get(`${PREFIX}/acme-home.example/bob`)).toBeUndefined();
    const line = result.out.trim();
    expect(line).toMatch(
      new RegExp(
        `^aws ssm put-parameter --region ${REGION} --type SecureString --overwrite --name ${PREFIX}/acme-home.example/bob --value '\\{ARGON2ID\\}\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[^']+'$`,
      ),
    );
    expect(result.out + result.err).not.toContain("quoted");
    const aws = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn("/bin/sh", ["-c", `${line} --endpoint-url ${standIn.url}`], { env: process.env });
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.on("close", (code) => resolve({ code, err }));
    });
    expect(aws).toEqual({ code: 0, err: "" });
    const parameter = standIn.ssm.get(`${PREFIX}/acme-home.example/bob`)!;
    expect(parameter.type).toBe("SecureString");
    expect(line.endsWith(`'${parameter.value}'`)).toBe(true);
    expect(doveadmVerifies(parameter.value, "bob's 'quoted' $HOME password")).toBe(true);
  }, 60_000);

  test("IAM's refusal is one plain line naming the action, the parameter and the rights (exit 1, no stack trace); nothing is stored", async () => {
    standIn.setPolicies([
      operatorPolicy("read-only", [{ Sid: "ListMailboxPasswords", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: parameterArn(PREFIX) }]),
    ]);
    const version = stored(ALICE_PARAMETER)!.version;
    const result = await bin(["user", "passwd", file, ALICE, "--stdin"], `${PASSWORD}\n`);
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toBe(
      `mail-platform: AWS refused ssm:PutParameter on ${ALICE_PARAMETER}: User: arn:aws:sts::${OPERATOR_ACCOUNT}:assumed-role/mail-operator/alice ` +
        `is not authorized to perform: ssm:PutParameter on resource: ${parameterArn(ALICE_PARAMETER)} because no identity-based policy allows the ssm:PutParameter action ` +
        `(the rights are listed in the README, "Mailbox passwords")\n`,
    );
    expect(stored(ALICE_PARAMETER)!.version).toBe(version);
  }, 60_000);

  test("a KMS denial behind SSM (an explicit deny of kms:Encrypt) is reported as AWS words it", async () => {
    standIn.setPolicies([README_POLICY, operatorPolicy("no-encrypt", [{ Sid: "NoEncrypt", Effect: "Deny", Action: "kms:Encrypt", Resource: "*" }])]);
    const result = await passwd(ALICE, PASSWORD);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /^mail-platform: AWS refused ssm:PutParameter on \/acme-mail\/mail-users\/acme-corp.example\/alice: User: .* is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:eu-central-1:123456789012:key\/[-0-9a-f]+ with an explicit deny in an identity-based policy \(Service: AWSKMS;/,
    );
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  test("credentials the endpoint does not know, and no region, are plain errors", async () => {
    const secret = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = "wrong-secret-wrong-secret-wrong-secret-00";
    try {
      const wrong = await passwd(ALICE, PASSWORD);
      expect(wrong.code).toBe(1);
      expect(wrong.err).toMatch(
        /^mail-platform: AWS refused the credentials for ssm:PutParameter on \/acme-mail\/mail-users\/acme-corp.example\/alice: InvalidSignatureException: /,
      );
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = secret;
    }
    delete process.env.AWS_REGION;
    try {
      let asked = false;
      let err = "";
      const code = await userPasswdCommand([file, ALICE], { out: () => undefined, err: (t) => (err += t) }, "", {
        ...PROCESS_USER_DEPS,
        readPassword: () => ((asked = true), Promise.resolve(PASSWORD)),
      }).catch((error: Error) => ((err = error.message), 1));
      expect(code).toBe(1);
      expect(err).toMatch(/no AWS region: give --region, or set AWS_REGION/);
      // The region is known to be missing before the password is asked for.
      expect(asked).toBe(false);
    } finally {
      process.env.AWS_REGION = REGION;
    }
  });
});

describe("user list", () => {
  test("every declared mailbox with group, quota and whether a hash is stored; undeclared hashes after them (pages of 10 followed); never a hash", async () => {
    await passwd(ALICE, PASSWORD);
    // Twelve hashes of mailboxes no longer declared: more than one page of GetParametersByPath.
    for (let i = 1; i <= 12; i++)
      standIn.ssm.put(`${PREFIX}/acme-shop.example/old${String(i).padStart(2, "0")}`, "{ARGON2ID}$argon2id$stale", { secure: true });
    standIn.ssm.put("/acme-mail/other/secret", "not listed", { secure: true });
    standIn.log.clear();
    const result = await cli("user", "list", file);
    expect(result).toMatchObject({ code: 0, err: "" });
    const lines = result.out.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "ADDRESS                    GROUP     QUOTA     PASSWORD",
      "alice@acme-corp.example    business  1024 MiB  set",
      "desk@acme-corp.example     business  2048 MiB  not set (cannot log in)",
      "reports@acme-corp.example  business  2048 MiB  not set (cannot log in)",
      expect.stringMatching(/^bob@acme-home.example\s+private\s+2048 MiB\s+(set|not set \(cannot log in\))$/),
    ]);
    expect(result.out).toContain(
      `hashes under ${PREFIX} of no declared mailbox (delete with mail-platform user remove):\n  ${PREFIX}/acme-shop.example/old01\n`,
    );
    expect(result.out).toContain(`  ${PREFIX}/acme-shop.example/old12\n`);
    expect(result.out).not.toContain("other/secret");
    expect(result.out).not.toContain("ARGON2ID");
    const pages = standIn.log.calls.filter((c) => c.action === "ssm:GetParametersByPath");
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.every((c) => c.decision === "allowed" && c.resource === parameterArn(PREFIX))).toBe(true);
    // Listing decrypts nothing: no kms:Decrypt was decided.
    expect(pages.some((c) => /kms:Decrypt/.test(c.reason))).toBe(false);

    const json = JSON.parse((await cli("user", "list", file, "--json")).out) as { prefix: string; mailboxes: unknown[]; undeclaredParameters: string[] };
    expect(json.prefix).toBe(PREFIX);
    expect(json.mailboxes[0]).toEqual({ address: ALICE, group: "business", quotaMb: 1024, passwordSet: true });
    expect(json.undeclaredParameters).toHaveLength(12);
  });

  test("without ssm:GetParametersByPath on the prefix: a plain refusal", async () => {
    standIn.setPolicies([operatorPolicy("wrong-resource", [{ Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: parameterArn(`${PREFIX}/*`) }])]);
    const result = await cli("user", "list", file);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /^mail-platform: AWS refused ssm:GetParametersByPath on \/acme-mail\/mail-users: User: .* is not authorized to perform: ssm:GetParametersByPath on resource: arn:aws:ssm:eu-central-1:123456789012:parameter\/acme-mail\/mail-users because no identity-based policy allows/,
    );
  });
});

describe("user remove", () => {
  test("deletes the hash of a declared mailbox and says it still receives mail; then there is nothing to delete", async () => {
    await passwd(ALICE, PASSWORD);
    const result = await cli("user", "remove", file, ALICE);
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toBe(
      `deleted ${ALICE_PARAMETER}: ${ALICE} can no longer log in once the hosts have synced their users. It is still declared in ${file}, so it still receives mail: ` +
        `remove it from groups[].mailboxes of group business (and deploy) to delete the mailbox itself. Mail already delivered to it is kept on the host (its Maildir is never deleted).\n`,
    );
    expect(stored(ALICE_PARAMETER)).toBeUndefined();
    expect((await cli("user", "list", file)).out).toMatch(/^alice@acme-corp.example\s+business\s+1024 MiB\s+not set \(cannot log in\)$/m);
    const again = await cli("user", "remove", file, ALICE);
    expect(again).toEqual({ code: 0, err: "", out: `no password hash is stored for ${ALICE} (${ALICE_PARAMETER} does not exist): it cannot log in already\n` });
  });

  test("deletes the hash of a mailbox already taken out of the model; an undeclared address without one is an error", async () => {
    standIn.ssm.put(`${PREFIX}/acme-corp.example/carol`, "{ARGON2ID}$argon2id$old", { secure: true });
    const result = await cli("user", "remove", file, "carol@acme-corp.example");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^deleted \/acme-mail\/mail-users\/acme-corp.example\/carol: .* Its mailbox is not declared in /);
    expect(stored(`${PREFIX}/acme-corp.example/carol`)).toBeUndefined();
    const none = await cli("user", "remove", file, "carol@acme-corp.example");
    expect(none).toEqual({
      code: 1,
      out: "",
      err: `mail-platform: carol@acme-corp.example is not declared in ${file} and has no password hash (${PREFIX}/acme-corp.example/carol does not exist): nothing to remove\n`,
    });
  });

  test("without ssm:DeleteParameter: a plain refusal, the hash stays", async () => {
    await passwd(ALICE, PASSWORD);
    standIn.setPolicies([operatorPolicy("put-only", [{ Effect: "Allow", Action: "ssm:PutParameter", Resource: parameterArn(`${PREFIX}/*`) }])]);
    const result = await cli("user", "remove", file, ALICE);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /^mail-platform: AWS refused ssm:DeleteParameter on \/acme-mail\/mail-users\/acme-corp.example\/alice: User: .* not authorized to perform: ssm:DeleteParameter/,
    );
    expect(stored(ALICE_PARAMETER)).toBeDefined();
  });
});

describe("the stand-in's management operations, as AWS answers them", () => {
  const client = () => new SSMClient({ region: REGION, endpoint: standIn.url });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => "succeeded",
      (e: Error) => `${e.name}: ${e.message}`,
    );
  const OPEN = operatorPolicy("open", [
    { Effect: "Allow", Action: ["ssm:*"], Resource: parameterArn("/*") },
    { Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: parameterArn("/t") },
  ]);

  test("PutParameter refuses an existing name without Overwrite, reserved and malformed names, oversized values, unknown keys", async () => {
    standIn.setPolicies([OPEN]);
    const put = (input: Record<string, unknown>) => failure(client().send(new PutParameterCommand({ Name: "/t/a", Value: "v", Type: "String", ...input })));
    expect(await put({})).toBe("succeeded");
    expect(await put({})).toBe(
      "ParameterAlreadyExists: The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    );
    expect(await put({ Name: "/aws/x" })).toMatch(/^ValidationException: Parameter name: can't be prefixed with "aws" or "ssm"/);
    expect(await put({ Name: "/t/with space" })).toMatch(/^ValidationException: Parameter name: can contain only/);
    expect(await put({ Name: "t/relative" })).toMatch(/^ValidationException: .*must begin with a forward slash/);
    expect(await put({ Name: "/t/big", Value: "x".repeat(4097) })).toMatch(
      /^ValidationException: Standard tier parameters support a maximum parameter value of 4096 characters/,
    );
    expect(await put({ Name: "/t/nokey", KeyId: "alias/unknown", Type: "SecureString" })).toMatch(/^InvalidKeyId: /);
    expect(await put({ Overwrite: true, Type: "SecureString", Value: "secret" })).toBe("succeeded");
    expect(standIn.ssm.get("/t/a")).toMatchObject({ type: "SecureString", version: 2, value: "secret" });
  });

  test("GetParametersByPath: one level unless Recursive, pages of MaxResults, decryption authorized per parameter; bad tokens and sizes refused", async () => {
    standIn.setPolicies([OPEN]);
    for (const name of ["/t/b/1", "/t/b/2", "/t/c"]) standIn.ssm.put(name, `value of ${name}`, { secure: true });
    const list = (input: Record<string, unknown>) => client().send(new GetParametersByPathCommand({ Path: "/t", ...input }));
    expect((await list({})).Parameters!.map((p) => p.Name)).toEqual(["/t/a", "/t/c"]);
    const first = await list({ Recursive: true, MaxResults: 2 });
    expect(first.Parameters!.map((p) => p.Name)).toEqual(["/t/a", "/t/b/1"]);
    const second = await list({ Recursive: true, MaxResults: 2, NextToken: first.NextToken });
    expect(second.Parameters!.map((p) => p.Name)).toEqual(["/t/b/2", "/t/c"]);
    expect(second.NextToken).toBeUndefined();
    expect(second.Parameters!.map((p) => p.Value)).not.toContain("value of /t/c");
    expect((await list({ Recursive: true, WithDecryption: true })).Parameters!.map((p) => p.Value)).toContain("value of /t/c");
    expect(await failure(list({ NextToken: "bm90IGEgdG9rZW4" }))).toBe("InvalidNextToken: The specified token isn't valid.");
    expect(await failure(list({ MaxResults: 11 }))).toMatch(/^ValidationException: .*maxResults.*less than or equal to 10/);
    // An explicit deny of kms:Decrypt stops decryption, not listing.
    standIn.setPolicies([OPEN, operatorPolicy("no-decrypt", [{ Effect: "Deny", Action: "kms:Decrypt", Resource: "*" }])]);
    expect(await failure(list({ Recursive: true, WithDecryption: true }))).toMatch(/^AccessDeniedException: .*kms:Decrypt.*\(Service: AWSKMS;/);
    expect(await failure(list({ Recursive: true }))).toBe("succeeded");
  });

  test("DeleteParameter: ParameterNotFound for a missing name; authorized on the parameter's ARN", async () => {
    standIn.setPolicies([OPEN]);
    expect(await failure(client().send(new DeleteParameterCommand({ Name: "/t/a" })))).toBe("succeeded");
    expect(await failure(client().send(new GetParameterCommand({ Name: "/t/a" })))).toBe("ParameterNotFound: Parameter /t/a not found.");
    expect(await failure(client().send(new DeleteParameterCommand({ Name: "/t/a" })))).toBe("ParameterNotFound: Parameter /t/a not found.");
    standIn.setPolicies([operatorPolicy("other", [{ Effect: "Allow", Action: "ssm:DeleteParameter", Resource: parameterArn("/other/*") }])]);
    expect(await failure(client().send(new DeleteParameterCommand({ Name: "/t/c" })))).toMatch(
      /^AccessDeniedException: User: .* is not authorized to perform: ssm:DeleteParameter on resource: arn:aws:ssm:eu-central-1:123456789012:parameter\/t\/c because/,
    );
  });
});
