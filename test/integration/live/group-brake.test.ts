/**
 * The brake on one group's outbound mail, and groups that cannot starve each other, live (loopback
 * block 127.0.130; stalled destinations on 127.0.131.x). The example runs with its private group as
 * a bulk sender (20 delivery processes). Shown here: `group pause --local` keeps every outbound
 * message of the paused group in the queue while the other group's mail is delivered at once, its
 * inbound mail and its mail to the platform's own mailboxes keep arriving; `group resume --local`
 * delivers every waiting message at once, each exactly once (counted by Message-ID at the peer).
 * And a burst of one group to a destination that never answers ties up that group's delivery
 * processes only: the other group's mail still leaves at once.
 */
import { spawn, spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { parse } from "yaml";
import { OUTSIDE_DOMAIN, stateLayout } from "../../../lib/local/conventions";
import type { LocalState } from "../../../lib/local/state";
import type { PlatformInput } from "../../../lib/model/schema";
import { DELIVERY_LIMITS } from "../../../lib/plan/delivery-priority";
import { EXAMPLE_FILE } from "../../support/example";
import { startInstance, stopInstance, swaksAsync, testCertificate, waitForDelivery } from "../../support/live";
import { systemTmpdir } from "../../support/run-temporary-directory";
import { SmtpSink, type SinkSession } from "../../support/smtp-sink";
import { Tarpit } from "../../support/tarpit";

const BLOCK = "127.0.130";
const BIN = join(__dirname, "..", "..", "..", "bin", "mail-platform.js");
/** Messages the paused group sends while paused. */
const PAUSED = 10;
/** Destinations of the burst: more than the bulk transport has delivery processes. */
const STALLED = Array.from({ length: 24 }, (_, i) => `127.0.131.${10 + i}`);
const RUN = `${process.pid}-${Date.now()}`;

// The example, commented as it is, with its private group sending as bulk.
const ORIGINAL = readFileSync(EXAMPLE_FILE, "utf8").replace("  - name: private\n    priority: normal\n", "  - name: private\n    priority: bulk\n");

let state: LocalState;
let sink: SmtpSink;
let tarpit: Tarpit | undefined;
let file: string;

beforeAll(async () => {
  expect(ORIGINAL).toContain("priority: bulk");
  state = await startInstance(parse(ORIGINAL) as PlatformInput, "group-brake", BLOCK);
  sink = new SmtpSink(state.outside, testCertificate(state, `mx.${OUTSIDE_DOMAIN}`));
  await sink.start();
  file = join(mkdtempSync(join(systemTmpdir(), "mail-platform-brake-")), "platform.yaml");
  writeFileSync(file, ORIGINAL);
}, 120_000);

afterAll(async () => {
  await tarpit?.stop().catch(() => undefined);
  await sink?.stop().catch(() => undefined);
  await stopInstance(state);
  // The platform file's directory is outside the run's temporary directory: remove it here.
  if (file) rmSync(dirname(file), { recursive: true, force: true });
}, 60_000);

/** The CLI, without blocking this process (the sink lives in it). */
function cli(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Hand a message to the group's port 25 from loopback (a local application relaying). */
async function send(from: string, to: string, messageId: string, server: string, extra: readonly string[] = []): Promise<void> {
  const result = await swaksAsync(["-s", server, "-p", String(state.ports.smtp), "-f", from, "-t", to, "--header", `Message-Id: ${messageId}`, ...extra], 60);
  expect(result.transcript).toMatch(/^<[-~] +250 2\.0\.0 Ok: queued/m);
}

const withId = (id: string) => (s: SinkSession) => (s.data ?? "").includes(`Message-Id: ${id}`);
const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(200);
  }
}

interface QueuedMessage {
  readonly queue_id: string;
  readonly queue_name: string;
  readonly sender: string;
  readonly recipients: readonly { readonly address: string; readonly delay_reason?: string }[];
}

function queue(): QueuedMessage[] {
  const listing = spawnSync("postqueue", ["-c", stateLayout(state.stateDir).postfixConfig, "-j"], { encoding: "utf8" });
  return listing.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as QueuedMessage);
}

