/**
 * Sending limits running live (loopback block 127.0.172; the outside world, a test sink, on its
 * .200): the example with small limits, the real Postfix, rspamd 3.4 and redis of this machine,
 * rspamd's ratelimit module in the submission milter. Every submission is authenticated on 587.
 * - A burst from one user of business stops at its hourly limit (451 with the limit's text) while
 *   a user of private keeps sending: its message is accepted and reaches the sink at once.
 * - A group's cap: two users of lab, each far below their own limit, are refused together at the
 *   group's hourly limit.
 * - Recipients a day: a user's recipients add up across messages; the message that would pass
 *   the limit is refused, though the user has sent only one message.
 * - No recipient exempts a message (rspamd's default list would let postmaster@ of any domain).
 * - Warm-up: a fourth group, newco, whose ramp began yesterday with 1 message, may send 2 today.
 * Run by hand with `sendingLimits: { enabled: false }` in the model (and newco's warm-up removed), the
 * limit tests fail.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { OUTSIDE_DOMAIN, stateLayout } from "../../../lib/local/conventions";
import { readLocalState, type LocalState } from "../../../lib/local/state";
import { localDown } from "../../../lib/local/stop";
import { localUp } from "../../../lib/local/up";
import type { PlatformInput } from "../../../lib/model/schema";
import { parsePlatform } from "../../../lib/validation/validate";
import { exampleInput } from "../../support/example";
import { replyTo, swaks, testCertificate } from "../../support/live";
import { requirePrograms } from "../../support/programs";
import { systemTmpdir } from "../../support/run-temporary-directory";
import { SmtpSink } from "../../support/smtp-sink";

const BLOCK = "127.0.172";
const STATE_DIR = join(systemTmpdir(), "mail-platform-live-sending-limits");
/** business: each user 5 messages an hour, 8 recipients a day. */
const USER_PER_HOUR = 5;
const RECIPIENTS_PER_DAY = 8;
/** lab: its users together 3 messages an hour. */
const LAB_PER_HOUR = 3;
/** newco's warm-up began yesterday (UTC) with 1 message: today, its second day, the group may send 2. */
const WARM_UP_START = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

const USERS = {
  alice: { name: "alice@acme-corp.example", password: "alice-limits-1" },
  bob: { name: "bob@acme-corp.example", password: "bob-limits-2" },
  hostmaster: { name: "hostmaster@acme-corp.example", password: "hostmaster-limits-6" },
  family: { name: "family@acme-home.example", password: "family-limits-3" },
  lab1: { name: "one@acme-lab.example", password: "lab-limits-4" },
  lab2: { name: "two@acme-lab.example", password: "lab-limits-5" },
  newcomer: { name: "first@acme-new.example", password: "new-limits-7" },
} as const;
type User = (typeof USERS)[keyof typeof USERS];

let state: LocalState;
let sink: SmtpSink;
/** The passwords file's directory (removed afterwards). */
let usersDir: string | undefined;

function model(): PlatformInput {
  const input = exampleInput();
  const business = input.groups.find((g) => g.name === "business")!;
  business.sendingLimits = { perUser: { messagesPerHour: USER_PER_HOUR, recipientsPerDay: RECIPIENTS_PER_DAY } };
  input.dns!.zones.push({ name: "acme-lab.example" });
  input.groups.push({
    name: "lab",
    domains: [{ name: "acme-lab.example" }],
    addresses: [{ host: "mx1", privateIp: "10.0.1.13", hostName: "mail.acme-lab.example" }],
    mailboxes: [{ address: USERS.lab1.name }, { address: USERS.lab2.name }],
    sendingLimits: { perGroup: { messagesPerHour: LAB_PER_HOUR } },
  });
  input.dns!.zones.push({ name: "acme-new.example" });
  input.groups.push({
    name: "newco",
    domains: [{ name: "acme-new.example" }],
    addresses: [{ host: "mx1", privateIp: "10.0.1.14", hostName: "mail.acme-new.example" }],
    mailboxes: [{ address: USERS.newcomer.name }],
    sendingLimits: { warmUp: { startDate: WARM_UP_START, firstDayMessages: 1 } },
  });
  return input;
}

beforeAll(async () => {
  requirePrograms("postfix", "dovecot", "named", "swaks", "openssl", "opendkim", "nginx", "rspamd", "rspamadm", "redis-server", "/usr/bin/python3");
  if (existsSync(stateLayout(STATE_DIR).stateFile)) await localDown(STATE_DIR).catch(() => undefined);
  usersDir = mkdtempSync(join(systemTmpdir(), "sending-limits-users-"));
  const usersFile = join(usersDir, "users");
  writeFileSync(
    usersFile,
    `${Object.values(USERS)
      .map((u) => `${u.name}:${u.password}`)
      .join("\n")}\n`,
  );
  await localUp(parsePlatform(model()), { stateDir: STATE_DIR, loopbackBlock: BLOCK, usersFile });
  state = readLocalState(STATE_DIR);
  sink = new SmtpSink(state.outside, testCertificate(state, `mx.${OUTSIDE_DOMAIN}`));
  await sink.start();
}, 240_000);

afterAll(async () => {
  await sink?.stop();
  if (state) await localDown(STATE_DIR);
  if (usersDir) rmSync(usersDir, { recursive: true, force: true });
}, 60_000);

