/**
 * Users as data on a booted host: the mailbox list travels in the bundle, the hashes live in SSM
 * (the stand-in), and the host's users sync writes Dovecot's passwd-file from both — at first
 * boot, and every minute from its timer, so a password changed in SSM takes effect without a
 * bundle. A declared mailbox without a hash cannot log in. No hash and no password appears in
 * cdk.tf.json, the user data, the bundles, the rendered files or any log.
 *
 * Then the operator's side, through the real command: `mail-platform user passwd|list|remove`, run
 * as a separate process with the operator's credentials and README's policy (operator-cli.ts),
 * writes into the same SSM stand-in the host reads. A password it sets logs in over IMAPS and
 * submission, a wrong one does not; after `user remove`, or once the mailbox is taken out of the
 * model and rolled out, the login fails on both and the mail already delivered stays in the Maildir.
 *
 * Runs on Debian 13 (the default host release); REHEARSAL_RELEASES=debian-13,debian-12 adds 12.
 *
 * Declared by the deploy rehearsal's file, after its own scenarios, like the backup MX: rehearsals
 * take turns (one lock per machine), and a test file of its own waited for the lock inside its
 * first hook, whose time limit then ran out on a fresh machine while the other file built images.
 * Alone: `npx jest test/integration/rehearsal/deploy-rehearsal.test.ts -t "mailbox passwords"`.
 */
import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { gunzipSync } from "zlib";
import { WORLD_ADDRESSES } from "../../../lib/rehearsal/network";
import { Rehearsal } from "../../../lib/rehearsal/rehearsal";
import { HOST_PATHS } from "../../../lib/render/host-paths";
import { USERS_SYNC_PERIOD_SECONDS } from "../../../lib/rollout/users-sync";
import { OUTSIDE_DOMAIN } from "../../../lib/local/conventions";
import { exampleInput } from "../../support/example";
import { replyTo, swaksAsync } from "../../support/live";
import { TextClient } from "../../support/text-client";
import { OperatorCli } from "./operator-cli";
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

