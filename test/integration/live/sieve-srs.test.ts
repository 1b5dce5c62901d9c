/**
 * Sieve, ManageSieve and SRS running live (loopback block 127.0.92): a vacation script uploaded
 * over ManageSieve (STARTTLS, AUTHENTICATE PLAIN, PUTSCRIPT, SETACTIVE) answers a sender's first
 * mail once and not the second; mail forwarded to a foreign domain leaves with an SRS envelope
 * sender of the platform's domain, and mail to that SRS address (a bounce) goes back to the
 * original sender. The outside world is the test sink on the block's .200 address.
 */
import { readFileSync } from "fs";
import { OUTSIDE_DOMAIN, stateLayout } from "../../../lib/local/conventions";
import type { LocalState } from "../../../lib/local/state";
import type { PlatformInput } from "../../../lib/model/schema";
import { exampleInput } from "../../support/example";
import { flushQueue, replyTo, startInstance, stopInstance, swaks, testCertificate, waitForDelivery } from "../../support/live";
import { SmtpSink } from "../../support/smtp-sink";
import { TextClient } from "../../support/text-client";

const BLOCK = "127.0.92";
const DOMAIN = "acme-corp.example";
const FORWARD_TARGET = `partner@${OUTSIDE_DOMAIN}`;
const SRS_SENDER = new RegExp(`^SRS0=[^=@]+=[^=@]+=${OUTSIDE_DOMAIN.replace(".", "\\.")}=bob@${DOMAIN.replace(".", "\\.")}$`);

let state: LocalState;
let sink: SmtpSink;
let business: string;

function model(): PlatformInput {
  const input = exampleInput();
  input.services = { ...input.services, managesieve: true };
  const groups = input.groups.map((group) =>
    group.name === "business"
      ? {
          ...group,
          // Plaintext on 25 must be possible for the instance's own SMTP hand-over of replies (the
          // local runner's stand-in for /usr/sbin/sendmail); TLS enforcement is tested elsewhere.
          domains: group.domains.map((d) => ({ ...d, requireTlsInbound: false })),
          // An alias with a foreign target: the platform forwards, so postsrsd runs.
          aliases: [...(group.aliases ?? []).filter((a) => a.address !== `sales@${DOMAIN}`), { address: `sales@${DOMAIN}`, to: [FORWARD_TARGET] }],
        }
      : group,
  );
  return { ...input, groups };
}

beforeAll(async () => {
  state = await startInstance(model(), "sieve-srs", BLOCK);
  business = state.addresses.business!;
  sink = new SmtpSink(state.outside, testCertificate(state, `mx.${OUTSIDE_DOMAIN}`));
  await sink.start();
}, 180_000);

afterAll(async () => {
  await sink?.stop();
  await stopInstance(state);
}, 60_000);

/** Read a ManageSieve response: lines up to the one starting with OK, NO or BYE. */
async function response(client: TextClient): Promise<string[]> {
  return client.readUntil((line) => /^(OK|NO|BYE)\b/.test(line));
}

function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

function plainCredentials(): string {
  return Buffer.from(`\0${state.user.name}\0${state.user.password}`).toString("base64");
}

const SCRIPT = [
  'require ["vacation", "copy"];',
  'if header :contains "subject" "forward-me" {',
  `  redirect :copy "${FORWARD_TARGET}";`,
  "}",
  'vacation :days 1 :subject "Away" "I am away until Monday.";',
  "",
].join("\r\n");

function sendFromOutside(sender: string, subject: string, recipient = state.user.name): void {
  const result = swaks(["-s", business, "-p", String(state.ports.smtp), "-f", sender, "-t", recipient, "--header", `Subject: ${subject}`]);
  expect(replyTo(result.transcript, /^DATA/).pop()).toMatch(/^354/);
  expect(result.status).toBe(0);
}

