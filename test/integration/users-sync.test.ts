/**
 * The on-host users sync (lib/apply/mail-platform-users-sync.py) run for real with Python, against
 * a `mail-platform-aws` on PATH that answers as the host's AWS client's `parameters-by-path` does
 * (JSON `[[name, value], …]`; lib/apply/mail-platform-aws.py, proven against the AWS stand-ins by the
 * deploy rehearsal) and records how it was called. Needs root (the passwd-file is chowned to root:<group>).
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { groupIdOf } from "../support/users-sync-support";

const SCRIPT = join(__dirname, "..", "..", "lib", "apply", "mail-platform-users-sync.py");
const GROUP = "mail";
const PREFIX = "/acme-mail/mail-users";
const ARGON = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$3hVSUSJPlrnLxYHpClsJzQ$Og5CK6BoKLWPRPRU/tOBmlVHUPl9gKuYm3tX19yk5PU";
const SHA512 = "{SHA512-CRYPT}$6$5sWQtmLq33kruM29$mFvFuShj3r5mnKC3dEzRVCpS8jZAzpp9.se1bQKV21Vez7mFH3Siq2MePyAu6T5UnCpO2IVWeL5rK1fp41oN..";
const BLF = "{BLF-CRYPT}$2y$05$Q75TMu5WlzJwd3ugY6YxgeCRZYOJYMnHhlNNcrS/9IUYxeV5niCzy";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ssm-sync-users-"));
  // The stand-in client: records its argv, answers from answer.json (or fails with fail.txt on stderr).
  writeFileSync(
    join(dir, "mail-platform-aws"),
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/argv"\nif [ -e "${dir}/fail.txt" ]; then cat "${dir}/fail.txt" >&2; exit 1; fi\ncat "${dir}/answer.json"\n`,
  );
  chmodSync(join(dir, "mail-platform-aws"), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const users = () => join(dir, "users");
function list(mailboxes: Array<{ address: string; parameter?: string }>, prefix = PREFIX): void {
  const entries = mailboxes.map((m) => ({
    address: m.address,
    passwordParameter: m.parameter ?? `${prefix}/${m.address.split("@")[1]}/${m.address.split("@")[0]}`,
  }));
  writeFileSync(
    join(dir, "mailboxes.json"),
    JSON.stringify({ comment: "test", format: "mail-platform-mailboxes/1", passwordParameterPrefix: prefix, mailboxes: entries }),
  );
}
function ssm(parameters: Record<string, string>): void {
  writeFileSync(join(dir, "answer.json"), JSON.stringify(Object.entries(parameters)));
}
function sync() {
  // Debian's Python, as the host's shebang names it (a pyenv python3 would put its own tools first on PATH).
  const result = spawnSync(
    "/usr/bin/python3",
    [
      SCRIPT,
      "--list",
      join(dir, "mailboxes.json"),
      "--users",
      users(),
      "--group",
      GROUP,
      "--region",
      "eu-central-1",
      "--lock",
      join(dir, "lock"),
      "--report",
      join(dir, "report"),
    ],
    { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } },
  );
  return { status: result.status, log: result.stderr + result.stdout };
}
const lines = () =>
  readFileSync(users(), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));

describe("GIVEN a mailbox list and hashes in SSM", () => {
  test("WHEN synced THEN every listed mailbox with a hash has its line, 0640 root:<group>, from one recursive decrypted call", () => {
    list([{ address: "alice@acme-corp.example" }, { address: "bob@acme-shop.example" }, { address: "carol@acme-corp.example" }]);
    ssm({
      [`${PREFIX}/acme-corp.example/alice`]: ARGON,
      [`${PREFIX}/acme-shop.example/bob`]: SHA512,
      [`${PREFIX}/acme-corp.example/carol`]: BLF,
      [`${PREFIX}/other/unlisted`]: ARGON,
    });
    const result = sync();
    expect(result.status).toBe(0);
    expect(lines()).toEqual([`alice@acme-corp.example:${ARGON}::::::`, `bob@acme-shop.example:${SHA512}::::::`, `carol@acme-corp.example:${BLF}::::::`]);
    const status = statSync(users());
    expect([status.mode & 0o777, status.uid, status.gid]).toEqual([0o640, 0, groupIdOf(GROUP)]);
    expect(readFileSync(join(dir, "argv"), "utf8").split("\n")).toEqual(["--region", "eu-central-1", "parameters-by-path", PREFIX, ""]);
    expect(result.log).toContain("3 of 3 mailboxes can log in");
    for (const hash of [ARGON, SHA512, BLF]) expect(result.log).not.toContain(hash.slice(-20));
  });

  test("WHEN nothing changed THEN the file is not rewritten (same inode) and nothing is logged", () => {
    list([{ address: "alice@acme-corp.example" }]);
    ssm({ [`${PREFIX}/acme-corp.example/alice`]: ARGON });
    expect(sync().status).toBe(0);
    const before = statSync(users());
    const again = sync();
    expect(again).toEqual({ status: 0, log: "" });
    expect(statSync(users()).ino).toBe(before.ino);
  });

  test("WHEN a hash changes THEN the file is replaced by rename (a new inode), never edited in place", () => {
    list([{ address: "alice@acme-corp.example" }]);
    ssm({ [`${PREFIX}/acme-corp.example/alice`]: ARGON });
    sync();
    const before = statSync(users()).ino;
    ssm({ [`${PREFIX}/acme-corp.example/alice`]: SHA512 });
    expect(sync().status).toBe(0);
    expect(lines()).toEqual([`alice@acme-corp.example:${SHA512}::::::`]);
    expect(statSync(users()).ino).not.toBe(before);
  });

  test.each([
    ["an unknown scheme", "{PLAIN}secret-value-1", "has scheme {PLAIN}"],
    ["no scheme", "$6$abc$secret-value-2", "does not start with a {SCHEME} prefix"],
    ["a second line", `${ARGON}\nmallory@acme-corp.example:{PLAIN}x`, "is not a well-formed ARGON2ID hash"],
    ["a field separator", `${SHA512.slice(0, -2)}:x`, "is not a well-formed SHA512-CRYPT hash"],
    ["an extra field", `${ARGON} userdb_home=/`, "is not a well-formed ARGON2ID hash"],
  ])("WHEN a value has %s THEN that mailbox is left out, with a reason that never quotes the value", (_what, value, reason) => {
    list([{ address: "alice@acme-corp.example" }, { address: "bob@acme-corp.example" }]);
    ssm({ [`${PREFIX}/acme-corp.example/alice`]: value, [`${PREFIX}/acme-corp.example/bob`]: SHA512 });
    const result = sync();
    expect(result.status).toBe(0);
    expect(lines()).toEqual([`bob@acme-corp.example:${SHA512}::::::`]);
    expect(result.log).toContain(`left out alice@acme-corp.example: the value of ${PREFIX}/acme-corp.example/alice ${reason}`);
    expect(result.log).not.toContain(value.split("$").pop()!.slice(0, 12));
    expect(result.log).not.toContain("secret-value");
  });

  test("WHEN a listed mailbox has no parameter THEN it is left out (cannot log in), and said so once, and again when the reason changes", () => {
    list([{ address: "alice@acme-corp.example" }, { address: "nohash@acme-corp.example" }]);
    ssm({ [`${PREFIX}/acme-corp.example/alice`]: ARGON });
    const result = sync();
    expect(lines()).toEqual([`alice@acme-corp.example:${ARGON}::::::`]);
    expect(result.log).toContain(`left out nohash@acme-corp.example: no password hash at ${PREFIX}/acme-corp.example/nohash (cannot log in)`);
    expect(sync()).toEqual({ status: 0, log: "" });
    // The file does not change, the reason does: said again, without the value.
    ssm({ [`${PREFIX}/acme-corp.example/alice`]: ARGON, [`${PREFIX}/acme-corp.example/nohash`]: "{PLAIN}secret-value-3" });
    const changed = sync();
    expect(changed.log).toContain(`left out nohash@acme-corp.example: the value of ${PREFIX}/acme-corp.example/nohash has scheme {PLAIN}`);
    expect(changed.log).not.toContain("secret-value");
  });

  test("WHEN SSM refuses THEN the current file is kept and the sync fails with AWS's message", () => {
    list([{ address: "alice@acme-corp.example" }]);
    ssm({ [`${PREFIX}/acme-corp.example/alice`]: ARGON });
    sync();
    const before = readFileSync(users(), "utf8");
    writeFileSync(join(dir, "fail.txt"), "An error occurred (AccessDeniedException) when calling the GetParametersByPath operation: denied");
    const result = sync();
    expect(result.status).toBe(1);
    expect(result.log).toContain("FAILED");
    expect(result.log).toContain("AccessDeniedException");
    expect(readFileSync(users(), "utf8")).toBe(before);
  });

  test("WHEN the list has entries that would break the file THEN they are skipped; with no mailbox SSM is not called", () => {
    list([{ address: "Alice@acme-corp.example" }, { address: "bob@acme-corp.example", parameter: "/elsewhere/bob" }]);
    const result = sync();
    expect(result.status).toBe(0);
    expect(lines()).toEqual([]);
    expect(existsSync(join(dir, "argv"))).toBe(false);
    expect(result.log).toContain("address 'Alice@acme-corp.example' is not a lowercase local@domain");
    expect(result.log).toContain(`skipped bob@acme-corp.example: its parameter is not below ${PREFIX}/`);
  });

  test("WHEN the list is missing THEN the sync fails and writes nothing", () => {
    const result = sync();
    expect(result.status).toBe(1);
    expect(existsSync(users())).toBe(false);
  });
});
