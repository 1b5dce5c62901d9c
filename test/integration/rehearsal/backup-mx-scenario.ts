/**
 * Two hosts of one platform booted together, as `cdktf deploy` would create them: the business
 * group at home on mx1 with its backup MX on mx2 (each host its own container, network namespace,
 * user data, instance identity and role, the stand-ins shared, the hosts' private addresses
 * reachable from each other as in the VPC). Mail for the group sent to the backup's address is
 * accepted there, forwarded to the home's channel over verified TLS and delivered into the mailbox
 * on the home; while the home's Postfix is down it waits in the backup's queue and arrives once
 * the home is back, each message once; the backup refuses unknown recipients at RCPT.
 *
 * Declared by the deploy rehearsal's file, after its own scenarios: rehearsals take turns (one
 * lock per machine), and a test file of its own would hold a second test worker idle while it
 * waits for the lock. Alone: `npx jest test/integration/rehearsal/deploy-rehearsal.test.ts -t "backup MX"`.
 */
import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import { accepts as acceptsWithin } from "../../../lib/local/system";
import { OUTSIDE_DOMAIN } from "../../../lib/local/conventions";
import { Rehearsal } from "../../../lib/rehearsal/rehearsal";
import type { RehearsedHost } from "../../../lib/rehearsal/rehearsed-host";
import { exampleInput } from "../../support/example";
import { replies, replyTo, swaksAsync } from "../../support/live";
import { codes } from "../../support/probes";
import { backupMxInput, BACKUP_ADDRESS, HOME_ADDRESS } from "./backup-mx-model";
import { TESTER } from "./rehearsal-mailboxes";