/** Authenticated submission on 587 of the user's group (STARTTLS, AUTH PLAIN); the reply to the end of data. */
function submit(group: string, user: User, recipients: readonly string[], marker: string): string {
  const result = swaks([
    "-s",
    state.addresses[group]!,
    "-p",
    String(state.ports.submission),
    "--tls",
    "-a",
    "PLAIN",
    "-au",
    user.name,
    "-ap",
    user.password,
    "-f",
    user.name,
    "-t",
    recipients.join(","),
    "--header",
    `Subject: ${marker}`,
    "--body",
    "Limits test.",
  ]);
  return replyTo(result.transcript, /^\.$/).join(" ");
}

const reader = (n: number) => `reader${n}@${OUTSIDE_DOMAIN}`;

describe("per user", () => {
  test("a burst from one user stops at its limit (451) while a user of another group sends, and its mail leaves at once", async () => {
    const marker = `burst-${Date.now()}`;
    const replies: string[] = [];
    for (let i = 1; i <= USER_PER_HOUR + 1; i++) replies.push(submit("business", USERS.alice, [reader(1)], `${marker}-${i}`));
    // THEN the first five are accepted, the sixth is deferred with the limit's text
    expect(replies.slice(0, USER_PER_HOUR).every((r) => r.startsWith("250 "))).toBe(true);
    expect(replies[USER_PER_HOUR]).toMatch(/^451 4\.7\.1 Sending limit reached: 5 messages an hour for each user; try again later/);
    // AND a user of another group is not held back by it: accepted, and at the sink within seconds
    const other = `${marker}-private`;
    const sentAt = Date.now();
    expect(submit("private", USERS.family, [reader(2)], other)).toMatch(/^250 /);
    await sink.waitForMessage((s) => (s.data ?? "").includes(other), 15_000);
    expect(Date.now() - sentAt).toBeLessThan(15_000);
    // AND the limited user is still refused (the refused message was not counted, nor forgotten)
    expect(submit("business", USERS.alice, [reader(1)], `${marker}-again`)).toMatch(/^451 4\.7\.1 /);
    // AND the accepted five left too
    for (let i = 1; i <= USER_PER_HOUR; i++) await sink.waitForMessage((s) => (s.data ?? "").includes(`${marker}-${i}`), 15_000);
    expect(sink.sessions.some((s) => (s.data ?? "").includes(`${marker}-${USER_PER_HOUR + 1}`))).toBe(false);
  }, 180_000);

  test("recipients a day add up across messages: the message that would pass the limit is refused", () => {
    const marker = `rcpts-${Date.now()}`;
    expect(submit("business", USERS.bob, [1, 2, 3, 4, 5, 6].map(reader), `${marker}-1`)).toMatch(/^250 /);
    // 6 + 3 recipients > 8: refused, though bob has sent one message of his 5 an hour
    expect(submit("business", USERS.bob, [7, 8, 9].map(reader), `${marker}-2`)).toMatch(
      /^451 4\.7\.1 Sending limit reached: 8 recipients a day for each user; try again later/,
    );
    // 6 + 2 fits
    expect(submit("business", USERS.bob, [7, 8].map(reader), `${marker}-3`)).toMatch(/^250 /);
  }, 120_000);

  test("no recipient exempts a message: postmaster@ of another domain counts and is refused like any other", () => {
    // alice is over her hourly limit (first test); rspamd's default list would let this one through.
    expect(submit("business", USERS.alice, [`postmaster@${OUTSIDE_DOMAIN}`], `postmaster-${Date.now()}`)).toMatch(/^451 4\.7\.1 /);
  }, 60_000);
});

describe("per group", () => {
  test("two users of one group, each below their own limit, are refused together at the group's limit", () => {
    const marker = `group-${Date.now()}`;
    expect(submit("lab", USERS.lab1, [reader(3)], `${marker}-1`)).toMatch(/^250 /);
    expect(submit("lab", USERS.lab1, [reader(3)], `${marker}-2`)).toMatch(/^250 /);
    expect(submit("lab", USERS.lab2, [reader(3)], `${marker}-3`)).toMatch(/^250 /);
    // lab2 has sent one of its 200 an hour; the group has sent its 3
    expect(submit("lab", USERS.lab2, [reader(3)], `${marker}-4`)).toMatch(
      /^451 4\.7\.1 Sending limit reached: 3 messages an hour for this group; try again later/,
    );
    expect(submit("lab", USERS.lab1, [reader(3)], `${marker}-5`)).toMatch(/^451 4\.7\.1 /);
    // AND business's users are not part of lab's count
    expect(submit("business", USERS.hostmaster, [reader(4)], `${marker}-business`)).toMatch(/^250 /);
  }, 120_000);
});

describe("warm-up of a new group address", () => {
  test("on the ramp's second day the group's cap is the doubled first day's: 2 messages, the third refused", () => {
    const marker = `warm-up-${Date.now()}`;
    expect(submit("newco", USERS.newcomer, [reader(5)], `${marker}-1`)).toMatch(/^250 /);
    expect(submit("newco", USERS.newcomer, [reader(5)], `${marker}-2`)).toMatch(/^250 /);
    expect(submit("newco", USERS.newcomer, [reader(5)], `${marker}-3`)).toMatch(
      /^451 4\.7\.1 Sending limit reached: 2 messages today for this group \(warm-up day 2 of 14\); try again later/,
    );
  }, 120_000);
});
