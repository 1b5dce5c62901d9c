/**
 * Mailbox quotas, running: the rendered Dovecot quota plugin and quota-status policy with the
 * real Postfix. A mailbox filled beyond its quota is refused at RCPT with 452 4.2.2 (on port 25
 * and on submission), nothing is accepted and bounced afterwards, and a mailbox under its quota
 * still receives. Loopback block 127.0.91.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { OUTSIDE_DOMAIN, stateLayout } from "../../../lib/local/conventions";
import type { LocalState } from "../../../lib/local/state";
import { readLocalState } from "../../../lib/local/state";
import { localDown } from "../../../lib/local/stop";
import { localUp } from "../../../lib/local/up";
import { parsePlatform } from "../../../lib/validation/validate";
import { exampleInput } from "../../support/example";
import { deliveredMessages, replyTo, swaks, waitForDelivery } from "../../support/live";
import { firstDomain, withMailboxes } from "../../support/mailbox-model";
import { requirePrograms } from "../../support/programs";
import { TextClient } from "../../support/text-client";

const BLOCK = "127.0.91";
const STATE_DIR = "/tmp/quota-live";
/** 1 MiB: one large message fills it. */
const SMALL_QUOTA_MB = 1;
/** A body between the quota and the quota plus Dovecot's default grace (10 % in 2.3): delivered once, then the mailbox is over. */
const FILLING_BODY_BYTES = 1_080_000;

let state: LocalState;
let business: string;
let full: string;
let roomy: string;
/**
 * The sender of mail from outside: a foreign domain. A sender in the platform's own domains from
 * an outside client fails their DMARC (p=reject) at the content filter.
 */
const OUTSIDE_SENDER = `peer@${OUTSIDE_DOMAIN}`;
let empty: string;
let scratch: string;
const port = (service: keyof LocalState["ports"]) => String(state.ports[service]);
const layout = () => stateLayout(state.stateDir);

/** Port 25 as an internet client would use it (XCLIENT; TLS because the first domain requires it). */
const fromOutside = () => [
  "-s",
  business,
  "-p",
  port("smtp"),
  "--xclient-addr",
  "203.0.113.9",
  "--xclient-name",
  "mx.sender.example",
  "--ehlo",
  "mx.sender.example",
  "--tls",
];

function queueIsEmpty(): boolean {
  const queue = spawnSync("postqueue", ["-c", layout().postfixConfig, "-p"], { encoding: "utf8" });
  return /Mail queue is empty/.test(queue.stdout);
}

beforeAll(async () => {
  requirePrograms("postfix", "dovecot", "doveadm", "named", "swaks", "openssl", "opendkim", "nginx", "/usr/bin/python3");
  const input = exampleInput();
  // "full" has its own small quota; "roomy" gets the platform default; the local runner's tester (declared by the test overlay) gets the default too.
  withMailboxes(input, [{ local: "roomy" }, { local: "full", quotaMb: SMALL_QUOTA_MB }, { local: "empty", quotaMb: SMALL_QUOTA_MB }], 50);
  const domain = firstDomain(input);
  full = `full@${domain}`;
  roomy = `roomy@${domain}`;
  empty = `empty@${domain}`;
  await localDown(STATE_DIR).catch(() => undefined);
  await localUp(parsePlatform(input), { stateDir: STATE_DIR, loopbackBlock: BLOCK });
  state = readLocalState(STATE_DIR);
  business = state.addresses.business!;
  scratch = mkdtempSync("/tmp/quota-scratch-");
}, 180_000);

