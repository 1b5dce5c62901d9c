/**
 * The deploy rehearsal of the example platform: its synthesized host boots as a system container
 * (Debian from Debian's packages, cloud-init seeded with the user data from cdk.tf.json), reaches
 * AWS, ACME and Debian only through stand-ins under the real names, and is then probed from
 * outside over its veth like a mail client, a peer and a grader would, rolled forward as SSM
 * would, and made to fail and recover. One rehearsal at a time (fixed stand-in addresses), so
 * every scenario lives in this file and runs in order.
 */
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import { readFileSync, rmSync, writeFileSync } from "fs";
import { accepts as acceptsWithin } from "../../../lib/local/system";
import { dirname, join } from "path";
import { gunzipSync, gzipSync } from "zlib";
import { FirstBootError } from "../../../lib/rehearsal/first-boot";
import { WORLD_ADDRESSES } from "../../../lib/rehearsal/network";
import { Rehearsal } from "../../../lib/rehearsal/rehearsal";
import { dkimKeyFiles } from "../../../lib/render/opendkim/opendkim";
import { HOST_PATHS } from "../../../lib/render/host-paths";
import { HOST_OS_FACTS } from "../../../lib/catalogue/host-os";
import { RSPAMD_TLD_DONE } from "../../../lib/rollout/bootstrap/rspamd-warmup";
import { RSPAMD_DROP_IN } from "../../../lib/rollout/content-filter-units";
import { rspamdLogSpan } from "../../support/rspamd-log";
import { STATE_DIR } from "../../../lib/rollout/bootstrap/setup-script";
import { buildBundle } from "../../../lib/rollout/bundle";
import { OUTSIDE_DOMAIN } from "../../../lib/local/conventions";
import { exampleInput } from "../../support/example";
import { replies, replyTo, swaks, swaksAsync } from "../../support/live";
import { codes, ehloKeywords, relayTricks, handshake, httpsGet, leastStrength, presentedCertificate, verifyDkimWith } from "../../support/probes";
import { programsOf } from "../../support/os-programs";
import { TextClient } from "../../support/text-client";
import { SmtpSink } from "../../support/smtp-sink";
import { mailboxInput } from "./rehearsal-mailboxes";
import { describeBackupMx } from "./backup-mx-scenario";
import { describeMailboxPasswords } from "./mailbox-passwords-scenario";
import { describeBlocklistWatch, WATCH_LISTING, withRehearsedWatch } from "./blocklist-watch-scenario";
import { buildCloudImageInBackground, stopBackgroundBuild } from "../../../lib/rehearsal/background-image";

const MINUTE = 60_000;
/** Seconds per phase of each scenario, printed at the end for the record. */
const report: Record<string, unknown> = {};
const log = (line: string) => process.stdout.write(`[rehearsal] ${line}\n`);

// Debian 13's image builds while Debian 12 boots and is probed (a no-op when it is cached).
let debian13Image: ReturnType<typeof buildCloudImageInBackground> | undefined;
beforeAll(() => {
  debian13Image = buildCloudImageInBackground("trixie");
});
afterAll(() => {
  stopBackgroundBuild(debian13Image);
  log(`timings ${JSON.stringify(report)}`);
});
const logTimings = (scenario: string, timings: unknown) => (report[scenario] = timings);

/** Whether a TCP port accepts a connection (from the test side, over the bridge). */
const accepts = (address: string, port: number) => acceptsWithin(address, port, 3000);

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * What the Debian 12 host leaves on its data volume for the Debian 13 instance that replaces it:
 * the volume's file (kept after the Debian 12 rehearsal stops), the subject of a message delivered
 * into a mailbox, and that of a message still in the queue.
 */
interface HandedOver {
  volume: string;
  delivered: string;
  queued: string;
}
let handedOver: HandedOver | undefined;
const MAILDIR_NEW = "/var/mail/vhosts/acme-corp.example/tester/Maildir/new";