async function waitForDovecotLog(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = readFileSync(stateLayout(state.stateDir).dovecotLog, "utf8")
      .split("\n")
      .find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no Dovecot log line matching ${pattern} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("ManageSieve on 4190", () => {
  test("refuses AUTHENTICATE before STARTTLS", async () => {
    const client = await TextClient.plain(business, state.ports.managesieve!);
    const greeting = await response(client);
    expect(greeting).toContain('"STARTTLS"');
    client.write(`AUTHENTICATE "PLAIN" ${quoted(plainCredentials())}\r\n`);
    expect((await response(client)).pop()).toMatch(/^NO .*(Plaintext authentication disallowed|TLS)/i);
    client.close();
  });

  test("accepts a script after STARTTLS and AUTHENTICATE PLAIN, and makes it the active one", async () => {
    const client = await TextClient.plain(business, state.ports.managesieve!);
    await response(client);
    client.write("STARTTLS\r\n");
    expect((await response(client)).pop()).toMatch(/^OK/);
    await client.upgrade("mail.acme-corp.example");
    // After TLS the server repeats its capabilities, now with the SASL mechanisms.
    expect((await response(client)).join("\n")).toMatch(/"SASL" ".*PLAIN/);
    client.write(`AUTHENTICATE "PLAIN" ${quoted(plainCredentials())}\r\n`);
    expect((await response(client)).pop()).toMatch(/^OK/);
    client.write(`PUTSCRIPT "vacation" {${Buffer.byteLength(SCRIPT)}+}\r\n${SCRIPT}\r\n`);
    expect((await response(client)).pop()).toMatch(/^OK/);
    client.write('SETACTIVE "vacation"\r\n');
    expect((await response(client)).pop()).toMatch(/^OK/);
    client.write("LISTSCRIPTS\r\n");
    expect(await response(client)).toContain('"vacation" ACTIVE');
    client.write("LOGOUT\r\n");
    client.close();
  });
});

describe("vacation replies", () => {
  test("answer a sender's first mail through the group's transport, from the recipient's address", async () => {
    const sender = `alice@${OUTSIDE_DOMAIN}`;
    sendFromOutside(sender, `first-${Date.now()}`);
    const reply = await sink.waitForMessage((s) => s.recipients.includes(sender) && (s.data ?? "").includes("Subject: Away"), 30_000);
    // The reply reached the original sender although the delivered mail's Return-Path was an
    // SRS address (postsrsd rewrites foreign senders): the reverse table turned it back.
    expect([reply.peerAddress, reply.helo, reply.mailFrom]).toEqual([business, "mail.acme-corp.example", state.user.name]);
    expect(reply.data).toMatch(/^Auto-Submitted: auto-replied/m);
  });

  test("do not answer the same sender's second mail within the period", async () => {
    const sender = `alice@${OUTSIDE_DOMAIN}`;
    const marker = `second-${Date.now()}`;
    sendFromOutside(sender, marker);
    await waitForDelivery(state, state.user.name, (m) => m.includes(marker), 30_000);
    await waitForDovecotLog(/discarded duplicate vacation response to <[^>]*=alice@/);
    flushQueue(state);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(sink.messages().filter((s) => s.recipients.includes(sender) && (s.data ?? "").includes("Subject: Away"))).toHaveLength(1);
  }, 60_000);

  test("do not answer mailing-list mail", async () => {
    const sender = `list-${Date.now()}@${OUTSIDE_DOMAIN}`;
    const marker = `list-${Date.now()}`;
    const result = swaks([
      "-s",
      business,
      "-p",
      String(state.ports.smtp),
      "-f",
      sender,
      "-t",
      state.user.name,
      "--header",
      `Subject: ${marker}`,
      "--add-header",
      "List-Id: <news.outside.example>",
    ]);
    expect(result.status).toBe(0);
    await waitForDelivery(state, state.user.name, (m) => m.includes(marker), 30_000);
    await waitForDovecotLog(new RegExp(`discarding vacation response to mailinglist recipient <[^>]*${sender.split("@")[0]}@`));
    flushQueue(state);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(sink.messages().some((s) => s.recipients.includes(sender))).toBe(false);
  }, 60_000);
});

describe("forwarding with SRS", () => {
  let srsAddress: string;

  test("mail forwarded to a foreign domain leaves with an SRS0 envelope sender of the platform's domain", async () => {
    const marker = `forward-me-${Date.now()}`;
    sendFromOutside(`bob@${OUTSIDE_DOMAIN}`, marker);
    const forwarded = await sink.waitForMessage((s) => s.recipients.includes(FORWARD_TARGET) && (s.data ?? "").includes(marker), 30_000);
    expect(forwarded.mailFrom).toMatch(SRS_SENDER);
    // The header the recipient sees is untouched: only the envelope is rewritten.
    expect(forwarded.data).toMatch(new RegExp(`^From: bob@${OUTSIDE_DOMAIN}`, "m"));
    expect(forwarded.peerAddress).toBe(business);
    srsAddress = forwarded.mailFrom!;
  });

  test("mail to an alias with a foreign target (the model's sales@) leaves with an SRS0 envelope sender too", async () => {
    const marker = `alias-forward-${Date.now()}`;
    sendFromOutside(`carol@${OUTSIDE_DOMAIN}`, marker, `sales@${DOMAIN}`);
    const forwarded = await sink.waitForMessage((s) => s.recipients.includes(FORWARD_TARGET) && (s.data ?? "").includes(marker), 30_000);
    expect(forwarded.mailFrom).toMatch(new RegExp(`^SRS0=[^=@]+=[^=@]+=${OUTSIDE_DOMAIN.replace(".", "\\.")}=carol@${DOMAIN.replace(".", "\\.")}$`));
    expect(forwarded.peerAddress).toBe(business);
  });

  test("a bounce to the SRS address goes back to the original sender", async () => {
    expect(srsAddress).toMatch(SRS_SENDER);
    const marker = `bounce-${Date.now()}`;
    const result = swaks(["-s", business, "-p", String(state.ports.smtp), "-f", "<>", "-t", srsAddress, "--header", `Subject: ${marker}`]);
    expect(replyTo(result.transcript, /^RCPT TO/).pop()).toMatch(/^250/);
    const bounce = await sink.waitForMessage((s) => (s.data ?? "").includes(marker), 30_000);
    expect(bounce.recipients).toEqual([`bob@${OUTSIDE_DOMAIN}`]);
  });

  test("a forged SRS address (wrong hash) is never turned back into a foreign recipient", async () => {
    const forged = srsAddress.replace(/^SRS0=[^=]+=/, "SRS0=AAAA=");
    const marker = `forged-${Date.now()}`;
    swaks(["-s", business, "-p", String(state.ports.smtp), "-f", "<>", "-t", forged, "--header", `Subject: ${marker}`]);
    flushQueue(state);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(sink.messages().some((s) => (s.data ?? "").includes(marker))).toBe(false);
  });
});