/** Declares the mailbox-password scenarios (one booted host per release). */
export function describeMailboxPasswords(): void {
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
      // The scenarios try wrong passwords on purpose, more often than fail2ban allows one address
      // (maxFailures 5): the test client is never banned here, the ban itself is the brute-force test's.
      input.bruteForce = { ...input.bruteForce, neverBan: [WORLD_ADDRESSES.client] };
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
      const sync = await rehearsal.syncUsers();
      expect(sync.status).toBe(0);
      expect(rehearsal.container.readFile(HOST_PATHS.dovecotUsers)).not.toContain(NO_HASH);
      // The sync logs to its standard error (the journal, when systemd runs it; here, run directly).
      const journal = sync.stderr;
      expect(journal).toContain(`left out ${NO_HASH}: the value of /acme-mail/mail-users/acme-corp.example/nohash has scheme {PLAIN}`);
      expect(journal).not.toContain(marker);
    });

    /** Every place that must hold no password and no hash: the synthesis, the bundles, the stand-ins' call log, the host's logs. */
    async function placesWithoutSecrets(): Promise<Array<[string, string]>> {
      const instance = Object.values(rehearsal.terraform.resource.aws_instance ?? {})[0]!;
      const host = async (argv: string[]) => (await rehearsal.exec(argv)).stdout;
      return [
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
    }

    /** "<place> holds <index>" for each secret found in a place. */
    function secretsIn(places: ReadonlyArray<[string, string]>, secrets: readonly string[]): string[] {
      return places.flatMap(([where, text]) => secrets.filter((s) => text.includes(s)).map((s) => `${where} holds ${secrets.indexOf(s)}`));
    }

    test("no password hash or password appears in cdk.tf.json, the user data, the bundles, the rendered files or any log", async () => {
      const secrets = [firstHash, secondHash, firstPassword, secondPassword, firstHash.split("$").pop()!, secondHash.split("$").pop()!];
      const places = await placesWithoutSecrets();
      expect(places.length).toBeGreaterThan(12);
      expect(places.find(([, text]) => text.includes("GetParametersByPath") || text.includes("users sync"))).toBeDefined();
      expect(secretsIn(places, secrets)).toEqual([]);
      // The control: the passwd-file, which must hold the hash, does.
      expect(rehearsal.container.readFile(HOST_PATHS.dovecotUsers)).toContain(secondHash);
    });

    describe("the operator's `mail-platform user` against the same SSM", () => {
      let cli: OperatorCli;
      let cliDir: string;
      const cliPassword = `operator-set-${randomBytes(9).toString("base64url")}`;
      const wrongPassword = `wrong-${randomBytes(9).toString("base64url")}`;
      const modelPassword = `model-${randomBytes(9).toString("base64url")}`;
      /** Hashes the command stored, as the host's passwd-file showed them. */
      const storedHashes: string[] = [];
      const parameterOf = (address: string) => `/acme-mail/mail-users/acme-corp.example/${address.split("@")[0]}`;
      const operatorSession = "arn:aws:sts::123456789012:assumed-role/mail-operator/operator";

      beforeAll(() => {
        cliDir = mkdtempSync(join(tmpdir(), "operator-cli-"));
        cli = new OperatorCli(rehearsal, cliDir);
      });

      afterAll(() => {
        if (cliDir) rmSync(cliDir, { recursive: true, force: true });
      });

      /** The host's passwd-file line of a mailbox, if any. */
      const passwdLine = (address: string) =>
        rehearsal.container
          .readFile(HOST_PATHS.dovecotUsers)!
          .split("\n")
          .find((l) => l.startsWith(`${address}:`));

      /**
       * SMTP AUTH PLAIN on 587 after STARTTLS, from outside over the veth: the server's reply to AUTH.
       * Dovecot delays every login from an address that failed before, longer after each failure
       * (its auth penalty, up to 15 s, cleared by a successful login), and Postfix waits about 10 s
       * for Dovecot's answer before it gives up with "454 … Connection lost to authentication
       * server". So a refusal on 587 is probed right after a successful login from this address,
       * before the IMAPS one, and must be Dovecot's own 535.
       */
      async function submissionAuth(user: string, password: string): Promise<string> {
        const { privateIp } = rehearsal.hostPlan.addresses[0]!;
        const session = await swaksAsync(["-s", privateIp, "-p", "587", "--tls", "-a", "PLAIN", "-au", user, "-ap", password, "--quit-after", "AUTH"]);
        const reply = replyTo(session.transcript, /^AUTH PLAIN/).join("\n");
        if (/^(235|535) /.test(reply)) return reply;
        // Anything else says nothing about the password: show the host's side of it.
        return `${reply}\n${(await rehearsal.exec(["journalctl", "--no-pager", "-n", "40", "-u", "postfix*", "-u", "dovecot"])).stdout}`;
      }

      /** swaks as an outside server on port 25 of the business address, with STARTTLS. */
      function fromOutside(address: string, ...more: string[]) {
        const { privateIp } = rehearsal.hostPlan.addresses[0]!;
        return swaksAsync(["-s", privateIp, "-p", "25", "--tls", "--ehlo", `mx.${OUTSIDE_DOMAIN}`, "-f", `someone@${OUTSIDE_DOMAIN}`, "-t", address, ...more]);
      }

      /** The reply to RCPT TO from an outside server on port 25. */
      async function rcptFromOutside(address: string): Promise<string> {
        const session = await fromOutside(address, "--quit-after", "RCPT");
        return replyTo(session.transcript, /^RCPT TO/).join("\n");
      }

      /** A message from an outside server over port 25 (STARTTLS); resolves to its file in the mailbox's Maildir on the host. */
      async function deliverFromOutside(address: string, marker: string): Promise<string> {
        const sent = await fromOutside(address, "--header", `Subject: ${marker}`);
        // The reply to the end of DATA (replyTo fails with the transcript when there is none).
        expect(replyTo(sent.transcript, /^\.$/).join("\n")).toMatch(/^250 .*queued/);
        const [local, domain] = address.split("@");
        const maildir = `${HOST_PATHS.mailHomeRoot}/${domain}/${local}/Maildir`;
        const deadline = Date.now() + 60_000;
        for (;;) {
          const found = ["new", "cur"]
            .flatMap((sub) => rehearsal.container.listDirectory(`${maildir}/${sub}`).map((f) => `${maildir}/${sub}/${f}`))
            .find((path) => rehearsal.container.readFile(path)?.includes(marker));
          if (found) return found;
          if (Date.now() > deadline) throw new Error(`the message ${marker} did not reach ${maildir} within 60 s`);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }

      test(
        "`user passwd` as the operator sets tester's password: after a users sync IMAPS and submission (587, STARTTLS, AUTH PLAIN) accept it and refuse a wrong one",
        async () => {
          const result = await cli.user(["passwd", cli.platformFile, TESTER, "--stdin"], `${cliPassword}\n`);
          expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
          expect(result.stdout).toMatch(
            new RegExp(`^stored the ARGON2ID hash of ${TESTER}'s password as SecureString ${parameterOf(TESTER)} \\(version \\d+, region eu-central-1\\)`),
          );
          // It went through the world's SSM endpoint as the operator, allowed by README's policy.
          const put = rehearsal.world.calls.filter((c) => c.action === "ssm:PutParameter").pop();
          expect(put).toMatchObject({
            decision: "allowed",
            principal: operatorSession,
            resource: `arn:aws:ssm:eu-central-1:123456789012:parameter${parameterOf(TESTER)}`,
          });
          expect(put!.reason).toMatch(/^allowed by mail-operator\/MailboxPasswords; kms:Encrypt allowed by key policy of alias\/aws\/ssm/);
          expect((await rehearsal.syncUsers()).status).toBe(0);
          const line = passwdLine(TESTER);
          expect(line).toMatch(/^tester@acme-corp\.example:\{ARGON2ID\}\$argon2id\$v=19\$m=19456,t=2,p=1\$[^:]+::::::$/);
          storedHashes.push(line!.split(":")[1]!);
          expect(await imapLogin(TESTER, cliPassword)).toBe(true);
          expect(await submissionAuth(TESTER, cliPassword)).toMatch(/^235 /);
          expect(await submissionAuth(TESTER, wrongPassword)).toMatch(/^535 /);
          expect(await imapLogin(TESTER, wrongPassword)).toBe(false);
          // The password the earlier tests put into SSM is replaced.
          expect(await imapLogin(TESTER, secondPassword)).toBe(false);
        },
        4 * MINUTE,
      );

      test("`user list` as the operator shows tester with a password set", async () => {
        const result = await cli.user(["list", cli.platformFile]);
        expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
        expect(result.stdout).toMatch(/^ADDRESS +GROUP +QUOTA +PASSWORD$/m);
        expect(result.stdout).toMatch(/^tester@acme-corp\.example +business +\S+(?: MiB)? +set$/m);
        const list = rehearsal.world.calls.filter((c) => c.action === "ssm:GetParametersByPath" && c.principal === operatorSession).pop();
        expect(list).toMatchObject({ decision: "allowed", resource: "arn:aws:ssm:eu-central-1:123456789012:parameter/acme-mail/mail-users" });
      });

      test(
        "`user remove` deletes tester's hash: after a users sync IMAPS and submission refuse the password; mail delivered before stays in its Maildir, and it still receives mail",
        async () => {
          const marker = `delivered-before-removal-${randomBytes(6).toString("hex")}`;
          const message = await deliverFromOutside(TESTER, marker);
          // The control: it logs in until the command removes its hash.
          expect(await imapLogin(TESTER, cliPassword)).toBe(true);
          const result = await cli.user(["remove", cli.platformFile, TESTER]);
          expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
          expect(result.stdout).toMatch(
            new RegExp(`^deleted ${parameterOf(TESTER)}: ${TESTER} can no longer log in once the hosts have synced their users\\.`),
          );
          expect(rehearsal.world.calls.filter((c) => c.action === "ssm:DeleteParameter").pop()).toMatchObject({
            decision: "allowed",
            principal: operatorSession,
          });
          expect((await rehearsal.syncUsers()).status).toBe(0);
          expect(passwdLine(TESTER)).toBeUndefined();
          expect(await submissionAuth(TESTER, cliPassword)).toMatch(/^535 /);
          expect(await imapLogin(TESTER, cliPassword)).toBe(false);
          expect(rehearsal.container.readFile(message)).toContain(`Subject: ${marker}`);
          expect(await rcptFromOutside(TESTER)).toMatch(/^250 /);
          expect((await cli.user(["list", cli.platformFile])).stdout).toMatch(/^tester@acme-corp\.example +business +.* not set \(cannot log in\)$/m);
        },
        4 * MINUTE,
      );

      test(
        "a mailbox taken out of the model and rolled out cannot log in, though its hash stays in SSM; its Maildir stays and new mail to it is refused at RCPT",
        async () => {
          // nohash@ gets a password through the command and logs in, then receives a message.
          const set = await cli.user(["passwd", cli.platformFile, NO_HASH, "--stdin"], `${modelPassword}\n`);
          expect({ status: set.status, stderr: set.stderr }).toEqual({ status: 0, stderr: "" });
          expect((await rehearsal.syncUsers()).status).toBe(0);
          expect(passwdLine(NO_HASH)).toMatch(/^nohash@acme-corp\.example:\{ARGON2ID\}\$argon2id\$/);
          storedHashes.push(passwdLine(NO_HASH)!.split(":")[1]!);
          expect(await imapLogin(NO_HASH, modelPassword)).toBe(true);
          const marker = `delivered-before-model-removal-${randomBytes(6).toString("hex")}`;
          const message = await deliverFromOutside(NO_HASH, marker);
          const rollout = await rehearsal.rollout((input) => {
            const business = input.groups.find((g) => g.name === "business")!;
            business.mailboxes = business.mailboxes!.filter((m) => m.address !== NO_HASH);
          }, "without-nohash");
          expect({ status: rollout.status, output: rollout.status === 0 ? "" : rollout.output }).toEqual({ status: 0, output: "" });
          expect(rollout.bundle.files.find((f) => f.path === "/etc/mail-platform/mailboxes.json")!.content).not.toContain(NO_HASH);
          // The rollout ran the users sync itself.
          const deadline = Date.now() + 20_000;
          while (passwdLine(NO_HASH) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
          expect(passwdLine(NO_HASH)).toBeUndefined();
          expect(await submissionAuth(NO_HASH, modelPassword)).toMatch(/^535 /);
          expect(await imapLogin(NO_HASH, modelPassword)).toBe(false);
          expect(await rcptFromOutside(NO_HASH)).toMatch(/^550 5\.1\.1 .*User unknown in virtual mailbox table/);
          expect(rehearsal.container.readFile(message)).toContain(`Subject: ${marker}`);
          // Its hash is still in SSM: only the model decides who exists.
          const listed = JSON.parse((await cli.user(["list", cli.platformFile, "--json"])).stdout) as {
            mailboxes: Array<{ address: string; passwordSet: boolean }>;
          };
          expect(listed.mailboxes.find((m) => m.address === NO_HASH)?.passwordSet).toBe(true);
        },
        5 * MINUTE,
      );

      test("no password or hash of these commands appears in their output, the stand-ins' call log or the host's logs", async () => {
        expect(storedHashes).toHaveLength(2);
        const authPlain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString("base64");
        const secrets = [
          cliPassword,
          wrongPassword,
          modelPassword,
          ...storedHashes,
          ...storedHashes.map((h) => h.split("$").pop()!),
          authPlain(TESTER, cliPassword),
          authPlain(TESTER, wrongPassword),
          authPlain(NO_HASH, modelPassword),
        ];
        const places: Array<[string, string]> = [...(await placesWithoutSecrets()), ["the operator's command output", cli.outputs.join("\n")]];
        expect(cli.outputs.join("\n")).toContain("stored the ARGON2ID hash of");
        expect(secretsIn(places, secrets)).toEqual([]);
      });
    });
  });
}