// Debian 12 first: its data volume then goes to the Debian 13 instance, as when a running host is
// moved to the new release (the instance is replaced, the volume stays). A fresh volume on Debian 13
// is rehearsed by the scenarios further down.
describe.each(["debian-12", "debian-13"] as const)("first boot of the example host on %s, then probes from outside", (os) => {
  let rehearsal: Rehearsal;
  let sink: SmtpSink;
  let pebbleRoot: string;
  const user = "tester@acme-corp.example";
  const password = randomBytes(12).toString("hex"); // never a leading "-", which swaks reads as an option
  const groupAddresses = () => rehearsal.hostPlan.addresses;
  /** The mail daemons' recent log inside the host, to explain a failed probe (rspamd logs to its own file, as Debian configures it). */
  const hostLog = async () =>
    (await rehearsal.exec(["journalctl", "--no-pager", "-n", "60", "-u", "postfix*", "-u", "dovecot", "-u", "opendkim", "-u", "rspamd"])).stdout +
    (await rehearsal.exec(["tail", "-n", "30", "/var/log/rspamd/rspamd.log"])).stdout;
  /** The greeting lines: postscreen on 25 sends a multi-line greeting to clients it does not know yet. */
  const greeting = (address: string, port: string) =>
    replies(swaks(["-s", address, "-p", port, "--quit-after", "CONNECT"]).transcript).filter((l) => l.startsWith("220"));

  /** The volume this host was given by the Debian 12 host, if any (only Debian 13 takes one over). */
  let takenOver: HandedOver | undefined;

  beforeAll(async () => {
    takenOver = os === "debian-13" ? handedOver : undefined;
    // Debian 13's boot also rehearses the blocklist watch (blocklist-watch-scenario.ts): the watch
    // on, and one group's public address listed by the world.
    const input = mailboxInput(exampleInput(), os);
    rehearsal = await Rehearsal.start({
      input: os === "debian-13" ? withRehearsedWatch(input) : input,
      log,
      dataVolumeFile: takenOver?.volume,
      ...(os === "debian-13" ? { blocklistListings: [WATCH_LISTING] } : {}),
    });
    const outcome = await rehearsal.waitForFirstBoot({ timeoutMs: 15 * MINUTE, maxFailures: 1 });
    report[os] = { ...rehearsal.timings, attempts: outcome.failures.length + 1, volume: takenOver ? "from debian-12" : "new" };
    await rehearsal.addMailbox(user, password);
    sink = new SmtpSink(WORLD_ADDRESSES.outsideMx, rehearsal.ca.issue("outside", [`mx.${OUTSIDE_DOMAIN}`, "mx.partner.example"]));
    sink.offerStartTls = true;
    await sink.start();
    pebbleRoot = join(rehearsal.runDir, "pebble-root.pem");
    writeFileSync(pebbleRoot, await rehearsal.acme.issuingRoot(rehearsal.ca.pem));
  }, 20 * MINUTE);

  afterAll(async () => {
    await sink?.stop();
    await rehearsal?.stop({ keepFiles: handedOver !== undefined && os === "debian-12" });
    if (takenOver) rmSync(dirname(dirname(takenOver.volume)), { recursive: true, force: true });
  }, 2 * MINUTE);

  if (os === "debian-13") {
    describe("the data volume of the Debian 12 host it replaces", () => {
      test("the Debian 12 host handed over its volume", () => {
        expect(takenOver).toBeDefined();
      });

      test("the programs are Debian 13's: Postfix 3.10, Dovecot 2.4", async () => {
        expect((await rehearsal.exec(["sh", "-c", "postconf -h mail_version; dovecot --version"])).stdout.trim().split("\n")).toEqual([
          expect.stringMatching(/^3\.10\./),
          expect.stringMatching(/^2\.4\./),
        ]);
      });

      test("the queue's files belong to this host's accounts; the message queued on Debian 12 leaves from here", async () => {
        const strangers = await rehearsal.exec(["find", "/var/spool/postfix", "/var/mail/vhosts", "-nouser", "-o", "-nogroup"]);
        expect({ status: strangers.status, files: strangers.stdout.trim() }).toEqual({ status: 0, files: "" });
        await rehearsal.exec(["postqueue", "-f"]);
        const delivered = await sink.waitForMessage((s) => (s.data ?? "").includes(takenOver!.queued), 90_000);
        expect([delivered.tls, delivered.recipients]).toEqual([true, ["contracts@partner.example"]]);
      });

      test("mail delivered on Debian 12 is in the mailbox, read over IMAP on Debian 13", async () => {
        const business = rehearsal.hostPlan.addresses[0]!;
        const imap = await TextClient.tls(business.privateIp, 993, business.hostName);
        await imap.readUntil((l) => l.startsWith("* OK"));
        imap.write(`a LOGIN "${user}" "${password}"\r\n`);
        expect((await imap.readUntil((l) => l.startsWith("a "))).pop()).toMatch(/^a OK/);
        imap.write("b SELECT INBOX\r\n");
        expect((await imap.readUntil((l) => l.startsWith("b "))).pop()).toMatch(/^b OK/);
        imap.write(`c SEARCH SUBJECT "${takenOver!.delivered}"\r\n`);
        expect((await imap.readUntil((l) => l.startsWith("c "))).find((l) => l.startsWith("* SEARCH"))).toMatch(/^\* SEARCH \d+$/);
        imap.close();
      });
    });
  }

  describe("the first boot", () => {
    test("finishes in one attempt, with the SSM agent (stand-in) running and no unit failed", async () => {
      expect(rehearsal.container.readFile("/var/lib/mail-platform/setup-done")).toBeDefined();
      expect(
        (await rehearsal.exec(["systemctl", "is-active", "amazon-ssm-agent", "certbot.timer", "postfix", "dovecot", "opendkim", "nginx"])).stdout
          .trim()
          .split("\n"),
      ).toEqual(Array(6).fill("active"));
      expect((await rehearsal.exec(["systemctl", "is-enabled", "postfix", "dovecot", "opendkim", "nginx"])).stdout.trim().split("\n")).toEqual(
        Array(4).fill("enabled"),
      );
      expect((await rehearsal.exec(["systemctl", "--failed", "--no-legend", "--plain"])).stdout.trim()).toBe("");
      // Package daemons were held until the configuration was in place, and are no longer.
      expect((await rehearsal.exec(["test", "-e", "/usr/sbin/policy-rc.d"])).status).toBe(1);
    });

    test("Postfix started only once rspamd's milters listened (no mail passes the content filter unscanned at boot)", async () => {
      const show = async (unit: string, ...properties: string[]) =>
        Object.fromEntries(
          (await rehearsal.exec(["systemctl", "show", unit, ...properties.map((p) => `--property=${p}`)])).stdout
            .trim()
            .split("\n")
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );
      const rspamd = await show("rspamd", "ExecMainStartTimestampMonotonic", "ActiveEnterTimestampMonotonic", "NRestarts", "DropInPaths", "ExecStartPost");
      // Debian 12 runs Postfix's master in the instance postfix@-, Debian 13 in postfix.service itself.
      const postfixUnit = HOST_OS_FACTS[os].postfixUnit;
      const postfix = await show(postfixUnit, "InactiveExitTimestampMonotonic", "After");
      const microseconds = (value: string | undefined) => Number(value);
      expect(String(postfix.After).split(" ")).toContain("rspamd.service");
      expect(microseconds(postfix.InactiveExitTimestampMonotonic)).toBeGreaterThan(0);
      // rspamd's start lasted until its sockets listened: the drop-in's wait ran and ended well ...
      const waited = (microseconds(rspamd.ActiveEnterTimestampMonotonic) - microseconds(rspamd.ExecMainStartTimestampMonotonic)) / 1e6;
      report[`${os} rspamd start`] = Number(waited.toFixed(1));
      expect(String(rspamd.DropInPaths).split(" ")).toContain(RSPAMD_DROP_IN);
      expect(rspamd.ExecStartPost).toContain("argv[]=/bin/sh -c until ss -Hxl | grep -qF");
      expect(rspamd.NRestarts).toBe("0");
      // ... and Postfix's unit began to start only after that.
      expect(microseconds(postfix.InactiveExitTimestampMonotonic)).toBeGreaterThanOrEqual(microseconds(rspamd.ActiveEnterTimestampMonotonic));
    });

    test("rspamd's TLD list was compiled beside the setup's steps, and the service's start found it compiled", async () => {
      // The warm-up, started after the packages, compiled the list (10 s of CPU or more) ...
      const warmup = rehearsal.container.readFile(`${STATE_DIR}/rspamd-warmup.log`) ?? "";
      expect(warmup).toMatch(/start compiling of \d+ TLD suffixes/);
      expect(warmup).toContain(RSPAMD_TLD_DONE);
      // ... so the service's own start loaded it from /var/lib/rspamd: start to done in seconds
      // (its log: Debian's rspamd.conf logs to a file; seconds are the log's resolution).
      const span = rspamdLogSpan(rehearsal.container.readFile("/var/log/rspamd/rspamd.log") ?? "", "TLD suffixes", RSPAMD_TLD_DONE);
      report[`${os} rspamd TLD list at start`] = span;
      expect(span).toBeLessThan(5);
    });

    test("mounted the data volume it found through EC2 and bind-mounted the queue and the mailboxes from it", async () => {
      const mounts = (await rehearsal.exec(["findmnt", "-rn", "-o", "TARGET,SOURCE,FSTYPE"])).stdout;
      expect(mounts).toMatch(/^\/srv\/mail-data \/dev\/loop\d+ ext4$/m);
      expect(mounts).toMatch(/^\/var\/spool\/postfix \/dev\/loop\d+\[\/postfix-spool\] ext4$/m);
      expect(mounts).toMatch(/^\/var\/mail\/vhosts \/dev\/loop\d+\[\/mailboxes\] ext4$/m);
      expect(rehearsal.container.readFile("/etc/fstab")).toMatch(/^UUID=\S+ \/srv\/mail-data ext4 defaults,nofail 0 2$/m);
    });

    test("made only calls the instance role allows, each kind the scripts need", () => {
      const calls = rehearsal.world.calls.filter((c) => c.service !== "imds");
      expect(calls.filter((c) => c.decision === "denied")).toEqual([]);
      const actions = new Set(calls.filter((c) => c.decision === "allowed").map((c) => c.action));
      for (const action of [
        "ec2:DescribeVolumes",
        "ssm:GetParameter",
        "s3:GetObject",
        "route53:ListHostedZones",
        "route53:ChangeResourceRecordSets",
        "route53:GetChange",
      ]) {
        expect(actions).toContain(action);
      }
      const parameters = calls.filter((c) => c.action === "ssm:GetParameter").map((c) => c.resource);
      expect(parameters.sort()).toEqual([
        "arn:aws:ssm:eu-central-1:123456789012:parameter/acme-mail/dkim/biz2026",
        "arn:aws:ssm:eu-central-1:123456789012:parameter/acme-mail/dkim/mail2026",
      ]);
    });

    test("IMDSv1 is refused inside the host; IMDSv2 answers", async () => {
      const v1 = await rehearsal.exec(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://169.254.169.254/latest/meta-data/instance-id"]);
      expect(v1.stdout).toBe("401");
      const v2 = await rehearsal.exec([
        "sh",
        "-c",
        "t=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) && curl -sf -H \"X-aws-ec2-metadata-token: $t\" http://169.254.169.254/latest/meta-data/instance-id",
      ]);
      expect(v2.stdout).toBe(rehearsal.deployment.instance.id);
    });

    test("the host reads its own DKIM keys and no other parameter of the account", async () => {
      rehearsal.world.putParameter("/other-team/database-password", "hunter2", { secure: true });
      const other = await rehearsal.exec(["mail-platform-aws", "--region", "eu-central-1", "get-parameter", "/other-team/database-password"]);
      expect(other.status).not.toBe(0);
      expect(other.stderr).toContain(
        "is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-central-1:123456789012:parameter/other-team/database-password with an explicit deny",
      );
      for (const [parameter, file] of dkimKeyFiles(rehearsal.plan, HOST_PATHS)) {
        // mail-platform-aws get-parameter ends the value with a newline of its own.
        expect(rehearsal.container.readFile(file)?.trimEnd()).toBe(rehearsal.substitutions.dkimPrivateKeys.get(parameter)!.trimEnd());
        expect((await rehearsal.exec(["stat", "-c", "%a %U", file])).stdout.trim()).toBe("600 opendkim");
      }
    });
  });

  describe("listeners, TLS and certificates, probed over the veth", () => {
    test("every listener of the bundle answers on every group address", async () => {
      const listeners = rehearsal.hostPlan.expectedListeners;
      expect(listeners.length).toBeGreaterThanOrEqual(12);
      const answering = await Promise.all(listeners.map(async ([address, port]) => [`${address}:${port}`, await accepts(address, port)] as const));
      expect(answering.filter(([, ok]) => !ok)).toEqual([]);
    });

    test("SMTP greets with the group's own host name on each group address (25 and 587)", () => {
      for (const address of groupAddresses()) {
        for (const port of ["25", "587"]) {
          const lines = greeting(address.privateIp, port);
          expect(lines.pop()).toBe(`220 ${address.hostName} ESMTP`);
          expect(lines.every((l) => l === `220-${address.hostName} ESMTP`)).toBe(true);
        }
      }
    });

    test("25 offers STARTTLS and never AUTH; 587 offers AUTH only after STARTTLS and refuses MAIL before it", () => {
      for (const { privateIp } of groupAddresses()) {
        const mx = swaks(["-s", privateIp, "-p", "25", "--ehlo", `mx.${OUTSIDE_DOMAIN}`, "--tls", "--quit-after", "EHLO"]);
        expect(mx.transcript).toMatch(/TLS started/);
        expect(ehloKeywords(mx)).not.toContain("AUTH");
        const plain = swaks(["-s", privateIp, "-p", "587", "--quit-after", "EHLO"]);
        expect(ehloKeywords(plain)).toContain("STARTTLS");
        expect(ehloKeywords(plain)).not.toContain("AUTH");
        expect(replies(swaks(["-s", privateIp, "-p", "587", "--tls", "--quit-after", "EHLO"]).transcript)).toContain("250-AUTH PLAIN LOGIN");
        const early = swaks(["-s", privateIp, "-p", "587", "-f", user, "-t", `someone@${OUTSIDE_DOMAIN}`, "--quit-after", "MAIL"]);
        expect(replies(early.transcript)).toContain("530 5.7.0 Must issue a STARTTLS command first");
      }
    });

    test("each TLS port presents the pebble-issued certificate of the group's host name, verified against pebble's root", () => {
      for (const { privateIp, hostName } of groupAddresses()) {
        for (const [port, starttls] of [
          ["25", "smtp"],
          ["587", "smtp"],
          ["465", undefined],
          ["993", undefined],
          ["995", undefined],
        ] as const) {
          const presented = presentedCertificate(`${privateIp}:${port}`, hostName, pebbleRoot, starttls);
          expect({ port, ...presented }).toEqual({ port, verified: true, names: [hostName], detail: "Verify return code: 0 (ok)" });
        }
      }
    });

    test(
      "nmap grades every TLS port A on every group address",
      async () => {
        for (const { privateIp } of groupAddresses()) {
          const ports = ["25", "465", "587", "993", "995", "443"];
          expect(leastStrength(privateIp, ports)).toEqual(Object.fromEntries(ports.map((p) => [p, "A"])));
        }
      },
      5 * MINUTE,
    );

    test("MTA-STS policies are served over HTTPS with pebble-issued certificates for mta-sts.<domain>", async () => {
      const business = groupAddresses()[0]!.privateIp;
      const { status, body } = await httpsGet(business, "mta-sts.acme-corp.example", "/.well-known/mta-sts.txt", readFileSync(pebbleRoot, "utf8"));
      expect(status).toBe(200);
      expect(body).toBe("version: STSv1\r\nmode: testing\r\nmx: mail.acme-corp.example\r\nmax_age: 604800\r\n");
    });
  });

  describe("mail in and out", () => {
    test("mail from an outside server is delivered into the mailbox on the data volume, scanned by rspamd through its socket", async () => {
      const marker = `inbound-${Date.now()}`;
      const business = groupAddresses()[0]!.privateIp;
      const result = swaks([
        "-s",
        business,
        "-p",
        "25",
        "--tls",
        "--ehlo",
        `mx.${OUTSIDE_DOMAIN}`,
        "-f",
        `someone@${OUTSIDE_DOMAIN}`,
        "-t",
        user,
        "--header",
        `Subject: ${marker}`,
      ]);
      expect(codes(result)).toContain("250");
      const dir = MAILDIR_NEW;
      const message = await waitFor("delivery into the mailbox", () =>
        rehearsal.container
          .listDirectory(dir)
          .map((f) => rehearsal.container.readFile(`${dir}/${f}`)!)
          .find((m) => m.includes(marker)),
      );
      expect(message).toMatch(/^Received: from mx\.outside\.example \(unknown \[198\.18\.0\.40\]\)/m);
      expect((await rehearsal.exec(["findmnt", "-rn", "-o", "SOURCE", "--target", dir])).stdout).toMatch(/\[\/mailboxes\]/);
      // The milter's verdict: a socket rspamd could not bind, or Postfix could not reach, lets mail through unscanned.
      expect(message).toMatch(/^X-Spam-Status: (?:Yes|No), score=[\d.]+$/m);
      expect((await rehearsal.exec(["stat", "-c", "%U:%G %a", "/var/spool/postfix/rspamd"])).stdout.trim()).toBe("_rspamd:postfix 2750");
    });

    test(
      "submitted mail leaves from the group's address with its HELO, DKIM-signed; the signature verifies against the published key",
      async () => {
        const marker = `outbound-${Date.now()}`;
        const business = groupAddresses()[0]!;
        const sent = await swaksAsync([
          "-s",
          business.privateIp,
          "-p",
          "587",
          "--tls",
          "-a",
          "PLAIN",
          "-au",
          user,
          "-ap",
          password,
          "-f",
          user,
          "-t",
          `reader@${OUTSIDE_DOMAIN}`,
          "--header",
          `Subject: ${marker}`,
        ]);
        expect({ queued: codes(sent).includes("250"), transcript: codes(sent).includes("250") ? "" : `${sent.transcript}\n${await hostLog()}` }).toEqual({
          queued: true,
          transcript: "",
        });
        const session = await sink.waitForMessage((s) => (s.data ?? "").includes(marker), 90_000);
        expect([session.peerAddress, session.helo, session.mailFrom, session.tls]).toEqual([business.privateIp, business.hostName, user, true]);
        expect(session.data).toMatch(/d=acme-corp\.example;\s*s=biz2026;/);
        expect(verifyDkimWith(WORLD_ADDRESSES.resolver, session.data!)).toBe("pass");
      },
      4 * MINUTE,
    );
  });

  describe("the live suite's probes, from a genuine outside client", () => {
    const business = () => groupAddresses()[0]!.privateIp;

    test.each(relayTricks("acme-corp.example", OUTSIDE_DOMAIN))("no open relay: refuses %s", (_what, from, to) => {
      const result = swaks(["-s", business(), "-p", "25", "--ehlo", `mx.${OUTSIDE_DOMAIN}`, "--tls", "-f", from, "-t", to, "--quit-after", "RCPT"]);
      expect(replyTo(result.transcript, /^RCPT TO/).join("\n")).toMatch(/^[45]\d\d /m);
      expect(sink.messages().some((m) => m.recipients.some((r) => r.includes("victim")))).toBe(false);
    });

    test("a domain that requires TLS refuses plaintext mail with the configured text", () => {
      const result = swaks([
        "-s",
        business(),
        "-p",
        "25",
        "--ehlo",
        `mx.${OUTSIDE_DOMAIN}`,
        "-f",
        `peer@${OUTSIDE_DOMAIN}`,
        "-t",
        user,
        "--quit-after",
        "RCPT",
      ]);
      expect(replies(result.transcript)).toContain("550 5.7.1 This domain accepts mail only over an encrypted connection: use STARTTLS.");
    });

    test(
      "a client in the blocklists is refused at connect on 25, not on 587",
      async () => {
        const listed = swaks([
          "-s",
          business(),
          "-p",
          "25",
          "--ehlo",
          `mx.${OUTSIDE_DOMAIN}`,
          "--local-interface",
          WORLD_ADDRESSES.listedClient,
          "-f",
          `someone@${OUTSIDE_DOMAIN}`,
          "-t",
          user,
          "--quit-after",
          "RCPT",
        ]);
        expect(replies(listed.transcript).join("\n")).toMatch(/^5\d\d .*blocked using zen\.spamhaus\.org/m);
        const submission = await swaksAsync([
          "-s",
          business(),
          "-p",
          "587",
          "--local-interface",
          WORLD_ADDRESSES.listedClient,
          "--tls",
          "-a",
          "PLAIN",
          "-au",
          user,
          "-ap",
          password,
          "--quit-after",
          "AUTH",
        ]);
        expect(replies(submission.transcript)).toContain("235 2.7.0 Authentication successful");
      },
      4 * MINUTE,
    );

    test(
      "Postfix resolves through the host's own validating unbound: the chroot's resolv.conf names it, and a blocklist lookup goes through it",
      async () => {
        expect((await rehearsal.exec(["systemctl", "is-active", "unbound"])).stdout.trim()).toBe("active");
        for (const file of ["/etc/resolv.conf", "/var/spool/postfix/etc/resolv.conf"]) {
          const text = (await rehearsal.exec(["cat", file])).stdout;
          expect({ file, nameservers: text.split("\n").filter((l) => l.startsWith("nameserver")) }).toEqual({ file, nameservers: ["nameserver 127.0.0.1"] });
        }
        expect((await rehearsal.exec(["systemctl", "is-active", "systemd-resolved"])).stdout.trim()).not.toBe("active");
        // The stand-in root's key is the anchor (the rehearsal's substitution), and unbound validates with it.
        // unbound rewrites its anchor file with the root's DNSKEYs and their RFC 5011 state: the stand-in's KSK, valid.
        const keyTag = /IN\s+DS\s+(\d+)\s/.exec(rehearsal.root.trustAnchor)![1]!;
        const anchor = (await rehearsal.exec(["cat", "/var/lib/unbound/root.key"])).stdout;
        expect(anchor).toMatch(new RegExp(`id = ${keyTag} \\(ksk\\).*state=2 \\[\\s*VALID\\s*\\]`));
        // A listed client connects: postscreen's lookup of it lands in unbound's cache, and the root was asked
        // by the host itself (an iterating resolver starts there; a client of the VPC resolver never does).
        const listedName = `${WORLD_ADDRESSES.listedClient.split(".").reverse().join(".")}.zen.spamhaus.org`;
        await rehearsal.exec(["unbound-control", "flush", listedName]);
        const listed = swaks([
          "-s",
          business(),
          "-p",
          "25",
          "--ehlo",
          `mx.${OUTSIDE_DOMAIN}`,
          "--local-interface",
          WORLD_ADDRESSES.listedClient,
          "--quit-after",
          "RCPT",
          "-t",
          user,
        ]);
        expect(replies(listed.transcript).join("\n")).toMatch(/blocked using zen\.spamhaus\.org/);
        const cache = (await rehearsal.exec(["unbound-control", "dump_cache"])).stdout;
        expect(cache).toMatch(new RegExp(`^${listedName.replace(/\./g, "\\.")}\\.\\s+\\d+\\s+IN\\s+A\\s+127\\.0\\.0\\.2$`, "m"));
        const primary = groupAddresses()[0]!.privateIp;
        expect(rehearsal.root.queryLog()).toMatch(new RegExp(`client @\\S+ ${primary.replace(/\./g, "\\.")}#\\d+ \\([^)]*spamhaus\\.org\\)`, "i"));
      },
      2 * MINUTE,
    );

    test("TLS 1.0 and 1.1 handshakes fail on every TLS port; TLS 1.2 succeeds", () => {
      for (const flag of ["-tls1", "-tls1_1"]) {
        for (const [port, starttls] of [
          ["25", "smtp"],
          ["587", "smtp"],
          ["465", undefined],
          ["993", undefined],
          ["995", undefined],
        ] as const) {
          expect({ flag, port, ok: handshake(`${business()}:${port}`, flag, starttls) }).toEqual({ flag, port, ok: false });
        }
      }
      expect(handshake(`${business()}:465`, "-tls1_2")).toBe(true);
    });

    test("IMAPS and POP3S logins work over TLS (case-insensitive), a wrong password does not", async () => {
      const imap = await TextClient.tls(business(), 993, groupAddresses()[0]!.hostName);
      await imap.readUntil((l) => l.startsWith("* OK"));
      imap.write(`a LOGIN "${user.toUpperCase()}" "${password}"\r\n`);
      expect((await imap.readUntil((l) => l.startsWith("a "))).pop()).toMatch(/^a OK .*Logged in/);
      imap.write("b SELECT INBOX\r\n");
      expect((await imap.readUntil((l) => l.startsWith("b "))).pop()).toMatch(/^b OK/);
      imap.close();
      const pop = await TextClient.tls(groupAddresses()[1]!.privateIp, 995, groupAddresses()[1]!.hostName);
      await pop.readUntil((l) => l.startsWith("+OK"));
      pop.write(`USER ${user}\r\n`);
      await pop.readUntil((l) => /^[+-]/.test(l));
      pop.write("PASS not-the-password\r\n");
      expect((await pop.readUntil((l) => /^[+-]/.test(l))).pop()).toMatch(/^-ERR/);
      pop.close();
    });

    test("a bare-LF end-of-data sequence does not end the message (SMTP smuggling)", async () => {
      const client = await TextClient.plain(business(), 25);
      await client.smtpReply();
      await client.smtp("EHLO client.outside.example");
      expect((await client.smtp("STARTTLS")).pop()).toMatch(/^220 /);
      await client.upgrade(groupAddresses()[0]!.hostName);
      await client.smtp("EHLO client.outside.example");
      expect((await client.smtp(`MAIL FROM:<smuggler@${OUTSIDE_DOMAIN}>`)).pop()).toMatch(/^250 /);
      expect((await client.smtp(`RCPT TO:<${user}>`)).pop()).toMatch(/^250 /);
      expect((await client.smtp("DATA")).pop()).toMatch(/^354 /);
      const marker = `smuggling-${Date.now()}`;
      client.write(`Subject: ${marker}\r\n\r\nfirst part\n.\r\nMAIL FROM:<forged@acme-corp.example>\r\nRCPT TO:<${user}>\r\nDATA\r\nsmuggled\r\n.\n`);
      expect(await client.silentFor(1500)).toBe(true);
      expect((await client.smtp("\r\n.")).pop()).toMatch(/^250 2\.0\.0 Ok: queued/);
      await client.smtp("QUIT");
      client.close();
      const dir = MAILDIR_NEW;
      const messages = () => rehearsal.container.listDirectory(dir).map((f) => rehearsal.container.readFile(`${dir}/${f}`)!);
      const message = await waitFor("the smuggling message", () => messages().find((m) => m.includes(marker)));
      expect(message).toContain("smuggled");
      expect(messages().filter((m) => m.includes("forged@acme-corp.example") && !m.includes(marker))).toEqual([]);
    });

    if (os === "debian-13") {
      test("Postfix and Dovecot negotiate the post-quantum hybrid X25519MLKEM768 with an OpenSSL 3.5 client", () => {
        const openssl = programsOf("debian-13");
        for (const [port, starttls] of [
          ["25", "smtp"],
          ["465", undefined],
          ["993", undefined],
        ] as const) {
          const result = openssl.run(
            "openssl",
            ["s_client", "-connect", `${business()}:${port}`, "-groups", "X25519MLKEM768:X25519", ...(starttls ? ["-starttls", starttls] : [])],
            { input: "" },
          );
          expect({ port, group: /Negotiated TLS1\.3 group: (\S+)/.exec(result.stdout)?.[1] ?? result.stdout.slice(-300) }).toEqual({
            port,
            group: "X25519MLKEM768",
          });
        }
      });
    }
  });

  if (os === "debian-13")
    describeBlocklistWatch(
      () => rehearsal,
      (seconds) => (report[`${os} blocklist watch`] = seconds),
    );

  describe("rollout as AWS runs it", () => {
    test(
      "a change reaches the running host through the association's command from cdk.tf.json; queued mail survives",
      async () => {
        const business = groupAddresses()[0]!.privateIp;
        // Queue a message that cannot leave yet: partner.example requires TLS and its MX offers none.
        sink.offerStartTls = false;
        const marker = `queued-${Date.now()}`;
        const queuedReply = await swaksAsync([
          "-s",
          business,
          "-p",
          "587",
          "--tls",
          "-a",
          "PLAIN",
          "-au",
          user,
          "-ap",
          password,
          "-f",
          user,
          "-t",
          "contracts@partner.example",
          "--header",
          `Subject: ${marker}`,
        ]);
        expect(codes(queuedReply).includes("250") ? "" : `${queuedReply.transcript}\n${await hostLog()}`).toBe("");
        const queued = async () => (await rehearsal.exec(["postqueue", "-j"])).stdout.split("\n").filter((l) => l.includes("contracts@partner.example"));
        await waitFor("the message deferred", async () => ((await queued()).some((l) => l.includes("TLS is required")) ? true : undefined), 120_000);
        const before = swaks([
          "-s",
          business,
          "-p",
          "25",
          "--ehlo",
          `mx.${OUTSIDE_DOMAIN}`,
          "--tls",
          "-f",
          `peer@${OUTSIDE_DOMAIN}`,
          "-t",
          "anyone@sales.acme-corp.example",
          "--quit-after",
          "RCPT",
        ]);
        expect(replyTo(before.transcript, /^RCPT TO/).join("\n")).toMatch(/^554 5\.7\.1 .*Relay access denied/);

        // Every certbot run logs its arguments into letsencrypt.log (Debian's certbot appends to one file).
        const certbotRuns = () =>
          [...(rehearsal.container.readFile("/var/log/letsencrypt/letsencrypt.log") ?? "").matchAll(/^.*:certbot\._internal\.main:Arguments: .*$/gm)].map(
            (m) => m[0],
          );
        const runsBefore = certbotRuns().length;
        const result = await rehearsal.rollout((input) => {
          input.groups[0]!.domains.push({ name: "sales.acme-corp.example" });
          input.messageSizeLimitBytes = 52_428_800;
        });
        report[`${os} rollout`] = result.seconds;
        expect(result.command).toMatch(
          /^\/usr\/local\/sbin\/mail-platform-apply s3:\/\/acme-mail-config-vpc-0a1b2c3d4e5f60718\/bundles\/mx1\/[0-9a-f]{64}\.json$/,
        );
        expect({ status: result.status, output: result.output }).toEqual({
          status: 0,
          output: expect.stringContaining(`applied bundle ${result.bundle.id.slice(0, 12)}`),
        });

        expect((await rehearsal.exec(["postconf", "-h", "message_size_limit"])).stdout.trim()).toBe("52428800");
        const after = swaks([
          "-s",
          business,
          "-p",
          "25",
          "--ehlo",
          `mx.${OUTSIDE_DOMAIN}`,
          "--tls",
          "-f",
          `peer@${OUTSIDE_DOMAIN}`,
          "-t",
          "anyone@sales.acme-corp.example",
          "--quit-after",
          "RCPT",
        ]);
        expect(replyTo(after.transcript, /^RCPT TO/).join("\n")).toMatch(/^550 5\.1\.1 .*Recipient address rejected/);
        // The new domain's MTA-STS name got its certificate before nginx was checked, by the only
        // certbot run of the rollout: the names that have a certificate are kept without it.
        const runsDuring = certbotRuns().slice(runsBefore);
        expect(runsDuring).toHaveLength(1);
        expect(runsDuring[0]).toContain("'mta-sts.sales.acme-corp.example'");
        const policy = await httpsGet(business, "mta-sts.sales.acme-corp.example", "/.well-known/mta-sts.txt", readFileSync(pebbleRoot, "utf8"));
        expect(policy.status).toBe(200);

        expect(await queued()).toHaveLength(1);
        sink.offerStartTls = true;
        await rehearsal.exec(["postqueue", "-f"]);
        const delivered = await sink.waitForMessage((s) => (s.data ?? "").includes(marker), 60_000);
        expect([delivered.tls, delivered.recipients]).toEqual([true, ["contracts@partner.example"]]);
      },
      5 * MINUTE,
    );

    test(
      "a bundle the programs reject is refused before anything changes; the configuration in place keeps serving",
      async () => {
        const current = await rehearsal.rollout((input) => {
          input.groups[0]!.domains.push({ name: "sales.acme-corp.example" });
          input.messageSizeLimitBytes = 52_428_800;
        }, "rollout-again");
        expect(current.output).toContain("is already applied: nothing to do");
        const { id: _id, format: _format, ...parts } = current.bundle;
        const broken = buildBundle({
          ...parts,
          files: parts.files.map((f) => (f.path === "/etc/postfix/main.cf" ? { ...f, content: `${f.content}smtpd_tls_security_levle = encrypt\n` } : f)),
        });
        const result = await rehearsal.rolloutBundle(broken);
        expect(result.status).toBe(2);
        expect(result.output).toMatch(/REJECTED, nothing changed: postconf -c \S+ -n failed .*unused parameter: smtpd_tls_security_levle=encrypt/);
        expect((await rehearsal.exec(["postconf", "-h", "message_size_limit"])).stdout.trim()).toBe("52428800");
        expect(rehearsal.container.readFile("/etc/postfix/main.cf")).not.toContain("levle");
        for (const { privateIp } of groupAddresses()) expect(await accepts(privateIp, 25)).toBe(true);
      },
      3 * MINUTE,
    );
  });

  if (os === "debian-12") {
    test(
      "hands its data volume to the Debian 13 instance that replaces it, with a message delivered and one still queued",
      async () => {
        const business = groupAddresses()[0]!.privateIp;
        const delivered = `delivered-on-debian-12-${Date.now()}`;
        const inbound = swaks([
          "-s",
          business,
          "-p",
          "25",
          "--ehlo",
          `mx.${OUTSIDE_DOMAIN}`,
          "--tls",
          "-f",
          `someone@${OUTSIDE_DOMAIN}`,
          "-t",
          user,
          "--header",
          `Subject: ${delivered}`,
        ]);
        expect(codes(inbound)).toContain("250");
        const inMailbox = () =>
          rehearsal.container.listDirectory(MAILDIR_NEW).some((f) => rehearsal.container.readFile(`${MAILDIR_NEW}/${f}`)!.includes(delivered));
        await waitFor("delivery on Debian 12", () => (inMailbox() ? true : undefined));
        // A message that cannot leave yet: partner.example requires TLS and its MX offers none now.
        sink.offerStartTls = false;
        const queued = `queued-on-debian-12-${Date.now()}`;
        const submitted = await swaksAsync([
          "-s",
          business,
          "-p",
          "587",
          "--tls",
          "-a",
          "PLAIN",
          "-au",
          user,
          "-ap",
          password,
          "-f",
          user,
          "-t",
          "contracts@partner.example",
          "--header",
          `Subject: ${queued}`,
        ]);
        expect(codes(submitted)).toContain("250");
        const deferred = async () => (await rehearsal.exec(["postqueue", "-j"])).stdout.split("\n").filter((l) => l.includes("TLS is required"));
        await waitFor("the message deferred", async () => ((await deferred()).length === 1 ? true : undefined), 120_000);
        handedOver = { volume: rehearsal.dataVolumeFile!, delivered, queued };
      },
      4 * MINUTE,
    );
  }
});

describe("a first boot that fails where a deploy would, changes nothing, and recovers by itself once the cause is gone", () => {
  let rehearsal: Rehearsal;
  /** The instance role lacks the statement that lets it read its bundle; the ACME server is down. */
  let roleFailure: FirstBootError;
  /** With the role fixed (as a deploy of the fixed stack would), the ACME server is still down. */
  let acmeFailure: FirstBootError;
  const failureOf = (wait: Promise<unknown>) =>
    wait.then(
      () => {
        throw new Error("the first boot succeeded despite what it lacks");
      },
      (error: unknown) => error as FirstBootError,
    );

  beforeAll(async () => {
    rehearsal = await Rehearsal.start({
      input: exampleInput(),
      log,
      acmeDown: true,
      withheldStatements: [{ policy: "read-own-configuration", sid: "ReadOwnBundles" }],
    });
    roleFailure = await failureOf(rehearsal.waitForFirstBoot({ timeoutMs: 15 * MINUTE, maxFailures: 1 }));
    rehearsal.world.restorePolicies();
    acmeFailure = await failureOf(rehearsal.waitForFirstBoot({ timeoutMs: 5 * MINUTE, maxFailures: 2 }));
  }, 20 * MINUTE);

  afterAll(async () => {
    await rehearsal?.stop();
  }, 2 * MINUTE);

  test("a statement missing from the instance role makes the attempt fail at the call it blocks, named in the report", () => {
    expect(roleFailure).toBeInstanceOf(FirstBootError);
    expect(roleFailure.outcome.failures[0]).toMatchObject({ step: "configuration bundle and certificates", attempt: 1 });
    expect(rehearsal.world.firstDenied()).toMatchObject({
      action: "s3:GetObject",
      resource: expect.stringMatching(/^arn:aws:s3:::acme-mail-config-vpc-0a1b2c3d4e5f60718\/bundles\/mx1\/[0-9a-f]{64}\.json$/),
    });
    expect(roleFailure.message).toMatch(/AWS calls refused by the stand-ins:\n {2}s3:GetObject on arn:aws:s3:::acme-mail-config/);
    expect(roleFailure.setupLogTail).toMatch(/cannot fetch s3:\/\/acme-mail-config-vpc-0a1b2c3d4e5f60718\/bundles\/mx1\/.*AccessDenied/);
  });

  test("with the role fixed, the next attempt fails at the certificates while the ACME server is down, with the reason in the setup log", () => {
    expect(acmeFailure).toBeInstanceOf(FirstBootError);
    expect(acmeFailure.outcome.failures[1]).toMatchObject({ step: "configuration bundle and certificates", attempt: 2 });
    expect(acmeFailure.setupLogTail).toMatch(/REJECTED, nothing changed: .*mail-platform-certificates/);
  });

  test("nothing serves and nothing of the configuration is installed; the SSM agent runs, so the host can be reached", async () => {
    for (const { privateIp } of rehearsal.hostPlan.addresses) {
      for (const port of [25, 465, 587, 993, 995, 443]) expect(await accepts(privateIp, port)).toBe(false);
    }
    expect(rehearsal.container.readFile("/etc/postfix/main.cf")).toBeUndefined();
    expect(rehearsal.container.readFile("/etc/mail-platform/certificates")).toBeUndefined();
    expect((await rehearsal.exec(["test", "-x", "/usr/sbin/policy-rc.d"])).status).toBe(0);
    expect((await rehearsal.exec(["systemctl", "is-active", "postfix", "dovecot", "nginx", "opendkim"])).stdout.trim().split("\n")).toEqual(
      Array(4).fill("inactive"),
    );
    expect((await rehearsal.exec(["systemctl", "is-enabled", "postfix", "dovecot", "nginx", "opendkim"])).stdout.trim().split("\n")).toEqual(
      Array(4).fill("disabled"),
    );
    expect((await rehearsal.exec(["systemctl", "is-active", "amazon-ssm-agent"])).stdout.trim()).toBe("active");
  });

  test(
    "with the ACME server back, a later attempt finishes without anyone touching the host",
    async () => {
      const down = Date.now();
      await rehearsal.acme.startPebble();
      const outcome = await rehearsal.waitForFirstBoot({ timeoutMs: 10 * MINUTE });
      report.recovery = { ...rehearsal.timings, attempts: outcome.failures.length + 1, secondsAfterAcmeBack: (Date.now() - down) / 1000 };
      expect(outcome.done).toBe(true);
      for (const [address, port] of rehearsal.hostPlan.expectedListeners) expect(await accepts(address, port)).toBe(true);
    },
    11 * MINUTE,
  );
});

describe("negative control: the rehearsal reports a setup that stops early", () => {
  test(
    "a user data whose setup exits early is reported with the step and the setup log's last lines",
    async () => {
      const rehearsal = await Rehearsal.start({
        input: exampleInput(),
        log,
        alterTerraform: (json) => {
          const instance = Object.values(json.resource.aws_instance!)[0]!;
          const text = gunzipSync(Buffer.from(String(instance.user_data_base64), "base64")).toString("utf8");
          const early = text.replace(/^( *)step "SSM agent"$/m, '$1step "SSM agent"\n$1echo "stopping early on purpose"\n$1exit 3');
          expect(early).not.toBe(text);
          instance.user_data_base64 = gzipSync(Buffer.from(early, "utf8")).toString("base64");
        },
      });
      try {
        const error = await rehearsal.waitForFirstBoot({ timeoutMs: 5 * MINUTE, maxFailures: 1 }).then(
          () => undefined,
          (e: unknown) => e as FirstBootError,
        );
        expect(error).toBeInstanceOf(FirstBootError);
        expect(error!.message).toMatch(/^the first-boot setup failed at step "SSM agent" \(exit 3, attempt 1\)/);
        expect(error!.message).toContain("--- last lines of /var/log/mail-platform-setup.log ---");
        expect(error!.setupLogTail).toMatch(
          /stopping early on purpose\n.*mail-platform setup FAILED at step "SSM agent" \(exit 3, attempt 1\); next attempt in 10 s$/,
        );
      } finally {
        await rehearsal.stop();
      }
    },
    10 * MINUTE,
  );
});

describe("the command", () => {
  test(
    "mail-platform rehearse boots the example's host and reports it serving (JSON, exit 0)",
    () => {
      const bin = join(__dirname, "..", "..", "..", "bin", "mail-platform.js");
      const example = join(__dirname, "..", "..", "..", "examples", "customer-groups", "platform.yaml");
      const result = spawnSync(process.execPath, [bin, "rehearse", example], { encoding: "utf8", timeout: 20 * MINUTE });
      expect({ status: result.status, stderr: result.status === 0 ? "" : result.stderr }).toEqual({ status: 0, stderr: "" });
      const report = JSON.parse(result.stdout) as {
        attempts: number;
        awsCalls: { denied: string[] };
        checks: Array<{ check: string; ok: boolean }>;
        timings: Record<string, number>;
      };
      expect(report.attempts).toBe(1);
      expect(report.awsCalls.denied).toEqual([]);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.checks.filter((c) => / greets as /.test(c.check))).toHaveLength(4);
      expect(report.checks.filter((c) => /presents a verified certificate/.test(c.check))).toHaveLength(6);
      logTimings("command", report.timings);
    },
    21 * MINUTE,
  );
});

// Two hosts at once: a backup MX and its home (backup-mx-scenario.ts).
describeBackupMx();

// Users as data on a booted host, and the operator's password commands (mailbox-passwords-scenario.ts).
describeMailboxPasswords();
