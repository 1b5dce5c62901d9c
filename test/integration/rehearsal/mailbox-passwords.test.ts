/**
 * Users as data on a booted host: the mailbox list travels in the bundle, the hashes live in SSM
 * (the stand-in), and the host's users sync writes Dovecot's passwd-file from both — at first
 * boot, and every minute from its timer, so a password changed in SSM takes effect without a
 * bundle. A declared mailbox without a hash cannot log in. No hash and no password appears in
 * cdk.tf.json, the user data, the bundles, the rendered files or any log.
 *
 * Runs on Debian 13 (the default host release); REHEARSAL_RELEASES=debian-13,debian-12 adds 12.
 */
import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import { readdirSync, readFileSync, statSync } from "fs";
import { join } from "path";
import { gunzipSync } from "zlib";
import { Rehearsal } from "../../../lib/rehearsal/rehearsal";
import { HOST_PATHS } from "../../../lib/render/host-paths";
import { USERS_SYNC_PERIOD_SECONDS } from "../../../lib/rollout/users-sync";
import { exampleInput } from "../../support/example";
import { TextClient } from "../../support/text-client";
import { NO_HASH, TESTER, withMailboxes } from "./rehearsal-mailboxes";

const MINUTE = 60_000;
const releases = (process.env.REHEARSAL_RELEASES ?? "debian-13").split(",") as Array<"debian-13" | "debian-12">;

/** A Dovecot ARGON2ID password string, made by this machine's doveadm (the format `user passwd` stores). */
function argon2id(password: string): string {
  return execFileSync("doveadm", ["pw", "-s", "ARGON2ID", "-p", password], { encoding: "utf8" }).trim();
}

/** A Dovecot SHA512-CRYPT password string. */
function sha512Crypt(password: string): string {
  return `{SHA512-CRYPT}${execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: `${password}\n`, encoding: "utf8" }).trim()}`;
}

/** Every file below a directory, as text. */
function filesBelow(dir: string): Array<[string, string]> {
  return readdirSync(dir).flatMap((name): Array<[string, string]> => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [[path, readFileSync(path, "latin1")]];
  });
}

