/**
 * Content filtering running live (loopback block 127.0.170; the outside world, a test sink, on its
 * .200): the example (its domains publish DMARC p=reject) with the real Postfix, rspamd 3.4 and
 * redis of this machine, rspamd as the milter of port 25 and of submission.
 * - GTUBE is refused inbound (554) and held outbound: the user gets 250, Postfix holds the mail
 *   and logs the alert line (`milter-hold: ... milter triggers HOLD action`); nothing reaches the sink.
 * - A forged sender of an own domain from outside is refused by DMARC (p=reject): business's own
 *   reject score is set to 50 here, far above what the message scores, so only DMARC can refuse it.
 * - Clean mail passes with Authentication-Results (SPF, DKIM, DMARC) named by the listener's host.
 * - Each group's thresholds: private refuses at 2 what business (at 50) takes; a third group, lab,
 *   greylists at 1: the first attempt is deferred (451) and rspamd keeps the triplet in redis.
 * - Messages over contentFilter.textAnalysisMaxBytes (512 KiB): a text-stage rule (BITCOIN_ADDR)
 *   fires at 400 KB and not at 600 KB, which carries our zero-weight symbol instead; DMARC still
 *   refuses a 600 KB forgery.
 * Inbound mail comes "from outside" through XCLIENT (203.0.113.9; test overlay only).
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DNSBL_UNLISTED_CLIENT, OUTSIDE_DOMAIN, stateLayout } from "../../../lib/local/conventions";
import { pidFromFile, processTree, waitGone } from "../../../lib/local/processes";
import { rspamdLayout } from "../../../lib/local/rspamd";
import type { LocalState } from "../../../lib/local/state";
import type { PlatformInput } from "../../../lib/model/schema";
import { TEXT_NOT_ANALYSED_SYMBOL } from "../../../lib/render/rspamd/rspamd";
import { exampleInput } from "../../support/example";
import { replyTo, startInstance, stopInstance, swaks, testCertificate, waitForDelivery, waitForLog } from "../../support/live";
import { requirePrograms } from "../../support/programs";
import { SmtpSink } from "../../support/smtp-sink";

const BLOCK = "127.0.170";
/** The GTUBE test string: rspamd refuses a message that carries it, whatever its score. */
const GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
/** An Authentication-Results field a sender forged in the name of business's listener. */
const FORGED_RESULTS = "Authentication-Results: mail.acme-corp.example; dkim=pass header.d=acme-corp.example header.b=forged";
/** private's thresholds in this test: a message from an unknown HELO name scores above 2 here. */
const PRIVATE_REJECT = 2;

let state: LocalState;
let sink: SmtpSink;
const port = (service: keyof LocalState["ports"]) => String(state.ports[service]);

/** The example, with business's reject score out of reach and private's very low. */
function model(): PlatformInput {
  const input = exampleInput();
  const business = input.groups.find((g) => g.name === "business")!;
  const priv = input.groups.find((g) => g.name === "private")!;
  business.contentFilter = { rejectScore: 50 };
  priv.contentFilter = { rejectScore: PRIVATE_REJECT, addHeaderScore: 1 };
  input.dns!.zones.push({ name: "acme-lab.example" });
  input.groups.push({
    name: "lab",
    domains: [{ name: "acme-lab.example" }],
    addresses: [{ host: "mx1", privateIp: "10.0.1.13", hostName: "mail.acme-lab.example" }],
    mailboxes: [{ address: "lab@acme-lab.example" }],
    contentFilter: { greylistScore: 1, addHeaderScore: 40, rejectScore: 50 },
  });
  return input;
}

beforeAll(async () => {
  requirePrograms("rspamd", "rspamadm", "redis-server");
  state = await startInstance(model(), "content-filter", BLOCK);
  sink = new SmtpSink(state.outside, testCertificate(state, `mx.${OUTSIDE_DOMAIN}`));
  await sink.start();
}, 240_000);

afterAll(async () => {
  await sink?.stop();
  await stopInstance(state);
}, 60_000);

/** Port 25 of a group as an internet client would use it (XCLIENT from a documentation address; STARTTLS). */
function fromOutside(group: string, sender: string, recipient: string, extra: readonly string[]) {
  return swaks([
    "-s",
    state.addresses[group]!,
    "-p",
    port("smtp"),
    "--xclient-addr",
    "203.0.113.9",
    "--xclient-name",
    "mx.sender.example",
    "--ehlo",
    "mx.sender.example",
    "--tls",
    "-f",
    sender,
    "-t",
    recipient,
    ...extra,
  ]);
}

