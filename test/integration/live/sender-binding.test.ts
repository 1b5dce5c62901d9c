/**
 * Sender binding running live (loopback block 127.0.140; the outside world, a test sink, on its
 * .200): the example's two groups, business (own key biz2026) and private (the platform key
 * mail2026), with the test user tester@acme-corp.example in business.
 * - A business user's mail with `From:` of a private domain is signed for business, never for
 *   private (so it cannot pass DMARC as private); loopback applications are still signed for
 *   their From: domain.
 * - MAIL FROM:<> after AUTH is refused on 587 and 465.
 * - A bounce leaves from the bounce group (private, the lowest priority): its address, its HELO
 *   name, `MAILER-DAEMON@` its host name, with a DKIM signature of its domain that verifies.
 * Signatures are checked with dkimpy against the instance's DNS (test/support/dkim-verify.py).
 */
import { OUTSIDE_DOMAIN } from "../../../lib/local/conventions";
import type { LocalState } from "../../../lib/local/state";
import { exampleInput } from "../../support/example";
import { replyTo, startInstance, stopInstance, swaks, testCertificate, verifyDkim } from "../../support/live";
import { SmtpSink, type SinkSession } from "../../support/smtp-sink";

const BLOCK = "127.0.140";
const REFUSED = /^refused-/;

let state: LocalState;
let sink: SmtpSink;
const port = (service: keyof LocalState["ports"]) => String(state.ports[service]);

beforeAll(async () => {
  state = await startInstance(exampleInput(), "sender-binding", BLOCK);
  sink = new SmtpSink(state.outside, testCertificate(state, `mx.${OUTSIDE_DOMAIN}`));
  sink.refuseRecipient = (address) => REFUSED.test(address);
  await sink.start();
}, 180_000);

afterAll(async () => {
  await sink?.stop();
  await stopInstance(state);
}, 60_000);

/** The header section of a message with folded lines joined. */
function headers(message: string): string[] {
  const head = message.split(/\r?\n\r?\n/)[0]!;
  return head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/);
}

/** The d= and s= of every DKIM-Signature header of a message. */
function signatures(message: string): string[] {
  return headers(message)
    .filter((h) => /^DKIM-Signature:/i.test(h))
    .map((h) => `d=${/\bd=([^;\s]+)/.exec(h)?.[1]} s=${/\bs=([^;\s]+)/.exec(h)?.[1]}`);
}