const MINUTE = 60_000;
/** A text as a regular expression that matches it literally. */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const log = (line: string) => process.stdout.write(`[rehearsal backup-mx] ${line}\n`);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, explain: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${await explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Declare the scenario's tests (in the calling test file). */
export function describeBackupMx(): void {
  describe("a backup MX and its home, booted together", () => {
    let rehearsal: Rehearsal;
    let home: RehearsedHost;
    let backup: RehearsedHost;
    const started = Date.now();
    const timings: Record<string, unknown> = {};

    /** How many of the tester's messages on the home carry a marker in their Subject (Dovecot's own search). */
    const delivered = async (marker: string): Promise<number> => {
      const result = await home.exec(["doveadm", "search", "-u", TESTER, "mailbox", "INBOX", "header", "Subject", marker]);
      if (result.status !== 0) throw new Error(`doveadm search on the home failed (${result.status}): ${result.stderr.trim()}`);
      return result.stdout.split("\n").filter((l) => l.trim() !== "").length;
    };
    /** The backup's queue: one entry per queued recipient. */
    const backupQueue = async (): Promise<Array<{ queue_id: string; recipients: Array<{ address: string; delay_reason?: string }> }>> =>
      (await backup.exec(["postqueue", "-j"])).stdout
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as { queue_id: string; recipients: Array<{ address: string; delay_reason?: string }> });
    /** The recent mail log of a host (for failure messages). */
    const mailLog = async (host: RehearsedHost, lines = 40) =>
      `--- last ${lines} Postfix log lines on ${host.name} ---\n${(await host.exec(["journalctl", "--no-pager", "-o", "cat", "-n", String(lines), "-u", "postfix*"])).stdout}`;
    const bothLogs = async () => `${await mailLog(backup)}\n${await mailLog(home)}`;
    /** The journal lines a program logged under a syslog identifier (e.g. `postfix/channel/smtpd`). */
    const logOf = async (host: RehearsedHost, identifier: string) => (await host.exec(["journalctl", "--no-pager", "-o", "cat", "-t", identifier])).stdout;

    /** Send one message from the outside client to the backup's address on port 25, over STARTTLS. */
    const sendToBackup = (to: string, subject: string, quitAfter?: string) =>
      swaksAsync([
        "-s",
        BACKUP_ADDRESS,
        "-p",
        "25",
        "--tls",
        "--ehlo",
        `mx.${OUTSIDE_DOMAIN}`,
        "-f",
        `someone@${OUTSIDE_DOMAIN}`,
        "-t",
        to,
        "--header",
        `Subject: ${subject}`,
        ...(quitAfter ? ["--quit-after", quitAfter] : []),
      ]);

    beforeAll(async () => {
      // The tester's password hash is in SSM before the hosts boot, as `mail-platform user passwd` leaves it.
      const hash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: `${randomBytes(12).toString("base64url")}\n`, encoding: "utf8" }).trim();
      rehearsal = await Rehearsal.start({
        input: backupMxInput(exampleInput()),
        hosts: ["mx1", "mx2"],
        log,
        passwordHashes: { [TESTER]: `{SHA512-CRYPT}${hash}` },
      });
      home = rehearsal.machine("mx1");
      backup = rehearsal.machine("mx2");
      await rehearsal.waitForFirstBoot({ timeoutMs: 15 * MINUTE, maxFailures: 1 });
      timings.boot = { ...rehearsal.timings, secondsToBothServing: (Date.now() - started) / 1000 };
    }, 20 * MINUTE);

    afterAll(async () => {
      timings.total = (Date.now() - started) / 1000;
      log(`timings ${JSON.stringify(timings)}`);
      await rehearsal?.stop();
    }, 2 * MINUTE);

    test("each host booted its own user data as its own instance: IMDS tells them apart, each role's calls were allowed", async () => {
      for (const host of [home, backup]) {
        const identity = await host.exec([
          "sh",
          "-c",
          "t=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) && curl -sf -H \"X-aws-ec2-metadata-token: $t\" http://169.254.169.254/latest/meta-data/instance-id",
        ]);
        expect({ host: host.name, instance: identity.stdout }).toEqual({ host: host.name, instance: host.deployment.instance.id });
      }
      expect(home.deployment.instance.id).not.toBe(backup.deployment.instance.id);
      const calls = rehearsal.world.calls.filter((c) => c.service !== "imds");
      expect(calls.filter((c) => c.decision === "denied")).toEqual([]);
      // Each host fetched its own bundle with its own role's session.
      for (const host of [home, backup]) {
        const fetches = calls.filter((c) => c.action === "s3:GetObject" && c.resource?.includes(`/bundles/${host.name}/`));
        expect(fetches.length).toBeGreaterThan(0);
        expect(new Set(fetches.map((c) => c.principal))).toEqual(
          new Set([`arn:aws:sts::${host.deployment.accountId}:assumed-role/${host.deployment.role.name}/${host.deployment.instance.id}`]),
        );
      }
    });

    test("the backup listens on port 25 of the group's address only; the home also on its channel", async () => {
      expect(backup.plan.expectedListeners).toEqual([[BACKUP_ADDRESS, 25]]);
      expect(home.plan.expectedListeners).toContainEqual([HOME_ADDRESS, 10025]);
      for (const host of [home, backup]) {
        const answering = await Promise.all(
          host.plan.expectedListeners.map(async ([address, port]) => [`${address}:${port}`, await acceptsWithin(address, port, 3000)] as const),
        );
        expect({ host: host.name, silent: answering.filter(([, ok]) => !ok) }).toEqual({ host: host.name, silent: [] });
      }
      for (const port of [465, 587, 993, 995]) expect(await acceptsWithin(BACKUP_ADDRESS, port, 3000)).toBe(false);
    });

    test(
      "mail for the group sent to the backup on 25 is delivered into the mailbox on the home, over verified TLS to the channel",
      async () => {
        const marker = `via-backup-${randomBytes(4).toString("hex")}`;
        const sent = await sendToBackup(TESTER, marker);
        expect(codes(sent).includes("250") ? "" : sent.transcript).toBe("");
        await waitFor("the message delivered on the home", async () => ((await delivered(marker)) > 0 ? true : undefined), 2 * MINUTE, bothLogs);
        expect(await delivered(marker)).toBe(1);
        // The backup's forwarding transport (syslog name postfix/business/home) verified the channel's certificate.
        const forwarded = await logOf(backup, "postfix/business/home/smtp");
        expect(forwarded).toContain(`Verified TLS connection established to ${HOME_ADDRESS}[${HOME_ADDRESS}]:10025`);
        expect(forwarded).toMatch(new RegExp(`to=<${TESTER}>, relay=${escaped(HOME_ADDRESS)}\\[${escaped(HOME_ADDRESS)}\\]:10025, .*status=sent`));
        // The home took it on its channel, from the backup's address.
        expect(await logOf(home, "postfix/channel/smtpd")).toContain(`connect from unknown[${BACKUP_ADDRESS}]`);
      },
      4 * MINUTE,
    );

    test(
      "with the home's Postfix stopped, mail waits in the backup's queue and arrives once the home is back: none lost, none twice",
      async () => {
        const began = Date.now();
        const steps: Record<string, number> = {};
        const step = (name: string) => (steps[name] = (Date.now() - began) / 1000);
        const stopped = await home.exec(["systemctl", "stop", "postfix"]);
        expect(stopped.status).toBe(0);
        step("home stopped");
        const markers = [1, 2, 3].map((n) => `queued-${n}-${randomBytes(4).toString("hex")}`);
        try {
          for (const marker of markers) {
            const sent = await sendToBackup(TESTER, marker);
            expect(codes(sent).includes("250") ? "" : sent.transcript).toBe("");
          }
          // Each waits in the backup's queue, deferred because the channel does not answer.
          const deferred = await waitFor(
            "three messages deferred in the backup's queue",
            async () => {
              const queue = await backupQueue();
              const waiting = queue.filter((m) => m.recipients.some((r) => r.address === TESTER && r.delay_reason !== undefined));
              return waiting.length >= markers.length ? waiting : undefined;
            },
            2 * MINUTE,
            bothLogs,
          );
          step("three deferred");
          expect(deferred).toHaveLength(markers.length);
          expect(deferred.map((m) => m.recipients[0]!.delay_reason).join("\n")).toMatch(new RegExp(`${escaped(HOME_ADDRESS)}.*10025`));
          for (const marker of markers) expect(await delivered(marker)).toBe(0);
        } finally {
          expect((await home.exec(["systemctl", "start", "postfix"])).status).toBe(0);
          step("home started");
        }
        await waitFor(
          "the home's channel listening again",
          async () => ((await acceptsWithin(HOME_ADDRESS, 10025, 3000)) ? true : undefined),
          MINUTE,
          bothLogs,
        );
        expect((await backup.exec(["postqueue", "-f"])).status).toBe(0);
        await waitFor(
          "every queued message delivered on the home",
          async () => {
            const counts = await Promise.all(markers.map((m) => delivered(m)));
            return counts.every((c) => c >= 1) ? true : undefined;
          },
          2 * MINUTE,
          bothLogs,
        );
        step("all delivered");
        await waitFor("the backup's queue empty", async () => ((await backupQueue()).length === 0 ? true : undefined), MINUTE, bothLogs);
        timings.queueScenario = steps;
        // Exactly once each, now that nothing is left to deliver.
        for (const marker of markers) expect({ marker, copies: await delivered(marker) }).toEqual({ marker, copies: 1 });
      },
      6 * MINUTE,
    );

    test("the backup refuses an unknown recipient of the group at RCPT, and a domain it is no MX for as relaying", async () => {
      const unknown = await sendToBackup("nobody-here@acme-corp.example", "unknown", "RCPT");
      expect(replyTo(unknown.transcript, /^RCPT TO/).join("\n")).toMatch(/^550 5\.1\.1 .*Recipient address rejected/);
      const foreign = await sendToBackup("family@acme-home.example", "not backed", "RCPT");
      expect(replyTo(foreign.transcript, /^RCPT TO/).join("\n")).toMatch(/^554 5\.7\.1 .*Relay access denied/);
      expect((await backupQueue()).length).toBe(0);
    });

    test("the home's channel refuses a client that is not the group's backup", async () => {
      const result = await swaksAsync(["-s", HOME_ADDRESS, "-p", "10025", "--tls", "-f", `someone@${OUTSIDE_DOMAIN}`, "-t", TESTER, "--quit-after", "RCPT"]);
      expect(replies(result.transcript).join("\n")).toMatch(/^554 5\.7\.1 .*Client host rejected: Access denied/m);
    });
  });
}