describe("group pause and resume", () => {
  test("a paused group's outbound mail waits while the other group's leaves at once; resume delivers every message exactly once", async () => {
    const private_ = state.addresses.private!;
    const paused = await cli(["group", "pause", file, "private", "--local", state.stateDir]);
    expect(paused.stderr).toMatch(/group private paused/);
    expect(paused.status).toBe(0);
    // Only the one key was added: every comment and line of the file is still there.
    const pausedText = readFileSync(file, "utf8");
    expect(pausedText).toBe(ORIGINAL.replace("  - name: private\n", "  - name: private\n    outbound:\n      paused: true\n"));
    expect(readFileSync(join(stateLayout(state.stateDir).postfixConfig, "main.cf"), "utf8")).toMatch(/^defer_transports = out-private$/m);

    const ids = Array.from({ length: PAUSED }, (_, i) => `<brake-${RUN}-${i}@acme-home.example>`);
    for (const [i, id] of ids.entries()) await send("family@acme-home.example", `brake-${i}@${OUTSIDE_DOMAIN}`, id, private_);

    // The other group: delivered at once.
    const businessId = `<business-${RUN}@acme-corp.example>`;
    const sent = Date.now();
    await send("alice@acme-corp.example", `partner@${OUTSIDE_DOMAIN}`, businessId, state.addresses.business!);
    await sink.waitForMessage(withId(businessId), 15_000);
    const businessSeconds = seconds(sent);
    // The paused group's mail to the platform's own mailboxes, and its inbound mail, keep arriving.
    const internalId = `<internal-${RUN}@acme-home.example>`;
    await send("family@acme-home.example", "alice@acme-corp.example", internalId, private_, ["--tls"]);
    await waitForDelivery(state, "alice@acme-corp.example", (m) => m.includes(internalId));
    const inboundId = `<inbound-${RUN}@${OUTSIDE_DOMAIN}>`;
    await send(`peer@${OUTSIDE_DOMAIN}`, "family@acme-home.example", inboundId, private_);
    await waitForDelivery(state, "family@acme-home.example", (m) => m.includes(inboundId));

    // Every paused message waits in the deferred queue, for the brake and nothing else.
    const waitingIds = () =>
      queue()
        .filter((m) => m.queue_name === "deferred" && m.sender === "family@acme-home.example")
        .filter((m) => m.recipients.every((r) => r.delay_reason === "deferred transport"));
    await until(() => waitingIds().length === PAUSED, 20_000, `${PAUSED} deferred messages of private`);
    await sleep(3_000);
    expect(waitingIds()).toHaveLength(PAUSED);
    expect(sink.messages().filter((s) => (s.data ?? "").includes(`brake-${RUN}-`))).toHaveLength(0);

    const resumed = await cli(["group", "resume", file, "private", "--local", state.stateDir]);
    expect(resumed.stderr).toMatch(new RegExp(`release out-private: flushed ${PAUSED} waiting message\\(s\\)`));
    expect(resumed.status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
    const released = Date.now();
    await until(() => ids.every((id) => sink.messages().some(withId(id))), 30_000, `all ${PAUSED} released messages at the sink`);
    const releasedSeconds = seconds(released);
    // None lost, none twice: a late duplicate would show up meanwhile.
    await sleep(5_000);
    const counts = ids.map((id) => sink.messages().filter(withId(id)).length);
    expect(counts).toEqual(ids.map(() => 1));
    expect(sink.messages().filter((s) => (s.data ?? "").includes(`brake-${RUN}-`))).toHaveLength(PAUSED);
    expect(queue().filter((m) => m.sender === "family@acme-home.example")).toHaveLength(0);
    console.log(
      `group brake: business delivered ${businessSeconds} s after sending while private was paused; ${PAUSED} paused messages delivered ${releasedSeconds} s after resume (bulk: one a second to one destination)`,
    );
  }, 150_000);

  test("resuming one of two paused groups delivers that group's waiting mail only", async () => {
    for (const group of ["business", "private"]) expect((await cli(["group", "pause", file, group, "--local", state.stateDir])).status).toBe(0);
    expect(readFileSync(join(stateLayout(state.stateDir).postfixConfig, "main.cf"), "utf8")).toMatch(/^defer_transports = out-business, out-private$/m);
    const business = [0, 1, 2].map((i) => `<both-business-${RUN}-${i}@acme-corp.example>`);
    const private_ = [0, 1, 2].map((i) => `<both-private-${RUN}-${i}@acme-home.example>`);
    for (const id of business) await send("alice@acme-corp.example", `partner@${OUTSIDE_DOMAIN}`, id, state.addresses.business!);
    for (const id of private_) await send("family@acme-home.example", `family-peer@${OUTSIDE_DOMAIN}`, id, state.addresses.private!);
    const waiting = (sender: string) =>
      queue().filter((m) => m.queue_name === "deferred" && m.sender === sender && m.recipients.every((r) => r.delay_reason === "deferred transport"));
    await until(() => waiting("alice@acme-corp.example").length === 3 && waiting("family@acme-home.example").length === 3, 20_000, "3 + 3 deferred");

    const resumed = await cli(["group", "resume", file, "business", "--local", state.stateDir]);
    expect(resumed.stderr).toMatch(/release out-business: flushed 3 waiting message\(s\)/);
    expect(resumed.status).toBe(0);
    await until(() => business.every((id) => sink.messages().some(withId(id))), 20_000, "business's 3 at the sink");
    await sleep(3_000);
    expect(private_.map((id) => sink.messages().filter(withId(id)).length)).toEqual([0, 0, 0]);
    expect(waiting("family@acme-home.example")).toHaveLength(3);

    expect((await cli(["group", "resume", file, "private", "--local", state.stateDir])).status).toBe(0);
    await until(() => private_.every((id) => sink.messages().some(withId(id))), 20_000, "private's 3 at the sink");
    await sleep(2_000);
    expect([...business, ...private_].map((id) => sink.messages().filter(withId(id)).length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(readFileSync(file, "utf8")).toBe(ORIGINAL);
  }, 120_000);

  test("pausing twice and resuming twice are not errors, and change nothing the second time", async () => {
    const before = readFileSync(file, "utf8");
    const first = await cli(["group", "pause", file, "business"]);
    const second = await cli(["group", "pause", file, "business"]);
    expect([first.status, second.status]).toEqual([0, 0]);
    expect(second.stderr).toMatch(/group business is already paused in .*; the file is unchanged/);
    await cli(["group", "resume", file, "business"]);
    const again = await cli(["group", "resume", file, "business"]);
    expect(again.stderr).toMatch(/group business is already not paused/);
    expect(readFileSync(file, "utf8")).toBe(before);
  }, 60_000);
});

describe("queues that cannot starve each other", () => {
  // No brake on: whatever the tests above left, both groups send.
  beforeAll(async () => {
    for (const group of ["business", "private"]) expect((await cli(["group", "resume", file, group, "--local", state.stateDir])).status).toBe(0);
    expect(readFileSync(join(stateLayout(state.stateDir).postfixConfig, "main.cf"), "utf8")).not.toMatch(/^defer_transports/m);
  }, 60_000);

  test("a burst of one group to destinations that never answer ties up that group's delivery processes only", async () => {
    const bulk = DELIVERY_LIMITS.bulk.processLimit;
    tarpit = new Tarpit(STALLED);
    await tarpit.start();
    // One message of the bulk group to more stalled destinations than it has delivery processes.
    const burstId = `<burst-${RUN}@acme-home.example>`;
    await send("family@acme-home.example", STALLED.map((address, i) => `burst-${i}@[${address}]`).join(","), burstId, state.addresses.private!);
    await until(() => tarpit!.holding() >= bulk, 30_000, `${bulk} connections held by the stalled destinations`);
    await sleep(2_000);
    // Every delivery process of the bulk group's transport waits there, and no more.
    expect(tarpit.holding()).toBe(bulk);

    // The bulk group's own mail to a working destination waits behind its burst...
    const ownId = `<own-${RUN}@acme-home.example>`;
    await send("family@acme-home.example", `own@${OUTSIDE_DOMAIN}`, ownId, state.addresses.private!);
    // ... while the other group's mail leaves at once.
    const businessId = `<business-burst-${RUN}@acme-corp.example>`;
    const sent = Date.now();
    await send("alice@acme-corp.example", `partner@${OUTSIDE_DOMAIN}`, businessId, state.addresses.business!);
    await sink.waitForMessage(withId(businessId), 15_000);
    const businessSeconds = seconds(sent);
    await sleep(5_000);
    expect(sink.messages().filter(withId(ownId))).toHaveLength(0);

    // When the stalled destinations let go, the bulk group's mail flows again.
    await tarpit.stop();
    const freed = Date.now();
    await sink.waitForMessage(withId(ownId), 30_000);
    console.log(
      `starvation: ${bulk} of ${STALLED.length} stalled deliveries held (bulk process limit); business delivered ${businessSeconds} s after sending; ` +
        `the bulk group's own message ${seconds(freed)} s after the stalled destinations let go`,
    );
  }, 120_000);
});