function header(message: string, name: string): string | undefined {
  return headers(message)
    .find((h) => h.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();
}

/** Authenticated submission as the test user (587 STARTTLS or 465 implicit TLS). */
function submit(service: "submission" | "submissions", sender: string, extra: readonly string[]) {
  const tls = service === "submission" ? "--tls" : "--tlsc";
  return swaks([
    "-s",
    state.addresses.business!,
    "-p",
    port(service),
    tls,
    "-a",
    "PLAIN",
    "-au",
    state.user.name,
    "-ap",
    state.user.password,
    "-f",
    sender,
    ...extra,
  ]);
}

async function atSink(marker: string): Promise<SinkSession> {
  return sink.waitForMessage((s) => (s.data ?? "").includes(marker), 30_000);
}

describe("DKIM signs with the key of the sender's own group", () => {
  test("a business user's mail with From: of a private domain is signed for business only, and verifies", async () => {
    const marker = `cross-from-${Date.now()}`;
    const result = submit("submission", state.user.name, [
      "-t",
      `reader@${OUTSIDE_DOMAIN}`,
      "--header",
      "From: ceo@acme-home.example",
      "--header",
      `Subject: ${marker}`,
    ]);
    expect(replyTo(result.transcript, /^DATA/).pop()).toMatch(/^354/);
    const session = await atSink(marker);
    expect(header(session.data!, "From")).toBe("ceo@acme-home.example");
    // THEN signed d=acme-corp.example (business's key), not aligned with the From: domain: DMARC fails as private
    expect(signatures(session.data!)).toEqual(["d=acme-corp.example s=biz2026"]);
    expect(verifyDkim(state, session.data!)).toBe("pass");
  });

  test("a business user's mail with the own From: is signed for the own domain over 465 too", async () => {
    const marker = `own-from-${Date.now()}`;
    submit("submissions", state.user.name, ["-t", `reader@${OUTSIDE_DOMAIN}`, "--header", `Subject: ${marker}`]);
    const session = await atSink(marker);
    expect(signatures(session.data!)).toEqual(["d=acme-corp.example s=biz2026"]);
    expect(verifyDkim(state, session.data!)).toBe("pass");
  });

  test("mail of a loopback application is still signed for its From: domain, whatever its envelope sender", async () => {
    const marker = `loopback-${Date.now()}`;
    swaks([
      "-s",
      state.addresses.business!,
      "-p",
      port("smtp"),
      "-f",
      "noreply@acme-corp.example",
      "-t",
      `reader@${OUTSIDE_DOMAIN}`,
      "--header",
      "From: family@acme-home.example",
      "--header",
      `Subject: ${marker}`,
    ]);
    const session = await atSink(marker);
    expect(signatures(session.data!)).toEqual(["d=acme-home.example s=mail2026"]);
    expect(verifyDkim(state, session.data!)).toBe("pass");
  });
});

describe("the null sender on submission", () => {
  test.each(["submission", "submissions"] as const)("MAIL FROM:<> after AUTH is refused with 5.7.1 (%s)", (service) => {
    const result = submit(service, "<>", ["-t", `reader@${OUTSIDE_DOMAIN}`]);
    // AUTH succeeded, so the refusal is the null-sender rule, not a failed login
    expect(replyTo(result.transcript, /^AUTH/).pop()).toMatch(/^235 /);
    expect(replyTo(result.transcript, /^RCPT TO/).pop()).toBe(
      "554 5.7.1 <>: Sender address rejected: The null sender is not accepted from authenticated users",
    );
    expect(result.status).not.toBe(0);
  });
});

describe("bounces", () => {
  test("leave from the bounce group's address and HELO name, as MAILER-DAEMON@ its host name, signed for its domain", async () => {
    const marker = `bounce-me-${Date.now()}`;
    const sender = `bob@${OUTSIDE_DOMAIN}`;
    // GIVEN mail from loopback for a recipient the outside world refuses for good (550 at RCPT)
    const result = swaks([
      "-s",
      state.addresses.business!,
      "-p",
      port("smtp"),
      "-f",
      sender,
      "-t",
      `refused-${Date.now()}@${OUTSIDE_DOMAIN}`,
      "--header",
      `Subject: ${marker}`,
    ]);
    expect(replyTo(result.transcript, /^DATA/).pop()).toMatch(/^354/);
    // THEN the delivery status notification reaches the original sender from the private group
    const bounce = await sink.waitForMessage((s) => s.recipients.includes(sender) && (s.data ?? "").includes(marker), 30_000);
    expect([bounce.mailFrom, bounce.peerAddress, bounce.helo]).toEqual(["", state.addresses.private, "mail.acme-home.example"]);
    expect(header(bounce.data!, "From")).toBe("Mail Delivery System <MAILER-DAEMON@mail.acme-home.example>");
    expect(header(bounce.data!, "Content-Type")).toMatch(/^multipart\/report; report-type=delivery-status/);
    expect(signatures(bounce.data!)).toEqual(["d=acme-home.example s=mail2026"]);
    expect(verifyDkim(state, bounce.data!)).toBe("pass");
    // and its own headers and report name the bounce group's host only (the returned original
    // keeps its Received: line from business's listener, where it came in)
    expect(headers(bounce.data!).join("\n")).not.toContain("mail.acme-corp.example");
    expect(bounce.data).toContain("This is the mail system at host mail.acme-home.example.");
    expect(bounce.data).toMatch(/^Reporting-MTA: dns; mail\.acme-home\.example\r?$/m);
  });
});