/** Authenticated submission on 587 as the test user. */
function submit(extra: readonly string[]) {
  return swaks([
    "-s",
    state.addresses.business!,
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
    `reader@${OUTSIDE_DOMAIN}`,
    ...extra,
  ]);
}

/** The reply to the end of the message. */
function endOfData(transcript: string): string {
  return replyTo(transcript, /^\.$/).join(" ");
}

/** The header section of a message with folded lines joined. */
function headers(message: string): string[] {
  const head = message.split(/\r?\n\r?\n/)[0]!;
  return head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/);
}

/** rspamd's log line of the message with a subject marker (its task log names the Message-ID, not the subject). */
function rspamdLine(queueId: string): string {
  return (
    readFileSync(rspamdLayout(stateLayout(state.stateDir)).log, "utf8")
      .split("\n")
      .find((l) => l.includes("rspamd_task_write_log") && l.includes(`qid: <${queueId}>`)) ?? ""
  );
}

function heldQueue(): string {
  return spawnSync("postqueue", ["-c", stateLayout(state.stateDir).postfixConfig, "-p"], { encoding: "utf8" }).stdout;
}

describe("inbound (port 25)", () => {
  test("GTUBE is refused at the end of data", () => {
    const result = fromOutside("business", `someone@${OUTSIDE_DOMAIN}`, state.user.name, ["--header", "Subject: gtube-in", "--body", GTUBE]);
    expect(endOfData(result.transcript)).toMatch(/^554 5\.7\.1 /);
  });

  test("a forged sender of an own domain from outside is refused by DMARC (p=reject), below the group's reject score", async () => {
    const marker = `forged-${Date.now()}`;
    const result = fromOutside("business", "ceo@acme-corp.example", state.user.name, [
      "--header",
      `Subject: ${marker}`,
      "--body",
      "Please wire the money today.",
    ]);
    expect(endOfData(result.transcript)).toMatch(/^554 5\.7\.1 /);
    const line = await waitForLog(state, /milter-reject: END-OF-MESSAGE .*from=<ceo@acme-corp\.example>/);
    const queueId = /cleanup\[\d+\]: ([0-9A-F]+): milter-reject/.exec(line)![1]!;
    const scan = rspamdLine(queueId);
    // THEN rspamd refused it for DMARC's policy, not for its score (business refuses only at 50)
    expect(scan).toContain("DMARC_POLICY_REJECT");
    expect(scan).toContain('forced: reject "Action set by DMARC"');
    expect(scan).toContain("settings_id: inbound-business");
  });

  describe("messages over the text analysis limit (512 KiB): every check but the text's", () => {
    /**
     * A valid bitcoin address: rspamd's BITCOIN_ADDR (a zero-weight rule of its text stage,
     * a regular expression over the decoded text) names it wherever the text is analysed. GTUBE
     * cannot show that: rspamd looks for it only in small text parts.
     */
    const WALLET = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";

    /** A body file of about `bytes` of varied words, the wallet on its first line. */
    function bodyFile(name: string, bytes: number): string {
      const words = ["invoice", "meeting", "report", "garden", "holiday", "weather", "project", "budget", "kitchen", "concert"];
      const lines = [`Pay to ${WALLET} today.`];
      for (let size = lines[0]!.length, i = 0; size < bytes; i++) {
        const line = Array.from({ length: 12 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(" ");
        lines.push(line);
        size += line.length + 2;
      }
      const file = join(mkdtempSync(join(tmpdir(), "content-filter-")), `${name}.txt`);
      writeFileSync(file, `${lines.join("\r\n")}\r\n`);
      return file;
    }

    /** Send from outside; the queue id of the accepted message and rspamd's log line of it. */
    async function delivered(bytes: number): Promise<string> {
      const marker = `text-${bytes}-${Date.now()}`;
      const result = fromOutside("business", `someone@${OUTSIDE_DOMAIN}`, state.user.name, [
        "--header",
        `Subject: ${marker}`,
        "--body",
        bodyFile(marker, bytes),
      ]);
      const reply = endOfData(result.transcript);
      expect(reply).toMatch(/^250 /);
      await waitForDelivery(state, state.user.name, (m) => m.includes(marker));
      return rspamdLine(/queued as ([0-9A-F]+)/.exec(reply)![1]!);
    }

    test("a 400 KB message's text is analysed; a 600 KB one's is not: the symbol, and rspamd's reason in its log", async () => {
      const under = await delivered(400_000);
      expect(under).toContain(`BITCOIN_ADDR(0.00){${WALLET};}`);
      expect(under).not.toContain(TEXT_NOT_ANALYSED_SYMBOL);

      const over = await delivered(600_000);
      expect(over).not.toContain("BITCOIN_ADDR");
      expect(over).toMatch(new RegExp(`${TEXT_NOT_ANALYSED_SYMBOL}\\(0\\.00\\)\\{6\\d{5};\\}`));
      // The checks that need no text ran: SPF (none published), DMARC, MIME.
      expect(over).toContain("R_SPF_NA");
      expect(over).toContain("DMARC_NA");
      expect(over).toContain("MIME_GOOD");
      expect(readFileSync(rspamdLayout(stateLayout(state.stateDir)).log, "utf8")).toMatch(/message of 6\d{5} bytes, over 524288: text not analysed/);
    });

    test("a 600 KB forged sender of an own domain is still refused by DMARC", async () => {
      const marker = `forged-600k-${Date.now()}`;
      // Its own sender address: the log line of the smaller forgery above names ceo@.
      const result = fromOutside("business", "payroll@acme-corp.example", state.user.name, [
        "--header",
        `Subject: ${marker}`,
        "--body",
        bodyFile(marker, 600_000),
      ]);
      expect(endOfData(result.transcript)).toMatch(/^554 5\.7\.1 /);
      const line = await waitForLog(state, /milter-reject: END-OF-MESSAGE .*from=<payroll@acme-corp\.example>/);
      const queueId = /cleanup\[\d+\]: ([0-9A-F]+): milter-reject/.exec(line)![1]!;
      const scan = rspamdLine(queueId);
      expect(scan).toContain("DMARC_POLICY_REJECT");
      expect(scan).toContain(TEXT_NOT_ANALYSED_SYMBOL);
    });
  });

  test("clean mail is delivered with Authentication-Results of the listener's host only (a forged one removed) and its score", async () => {
    const marker = `clean-${Date.now()}`;
    const result = fromOutside("business", `someone@${OUTSIDE_DOMAIN}`, state.user.name, [
      "--add-header",
      FORGED_RESULTS,
      "--header",
      `Subject: ${marker}`,
      "--body",
      "Lunch tomorrow at noon?",
    ]);
    expect(endOfData(result.transcript)).toMatch(/^250 /);
    const message = await waitForDelivery(state, state.user.name, (m) => m.includes(marker));
    const results = headers(message).filter((h) => /^Authentication-Results: mail\.acme-corp\.example;/.test(h));
    expect(results).toHaveLength(1);
    expect(results[0]).not.toContain("forged");
    expect(results[0]).toMatch(/dkim=none/);
    expect(results[0]).toMatch(/spf=none .*smtp\.mailfrom=someone@outside\.example/);
    expect(results[0]).toMatch(/dmarc=none/);
    expect(headers(message).some((h) => /^X-Spam-Status: No, score=/.test(h))).toBe(true);
  });

  test("each group's thresholds: private refuses at its reject score what business takes", async () => {
    const marker = `groups-${Date.now()}`;
    const body = ["--header", `Subject: ${marker}`, "--body", "Are we still on for Saturday?"];
    const toBusiness = fromOutside("business", `someone@${OUTSIDE_DOMAIN}`, state.user.name, body);
    expect(endOfData(toBusiness.transcript)).toMatch(/^250 /);
    const delivered = await waitForDelivery(state, state.user.name, (m) => m.includes(marker));
    const score = Number(/^X-Spam-Status: \w+, score=([\d.]+)/m.exec(delivered)?.[1]);
    // GIVEN the same message scores at least private's reject score (else this test proves nothing)
    expect(score).toBeGreaterThanOrEqual(PRIVATE_REJECT);
    const toPrivate = fromOutside("private", `someone@${OUTSIDE_DOMAIN}`, "family@acme-home.example", body);
    expect(endOfData(toPrivate.transcript)).toMatch(/^554 5\.7\.1 /);
  });
});

describe("greylisting (a group's own action)", () => {
  test("lab greylists the first attempt of a new triplet (451), kept in redis; business (off by default) takes the same message", async () => {
    const marker = `grey-${Date.now()}`;
    const body = ["--header", `Subject: ${marker}`, "--body", "New sender, first contact."];
    const toLab = fromOutside("lab", `newcomer@${OUTSIDE_DOMAIN}`, "lab@acme-lab.example", body);
    expect(endOfData(toLab.transcript)).toMatch(/^451 4\.7\.1 /);
    const keys = spawnSync("redis-cli", ["-h", state.addresses.business!, "--scan", "--pattern", "rg*"], { encoding: "utf8" }).stdout.trim();
    expect(keys.split("\n").filter((k) => k !== "").length).toBeGreaterThan(0);
    const toBusiness = fromOutside("business", `newcomer@${OUTSIDE_DOMAIN}`, state.user.name, body);
    expect(endOfData(toBusiness.transcript)).toMatch(/^250 /);
  });
});

describe("outbound (submission)", () => {
  test("GTUBE from a user is held, not bounced: 250, the alert line, in the hold queue, never sent", async () => {
    const marker = `gtube-out-${Date.now()}`;
    const result = submit(["--header", `Subject: ${marker}`, "--body", GTUBE]);
    expect(endOfData(result.transcript)).toMatch(/^250 /);
    const queueId = /queued as ([0-9A-F]+)/.exec(endOfData(result.transcript))![1]!;
    const alert = await waitForLog(state, new RegExp(`${queueId}: milter-hold: END-OF-MESSAGE .*milter triggers HOLD action`));
    expect(alert).toContain(`from=<${state.user.name}>`);
    // "!" after the queue id marks a held message.
    expect(heldQueue()).toContain(`${queueId}!`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(sink.sessions.some((s) => (s.data ?? "").includes(marker))).toBe(false);
  });

  test("a user's clean mail is sent", async () => {
    const marker = `clean-out-${Date.now()}`;
    const result = submit(["--header", `Subject: ${marker}`, "--body", "The minutes of today's meeting are attached."]);
    expect(endOfData(result.transcript)).toMatch(/^250 /);
    const session = await sink.waitForMessage((s) => (s.data ?? "").includes(marker), 30_000);
    // Submitted mail carries no Authentication-Results of ours (it would show the login).
    expect(headers(session.data!).some((h) => /^Authentication-Results: mail\.acme-corp\.example/.test(h))).toBe(false);
  });
});

// Last: it stops rspamd for good.
describe("while rspamd is down", () => {
  test("port 25 takes mail unscanned (milter_default_action), and Postfix itself removes a forged Authentication-Results", async () => {
    const pid = pidFromFile(rspamdLayout(stateLayout(state.stateDir)).pid);
    // GIVEN rspamd is stopped
    expect(pid).toBeDefined();
    const tree = processTree(pid!);
    process.kill(pid!, "SIGTERM");
    expect(await waitGone(tree, 15_000)).toBe(true);
    const marker = `unscanned-${Date.now()}`;
    // From an internet address itself, not through XCLIENT from loopback: OpenDKIM's loopback milters
    // are not in the way, so only Postfix's header checks can remove the forged field.
    const result = swaks([
      "-s",
      state.addresses.business!,
      "-p",
      port("smtp"),
      "--local-interface",
      DNSBL_UNLISTED_CLIENT,
      "--ehlo",
      "mx.sender.example",
      "--tls",
      "-f",
      `someone@${OUTSIDE_DOMAIN}`,
      "-t",
      state.user.name,
      "--add-header",
      FORGED_RESULTS,
      "--header",
      `Subject: ${marker}`,
    ]);
    expect(endOfData(result.transcript)).toMatch(/^250 /);
    const message = await waitForDelivery(state, state.user.name, (m) => m.includes(marker));
    // THEN no Authentication-Results at all: not the forged one, and rspamd added none
    expect(headers(message).filter((h) => /^Authentication-Results:/i.test(h))).toEqual([]);
    expect(headers(message).some((h) => /^X-Spam-Status:/.test(h))).toBe(false);
  }, 60_000);
});