afterAll(async () => {
  if (state) await localDown(state.stateDir);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe("the rendered configuration", () => {
  test("doveconf -n reads it without a warning, and the userdb gives each mailbox its quota", () => {
    const doveconf = spawnSync("doveconf", ["-n", "-c", layout().dovecotConf], { encoding: "utf8" });
    expect(doveconf.status).toBe(0);
    expect(doveconf.stderr).toBe("");
    expect(doveconf.stdout).toMatch(/quota = count:User/);
    const user = (address: string) => spawnSync("doveadm", ["-c", layout().dovecotConf, "user", address], { encoding: "utf8" }).stdout;
    expect(user(full)).toMatch(/quota_rule\s+\*:storage=1M/);
    expect(user(roomy)).toMatch(/quota_rule\s+\*:storage=50M/);
    // The local runner's tester is a declared mailbox of the test spec: the platform default applies.
    expect(user(state.user.name)).toMatch(/quota_rule\s+\*:storage=50M/);
  });

  test("postfix check is silent", () => {
    const check = spawnSync("postfix", ["-c", layout().postfixConfig, "check"], { encoding: "utf8" });
    expect(check.status).toBe(0);
    expect(`${check.stdout}${check.stderr}`).toBe("");
  });
});

describe("a mailbox over its quota", () => {
  beforeAll(async () => {
    const body = join(scratch, "filling-body.txt");
    writeFileSync(body, `${"x".repeat(99)}\n`.repeat(FILLING_BODY_BYTES / 100));
    const sent = swaks([...fromOutside(), "-f", OUTSIDE_SENDER, "-t", full, "--header", "Subject: filling", "--body", `@${body}`, "--suppress-data"]);
    expect(replyTo(sent.transcript, /^RCPT TO/)).toEqual(["250 2.1.5 Ok"]);
    await waitForDelivery(state, full, (m) => m.includes("Subject: filling"), 30_000);
  }, 60_000);

  test("is over its limit as Dovecot counts it", () => {
    const quota = spawnSync("doveadm", ["-c", layout().dovecotConf, "-f", "tab", "quota", "get", "-u", full], { encoding: "utf8" });
    const storage = quota.stdout
      .split("\n")
      .find((l) => l.includes("STORAGE"))!
      .split("\t");
    // Quota name, type, value (KiB), limit (KiB), percent.
    expect(Number(storage[3])).toBe(SMALL_QUOTA_MB * 1024);
    expect(Number(storage[2])).toBeGreaterThan(Number(storage[3]));
  });

  test("refuses mail from the internet at RCPT with 452 4.2.2 (try again later)", () => {
    const result = swaks([...fromOutside(), "-f", roomy, "-t", full, "--quit-after", "RCPT"]);
    expect(replyTo(result.transcript, /^RCPT TO/)).toEqual([`452 4.2.2 <${full}>: Recipient address rejected: Mailbox is full`]);
  });

  test("refuses user+tag@ the same way", () => {
    const tagged = full.replace("@", "+news@");
    const result = swaks([...fromOutside(), "-f", roomy, "-t", tagged, "--quit-after", "RCPT"]);
    expect(replyTo(result.transcript, /^RCPT TO/).join("\n")).toMatch(/^452 4\.2\.2 .*Mailbox is full$/);
  });

  test("refuses mail a user submits to it (587) at RCPT, while a foreign recipient of the same user is accepted", () => {
    const submit = (to: string) =>
      swaks([
        "-s",
        business,
        "-p",
        port("submission"),
        "--tls",
        "-a",
        "PLAIN",
        "-au",
        state.user.name,
        "-ap",
        state.user.password,
        "-f",
        state.user.name,
        "-t",
        to,
        "--quit-after",
        "RCPT",
      ]);
    expect(replyTo(submit(full).transcript, /^RCPT TO/).join("\n")).toMatch(/^452 4\.2\.2 .*Mailbox is full$/);
    expect(replyTo(submit("friend@outside.example").transcript, /^RCPT TO/)).toEqual(["250 2.1.5 Ok"]);
  });

  test("a mailbox under its quota still receives", async () => {
    const sent = swaks([...fromOutside(), "-f", OUTSIDE_SENDER, "-t", roomy, "--header", "Subject: still room"]);
    expect(replyTo(sent.transcript, /^RCPT TO/)).toEqual(["250 2.1.5 Ok"]);
    await waitForDelivery(state, roomy, (m) => m.includes("Subject: still room"), 30_000);
  });

  test("nothing was accepted and bounced: the queue is empty, no bounce reached a mailbox, the log shows none", async () => {
    // Give a late failure time to show up (the LMTP delivery of anything accepted is near-instant).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(queueIsEmpty()).toBe(true);
    const bounces = [roomy, full].flatMap((address) =>
      deliveredMessages(state, address).filter((m) => /^From: MAILER-DAEMON/im.test(m) || /Undelivered Mail Returned/i.test(m)),
    );
    expect(bounces).toEqual([]);
    const log = readFileSync(layout().postfixLog, "utf8");
    expect(log).not.toMatch(/status=bounced|sender non-delivery notification/);
    expect(log).toMatch(/NOQUEUE: reject: RCPT from .*452 4\.2\.2 <full@/);
    expect(deliveredMessages(state, full)).toHaveLength(1);
  });
});

describe("a mailbox with room, but not for the announced message", () => {
  test("a sender that announces SIZE= larger than the quota is refused at RCPT with 452 4.2.2; a small one is accepted", async () => {
    const client = await TextClient.outsidePeerOverTls(business, Number(port("smtp")), {
      addr: "203.0.113.9",
      name: "mx.sender.example",
      helo: "mx.sender.example",
      servername: "mail.acme-corp.example",
    });
    try {
      expect((await client.smtp(`MAIL FROM:<${roomy}> SIZE=${2 * SMALL_QUOTA_MB * 1024 * 1024}`)).pop()).toMatch(/^250 /);
      expect((await client.smtp(`RCPT TO:<${empty}>`)).pop()).toMatch(/^452 4\.2\.2 .*Mailbox is full$/);
      await client.smtp("RSET");
      expect((await client.smtp(`MAIL FROM:<${roomy}> SIZE=10000`)).pop()).toMatch(/^250 /);
      expect((await client.smtp(`RCPT TO:<${empty}>`)).pop()).toMatch(/^250 /);
      await client.smtp("QUIT");
    } finally {
      client.close();
    }
    expect(deliveredMessages(state, empty)).toEqual([]);
  });
});