describe.each(releases)("mailbox passwords from SSM on a booted %s host", (os) => {
  let rehearsal: Rehearsal;
  const logLines: string[] = [];
  // Recognisable passwords; their hashes are salted afresh on every run.
  const firstPassword = `first-${randomBytes(9).toString("base64url")}`;
  const secondPassword = `second-${randomBytes(9).toString("base64url")}`;
  const firstHash = argon2id(firstPassword);
  const secondHash = sha512Crypt(secondPassword);

  /** One IMAPS login from outside over the veth: whether Dovecot said OK. */
  async function imapLogin(user: string, password: string): Promise<boolean> {
    const { privateIp, hostName } = rehearsal.hostPlan.addresses[0]!;
    const imap = await TextClient.tls(privateIp, 993, hostName);
    try {
      await imap.readUntil((l) => l.startsWith("* OK"), 45_000);
      imap.write(`a LOGIN "${user}" "${password}"\r\n`);
      // A failed login is answered after Dovecot's auth failure delay (about 2 s).
      return /^a OK /.test((await imap.readUntil((l) => l.startsWith("a "), 45_000)).pop() ?? "");
    } finally {
      imap.close();
    }
  }

  beforeAll(async () => {
    const input = { ...exampleInput(), os };
    withMailboxes(input);
    rehearsal = await Rehearsal.start({ input, log: (line) => logLines.push(line), passwordHashes: { [TESTER]: firstHash } });
    await rehearsal.waitForFirstBoot({ timeoutMs: 15 * MINUTE, maxFailures: 1 });
  }, 20 * MINUTE);

  afterAll(async () => {
    await rehearsal?.stop();
  }, 2 * MINUTE);

  test("at first boot the users sync wrote the passwd-file: 0640 root:dovecot, the mailbox with a hash, not the one without", async () => {
    expect((await rehearsal.exec(["stat", "-c", "%a %U:%G", HOST_PATHS.dovecotUsers])).stdout.trim()).toBe("640 root:dovecot");
    const lines = rehearsal.container
      .readFile(HOST_PATHS.dovecotUsers)!
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"));
    expect(lines).toEqual([`${TESTER}:${firstHash}::::::`]);
    // The bundle's list names both mailboxes (and no secret).
    const list = JSON.parse(rehearsal.container.readFile("/etc/mail-platform/mailboxes.json")!) as { mailboxes: Array<{ address: string }> };
    expect(list.mailboxes.map((m) => m.address)).toEqual([TESTER, NO_HASH]);
    expect((await rehearsal.exec(["systemctl", "is-active", "mail-platform-users-sync.timer"])).stdout.trim()).toBe("active");
  });

  test("the host read the hashes with one GetParametersByPath on the password path, allowed by its role", () => {
    const reads = rehearsal.world.calls.filter((c) => c.action === "ssm:GetParametersByPath");
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads.every((c) => c.decision === "allowed" && c.resource === "arn:aws:ssm:eu-central-1:123456789012:parameter/acme-mail/mail-users")).toBe(true);
    expect(reads[0]!.reason).toMatch(/^allowed by read-own-secrets\/ReadMailboxPasswordPath/);
    expect(rehearsal.world.calls.filter((c) => c.decision === "denied")).toEqual([]);
  });

  test("IMAPS login works with the password; a wrong one and a mailbox without a hash fail", async () => {
    expect(await imapLogin(TESTER, firstPassword)).toBe(true);
    expect(await imapLogin(TESTER, secondPassword)).toBe(false);
    expect(await imapLogin(NO_HASH, firstPassword)).toBe(false);
    expect(await imapLogin(NO_HASH, "")).toBe(false);
  });

  test(
    `a hash changed in SSM takes effect within the timer's period (${USERS_SYNC_PERIOD_SECONDS} s), without a bundle`,
    async () => {
      const appliedBefore = rehearsal.container.readFile("/var/lib/mail-platform/applied.json");
      const bundleFetchesBefore = rehearsal.world.calls.filter((c) => c.action === "s3:GetObject").length;
      const changedAt = Date.now();
      rehearsal.setPasswordHash(TESTER, secondHash);
      // Bounded: one period, plus the timer's accuracy and a run of the sync. The file is watched
      // (not logins tried in a loop: Dovecot delays clients after failed logins).
      const deadline = changedAt + (USERS_SYNC_PERIOD_SECONDS + 30) * 1000;
      let switched = false;
      while (!switched && Date.now() < deadline) {
        switched = rehearsal.container.readFile(HOST_PATHS.dovecotUsers)?.includes(secondHash) ?? false;
        if (!switched) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const seconds = (Date.now() - changedAt) / 1000;
      expect({ switched, withinPeriod: seconds <= USERS_SYNC_PERIOD_SECONDS + 30 }).toEqual({ switched: true, withinPeriod: true });
      expect(await imapLogin(TESTER, secondPassword)).toBe(true);
      expect(await imapLogin(TESTER, firstPassword)).toBe(false);
      expect(rehearsal.container.readFile("/var/lib/mail-platform/applied.json")).toBe(appliedBefore);
      expect(rehearsal.world.calls.filter((c) => c.action === "s3:GetObject").length).toBe(bundleFetchesBefore);
      expect((await rehearsal.exec(["stat", "-c", "%a %U:%G", HOST_PATHS.dovecotUsers])).stdout.trim()).toBe("640 root:dovecot");
    },
    3 * MINUTE,
  );

  test(
    "a rollout that declares a new mailbox runs the sync itself: the mailbox can log in without waiting for the timer",
    async () => {
      const added = "added@acme-corp.example";
      const password = `added-${randomBytes(9).toString("base64url")}`;
      rehearsal.world.putParameter("/acme-mail/mail-users/acme-corp.example/added", sha512Crypt(password), { secure: true });
      // The timer stopped: only the rollout can bring the new line (its reload starts the timer again).
      expect((await rehearsal.exec(["systemctl", "stop", "mail-platform-users-sync.timer"])).status).toBe(0);
      const rollout = await rehearsal.rollout((input) => input.groups.find((g) => g.name === "business")!.mailboxes!.push({ address: added }));
      expect({ status: rollout.status, output: rollout.status === 0 ? "" : rollout.output }).toEqual({ status: 0, output: "" });
      expect(rollout.bundle.files.find((f) => f.path === "/etc/mail-platform/mailboxes.json")!.content).toContain(added);
      const deadline = Date.now() + 20_000;
      while (!rehearsal.container.readFile(HOST_PATHS.dovecotUsers)!.includes(`${added}:`) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 500));
      expect(rehearsal.container.readFile(HOST_PATHS.dovecotUsers)).toContain(`${added}:{SHA512-CRYPT}`);
      expect(await imapLogin(added, password)).toBe(true);
      expect((await rehearsal.exec(["systemctl", "is-active", "mail-platform-users-sync.timer"])).stdout.trim()).toBe("active");
    },
    3 * MINUTE,
  );

  test("an unchanged hash does not rewrite the passwd-file", async () => {
    const before = (await rehearsal.exec(["stat", "-c", "%i %Y", HOST_PATHS.dovecotUsers])).stdout;
    expect((await rehearsal.syncUsers()).status).toBe(0);
    expect((await rehearsal.exec(["stat", "-c", "%i %Y", HOST_PATHS.dovecotUsers])).stdout).toBe(before);
  });

  test("a malformed value in SSM is left out, with a log line that does not quote it", async () => {
    const marker = `not-a-hash-${randomBytes(6).toString("hex")}`;
    rehearsal.setPasswordHash(NO_HASH, `{PLAIN}${marker}`);
    expect((await rehearsal.syncUsers()).status).toBe(0);
    expect(rehearsal.container.readFile(HOST_PATHS.dovecotUsers)).not.toContain(NO_HASH);
    const journal = (await rehearsal.exec(["journalctl", "--no-pager", "-o", "cat", "-u", "mail-platform-users-sync.service"])).stdout;
    expect(journal).toContain(`left out ${NO_HASH}: the value of /acme-mail/mail-users/acme-corp.example/nohash has scheme {PLAIN}`);
    expect(journal).not.toContain(marker);
  });

  test("no password hash or password appears in cdk.tf.json, the user data, the bundles, the rendered files or any log", async () => {
    const secrets = [firstHash, secondHash, firstPassword, secondPassword, firstHash.split("$").pop()!, secondHash.split("$").pop()!];
    const instance = Object.values(rehearsal.terraform.resource.aws_instance ?? {})[0]!;
    const host = async (argv: string[]) => (await rehearsal.exec(argv)).stdout;
    const places: Array<[string, string]> = [
      ["cdk.tf.json", JSON.stringify(rehearsal.terraform)],
      ["user data", gunzipSync(Buffer.from(String(instance.user_data_base64), "base64")).toString("utf8")],
      ...rehearsal.deployment.buckets.flatMap((b) => b.objects.map((o): [string, string] => [`bundle ${o.key}`, o.body.toString("utf8")])),
      // The synthesis output: cdk.tf.json and the rendered files of every host, as written to disk.
      ...filesBelow(join(rehearsal.runDir, "synth")),
      ["the rehearsal's log", logLines.join("\n")],
      ["the AWS stand-ins' call log", rehearsal.world.calls.map((c) => JSON.stringify(c)).join("\n")],
      ["the host's journal", await host(["journalctl", "--no-pager", "-o", "verbose"])],
      ["the setup log", await host(["cat", "/var/log/mail-platform-setup.log"])],
      ["the apply log", await host(["cat", "/var/lib/mail-platform/apply.log"])],
      ["cloud-init's output", await host(["cat", "/var/log/cloud-init-output.log"])],
      ["the mailbox list", rehearsal.container.readFile("/etc/mail-platform/mailboxes.json")!],
    ];
    expect(places.length).toBeGreaterThan(12);
    expect(places.find(([, text]) => text.includes("GetParametersByPath") || text.includes("users sync"))).toBeDefined();
    const found = places.flatMap(([where, text]) => secrets.filter((s) => text.includes(s)).map((s) => `${where} holds ${secrets.indexOf(s)}`));
    expect(found).toEqual([]);
    // The control: the passwd-file, which must hold the hash, does.
    expect(rehearsal.container.readFile(HOST_PATHS.dovecotUsers)).toContain(secondHash);
  });
});
