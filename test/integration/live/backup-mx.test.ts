/**
 * Two hosts of one platform, live (loopback block 127.0.96): mx1 is the home of business and the
 * backup MX of private, mx2 the other way round (test/support/two-hosts.ts), both run by the local
 * runner (`local up`, then `local up --join`) with the real Postfix, Dovecot and named. Shown here:
 * the backup queues a down home's mail and hands every message over exactly once when it returns;
 * a backup refuses unknown recipients at RCPT and relays for no one; the home's channel takes
 * only its backup MX, only over TLS, and the backup delivers there only to the home's verified
 * certificate; with both up, mail sent to a backup arrives at the home at once.
 */
import { spawnSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { DNSBL_UNLISTED_CLIENT, OUTSIDE_DOMAIN, XCLIENT_CLIENT, stateLayout } from "../../../lib/local/conventions";
import { isAlive, pidFromFile, processTree, waitGone } from "../../../lib/local/processes";
import type { LocalState } from "../../../lib/local/state";
import { localDown } from "../../../lib/local/stop";
import { accepts, hasLoopbackAddress } from "../../../lib/local/system";
import { localUp } from "../../../lib/local/up";
import { startDaemon } from "../../../lib/local/programs";
import { HOST_CHANNEL_PORT } from "../../../lib/plan/plan";
import { parsePlatform } from "../../../lib/validation/validate";
import { deliveredMessages, flushQueue, joinInstance, replyTo, startInstance, swaks, testCertificate, waitForDelivery, waitForLog } from "../../support/live";
import { relayTricks } from "../../support/probes";
import { systemTmpdir } from "../../support/run-temporary-directory";
import { SmtpSink } from "../../support/smtp-sink";
import { twoHostInput } from "../../support/two-hosts";

const BLOCK = "127.0.96";
/** Messages queued on the backup while the home is down. */
const QUEUED = 20;
const RUN = `${process.pid}-${Date.now()}`;

let mx1: LocalState;
let mx2: LocalState;

beforeAll(async () => {
  mx1 = await startInstance(twoHostInput(), "backup-mx1", BLOCK);
  mx2 = await joinInstance(twoHostInput(), "backup-mx2", mx1, "mx2");
}, 120_000);

afterAll(async () => {
  // The joined instance first: the first one takes the shared DNS server down.
  if (mx2 && existsSync(stateLayout(mx2.stateDir).stateFile)) await localDown(mx2.stateDir);
  if (mx1) await localDown(mx1.stateDir);
}, 90_000);

/** The channel of a host: its first home address (business on mx1, private on mx2). */
const channelOf = (state: LocalState) => (state === mx1 ? state.addresses.business! : state.addresses.private!);

/** An internet peer (XCLIENT from the one client allowed to use it) sending over STARTTLS to port 25. */
function outsideClient(server: string, state: LocalState): string[] {
  return [
    "-s",
    server,
    "-p",
    String(state.ports.smtp),
    "--xclient-addr",
    "203.0.113.9",
    "--xclient-name",
    `mail.${OUTSIDE_DOMAIN}`,
    "--ehlo",
    `mail.${OUTSIDE_DOMAIN}`,
    "--tls",
  ];
}

function inbound(server: string, state: LocalState, to: string, subject: string, messageId?: string) {
  return swaks([
    ...outsideClient(server, state),
    "-f",
    `peer@${OUTSIDE_DOMAIN}`,
    "-t",
    to,
    "--header",
    `Subject: ${subject}`,
    ...(messageId === undefined ? [] : ["--header", `Message-Id: <${messageId}>`]),
  ]);
}

/** The RCPT reply an outside client gets, without sending anything. */
function rcptReply(server: string, state: LocalState, from: string, to: string): string {
  const result = swaks([...outsideClient(server, state), "-f", from, "-t", to, "--quit-after", "RCPT"]);
  expect(result.transcript).toMatch(/XCLIENT ADDR=203\.0\.113\.9/);
  return replyTo(result.transcript, /^RCPT TO/).join("\n");
}

interface QueueEntry {
  readonly queue_name: string;
  readonly recipients: ReadonlyArray<{ readonly address: string; readonly delay_reason?: string }>;
}

function queue(state: LocalState): QueueEntry[] {
  const out = spawnSync("postqueue", ["-c", stateLayout(state.stateDir).postfixConfig, "-j"], { encoding: "utf8", timeout: 20_000 }).stdout;
  return out
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as QueueEntry);
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The processes of an instance's Postfix and Dovecot (masters and children). */
function mailProcesses(state: LocalState): number[] {
  const layout = stateLayout(state.stateDir);
  return [join(layout.spool, "pid", "master.pid"), join(layout.dovecotBase, "master.pid")]
    .map(pidFromFile)
    .filter((pid): pid is number => pid !== undefined)
    .flatMap(processTree);
}

/** Take a host's mail down as a crash or a reboot would (named, nginx and opendkim keep running). */
async function stopMail(state: LocalState): Promise<void> {
  const layout = stateLayout(state.stateDir);
  const processes = mailProcesses(state);
  expect(processes.length).toBeGreaterThan(0);
  spawnSync("postfix", ["-c", layout.postfixConfig, "stop"], { stdio: "ignore", timeout: 30_000 });
  spawnSync("doveadm", ["-c", layout.dovecotConf, "stop"], { stdio: "ignore", timeout: 30_000 });
  if (!(await waitGone(processes, 20_000))) throw new Error(`${state.host}: Postfix/Dovecot still running: ${processes.filter(isAlive).join(", ")}`);
}

async function startMail(state: LocalState): Promise<void> {
  const layout = stateLayout(state.stateDir);
  // As local up starts them: no pipe a daemon could keep open.
  startDaemon("postfix", ["-c", layout.postfixConfig, "start"], layout.postfixLog);
  startDaemon("dovecot", ["-c", layout.dovecotConf], layout.dovecotLog);
  const lmtp = join(layout.spool, "private", "dovecot-lmtp");
  await waitFor(`${state.host}: the channel and Dovecot's LMTP socket back`, () => (existsSync(lmtp) ? true : undefined));
  for (const address of Object.values(state.addresses)) {
    await waitFor(`${state.host}: ${address}:25 back`, async () => ((await accepts(address, state.ports.smtp!)) ? true : undefined));
  }
  await waitFor(`${state.host}: channel back`, async () => ((await accepts(channelOf(state), HOST_CHANNEL_PORT)) ? true : undefined));
}

/** The lines of an instance's Postfix log that match a pattern. */
function logLines(state: LocalState, pattern: RegExp): string[] {
  return readFileSync(stateLayout(state.stateDir).postfixLog, "utf8")
    .split("\n")
    .filter((line) => pattern.test(line));
}

/** The subjects of the messages in a mailbox that carry a marker. */
function subjectsWith(state: LocalState, address: string, marker: string): string[] {
  return deliveredMessages(state, address).flatMap((m) => {
    const subject = /^Subject: (.*)$/m.exec(m)?.[1]?.trim();
    return subject?.includes(marker) ? [subject] : [];
  });
}

describe("the local runner runs two hosts of one platform", () => {
  test("the joined instance shares the first's loopback block, DNS server and test CA, and runs its own daemons", () => {
    expect(mx1.addresses).toEqual({ business: `${BLOCK}.11`, private: `${BLOCK}.12` });
    expect(mx2.addresses).toEqual({ business: `${BLOCK}.31`, private: `${BLOCK}.32` });
    expect({ joined: mx2.joined, dns: mx2.dnsServer, block: mx2.loopbackBlock }).toEqual({ joined: mx1.stateDir, dns: mx1.dnsServer, block: BLOCK });
    expect(readFileSync(mx2.caFile, "utf8")).toBe(readFileSync(mx1.caFile, "utf8"));
    // One test user for the platform: the joined instance reports (and stores) the same password.
    expect(mx2.user).toEqual(mx1.user);
    const master = (state: LocalState) => pidFromFile(join(stateLayout(state.stateDir).spool, "pid", "master.pid"));
    expect(master(mx1)).toBeDefined();
    expect(master(mx2)).toBeDefined();
    expect(master(mx2)).not.toBe(master(mx1));
    expect(pidFromFile(join(stateLayout(mx2.stateDir).dns, "named.pid"))).toBeUndefined();
    const postconf = (state: LocalState, name: string) =>
      spawnSync("postconf", ["-c", stateLayout(state.stateDir).postfixConfig, "-h", name], { encoding: "utf8" }).stdout.trim();
    expect(postconf(mx2, "queue_directory")).toBe(stateLayout(mx2.stateDir).spool);
    expect(postconf(mx2, "smtp_tls_CAfile")).toBe(mx2.caFile);
  });

  test("local up --join refuses a host that runs already, another platform and another model, before touching anything", async () => {
    const stateDir = join(systemTmpdir(), `mail-platform-live-backup-refused-${RUN}`);
    const up = (change: (input: ReturnType<typeof twoHostInput>) => void, host?: string) => {
      const input = twoHostInput();
      change(input);
      return localUp(parsePlatform(input), { stateDir, join: mx1.stateDir, ...(host === undefined ? {} : { host }) });
    };
    await expect(up(() => undefined, "mx1")).rejects.toThrow(`host "mx1" already runs in ${mx1.stateDir}`);
    await expect(up(() => undefined, "mx2")).rejects.toThrow(`host "mx2" already runs in ${mx2.stateDir}`);
    await expect(up(() => undefined)).rejects.toThrow(/every host of the platform already runs/);
    await expect(up((i) => (i.name = "other-mail"), "mx2")).rejects.toThrow(/runs platform "acme-mail"/);
    await expect(
      up((i) => {
        // A third host the running instances' DNS does not know (another MX of business).
        i.hosts.push({ name: "mx3" });
        i.groups[0]!.addresses.push({ host: "mx3", privateIp: "10.0.3.11", hostName: "mx3.acme-corp.example" });
        i.aws = { ...i.aws!, hosts: { ...i.aws!.hosts, mx3: i.aws!.hosts.mx2! } };
      }, "mx3"),
    ).rejects.toThrow(/its DNS server serves another zone acme-corp\.example than this model needs/);
    expect(existsSync(stateDir)).toBe(false);
  });
});

describe("both hosts up: mail sent to a backup MX arrives at the home", () => {
  test("business mail sent to mx2 arrives in its mailbox on mx1, over the channel with verified TLS", async () => {
    const marker = `via-backup-${RUN}`;
    expect(inbound(mx2.addresses.business!, mx2, "alice@acme-corp.example", marker).status).toBe(0);
    const message = await waitForDelivery(mx1, "alice@acme-corp.example", (m) => m.includes(marker), 15_000);
    // The backup's content filter checked it; its Authentication-Results cross the channel, the only ones.
    const head = message.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " ");
    expect(head.split(/\r?\n/).filter((h) => /^Authentication-Results:/i.test(h))).toEqual([
      expect.stringMatching(/^Authentication-Results: mx2\.acme-corp\.example; /),
    ]);
    await waitForLog(mx2, /postfix\/business\/home\/smtp\[\d+\]: Verified TLS connection established to 127\.0\.96\.11\[127\.0\.96\.11\]:10025/);
    expect(deliveredMessages(mx2, "alice@acme-corp.example")).toEqual([]);
  });

  test("private mail sent to mx1 (a mailbox, and the catch-all) arrives on mx2", async () => {
    const marker = `via-mx1-${RUN}`;
    expect(inbound(mx1.addresses.private!, mx1, "family@acme-home.example", `${marker}-mailbox`).status).toBe(0);
    expect(inbound(mx1.addresses.private!, mx1, `anyone-${RUN}@acme-family.example`, `${marker}-catch-all`).status).toBe(0);
    await waitForDelivery(mx2, "family@acme-home.example", (m) => m.includes(`${marker}-mailbox`), 15_000);
    await waitForDelivery(mx2, "family@acme-home.example", (m) => m.includes(`${marker}-catch-all`), 15_000);
    await waitForLog(mx1, /postfix\/private\/home\/smtp\[\d+\]: Verified TLS connection established to 127\.0\.96\.32\[127\.0\.96\.32\]:10025/);
    expect(deliveredMessages(mx1, "family@acme-home.example")).toEqual([]);
  });

  test("an alias of business sent to mx2 is expanded at the home, to both of its mailboxes", async () => {
    const marker = `alias-via-backup-${RUN}`;
    expect(inbound(mx2.addresses.business!, mx2, "sales@acme-corp.example", marker).status).toBe(0);
    await waitForDelivery(mx1, "alice@acme-corp.example", (m) => m.includes(marker), 15_000);
    await waitForDelivery(mx1, "bob@acme-corp.example", (m) => m.includes(marker), 15_000);
  });
});

describe("a backup MX accepts only what the home would", () => {
  test.each([
    ["mx2 (backup of business)", () => mx2, () => mx2.addresses.business!, "acme-corp.example"],
    ["mx1 (backup of private)", () => mx1, () => mx1.addresses.private!, "acme-home.example"],
  ])("%s refuses an unknown recipient of the group at RCPT with 550 5.1.1", (_what, state, address, domain) => {
    expect(rcptReply(address(), state(), `peer@${OUTSIDE_DOMAIN}`, `nobody-${RUN}@${domain}`)).toMatch(/^550 5\.1\.1 /);
  });

  const probes = [
    ...relayTricks("acme-corp.example", OUTSIDE_DOMAIN).map(([what, from, to]) => ["mx2", what, from, to] as const),
    ...relayTricks("acme-home.example", OUTSIDE_DOMAIN).map(([what, from, to]) => ["mx1", what, from, to] as const),
  ];
  test.each(probes)("%s as backup MX refuses %s from an outside client", (host, _what, from, to) => {
    const state = host === "mx1" ? mx1 : mx2;
    const address = host === "mx1" ? mx1.addresses.private! : mx2.addresses.business!;
    expect(rcptReply(address, state, from, to)).toMatch(/^[45]\d\d /m);
  });

  test("neither host queued anything for a foreign recipient", () => {
    for (const state of [mx1, mx2]) {
      expect(
        queue(state)
          .flatMap((e) => e.recipients.map((r) => r.address))
          .filter((r) => !/@acme-(corp|shop|home|family)\.example$/.test(r)),
      ).toEqual([]);
    }
  });
});

describe("the host-to-host channel", () => {
  /** A session with mx1's channel from `client` up to RCPT (over STARTTLS unless `plaintext`). */
  const probeChannel = (client: string, recipient: string, plaintext = false) =>
    swaks([
      "-s",
      channelOf(mx1),
      "-p",
      String(HOST_CHANNEL_PORT),
      "-li",
      client,
      ...(plaintext ? [] : ["--tls"]),
      "-f",
      `peer@${OUTSIDE_DOMAIN}`,
      "-t",
      recipient,
      "--quit-after",
      "RCPT",
    ]).transcript;

  test.each([
    ["127.0.0.1, the local test client", XCLIENT_CLIENT],
    ["an internet address", DNSBL_UNLISTED_CLIENT],
    ["mx2's address of a group it is the home of", `${BLOCK}.32`],
  ])("refuses a client that is no backup MX of the home (%s) at RCPT", (_what, client) => {
    // mx1's channel takes only the backup addresses of its groups: mx2's business address, 127.0.96.31.
    const transcript = probeChannel(client, "alice@acme-corp.example");
    expect(replyTo(transcript, /^RCPT TO/).join("\n")).toMatch(/^554 5\.7\.1 .*Client host rejected/);
  });

  test("refuses plaintext mail, even from the backup MX's address", () => {
    const transcript = probeChannel(mx2.addresses.business!, "alice@acme-corp.example", true);
    expect(replyTo(transcript, /^MAIL FROM/).join("\n")).toMatch(/^530 5\.7\.0 Must issue a STARTTLS command first/);
  });

  test("relays nothing to a foreign domain, even for the backup MX", () => {
    const transcript = probeChannel(mx2.addresses.business!, `victim@${OUTSIDE_DOMAIN}`);
    expect(replyTo(transcript, /^RCPT TO/).join("\n")).toMatch(/^554 5\.7\.1 .*Relay access denied/);
  });

  test("takes only the home's own domains: a domain the home merely backs up is refused, even from a backup MX", () => {
    // mx1 is the backup MX of private (acme-home.example); its channel serves business only.
    const transcript = probeChannel(mx2.addresses.business!, "family@acme-home.example");
    expect(replyTo(transcript, /^RCPT TO/).join("\n")).toMatch(/^554 5\.7\.1 <family@acme-home\.example>: Recipient address rejected: Access denied/);
  });
});

describe("the home is down", () => {
  const subject = (i: number) => `backup-queue-${RUN}-${String(i).padStart(2, "0")}`;

  test(`the backup queues ${QUEUED} messages, delivers none of them itself or to an impostor, and hands each over exactly once when the home returns`, async () => {
    await stopMail(mx1);
    expect(await accepts(channelOf(mx1), HOST_CHANNEL_PORT)).toBe(false);

    for (let i = 0; i < QUEUED; i++) {
      const sent = inbound(mx2.addresses.business!, mx2, "alice@acme-corp.example", subject(i), `${subject(i)}@${OUTSIDE_DOMAIN}`);
      expect({ i, accepted: replyTo(sent.transcript, /^\.$/).join("\n") }).toEqual({ i, accepted: expect.stringMatching(/^250 /) });
    }
    const deferred = await waitFor(`${QUEUED} deferred messages for alice@ on mx2`, () => {
      const entries = queue(mx2).filter((e) => e.queue_name === "deferred" && e.recipients.some((r) => r.address === "alice@acme-corp.example"));
      return entries.length === QUEUED ? entries : undefined;
    });
    expect(new Set(deferred.flatMap((e) => e.recipients.map((r) => r.delay_reason)))).toEqual(
      new Set([`connect to 127.0.96.11[127.0.96.11]:${HOST_CHANNEL_PORT}: Connection refused`]),
    );
    // Nothing of business is delivered on its backup: it has no mailbox, no Maildir for the group.
    expect(existsSync(join(stateLayout(mx2.stateDir).mail, "acme-corp.example"))).toBe(false);

    // An impostor on the channel address with a certificate from the same CA, for another name: no message leaves.
    const impostor = new SmtpSink(channelOf(mx1), testCertificate(mx2, "mx2.acme-corp.example"), HOST_CHANNEL_PORT);
    impostor.offerStartTls = true;
    await impostor.start();
    try {
      flushQueue(mx2);
      const refused =
        /business\/home\/smtp\[\d+\]: server certificate verification failed for 127\.0\.96\.11\[127\.0\.96\.11\]:10025: num=62:hostname mismatch/;
      await waitFor("the backup's verdict on the impostor (refused its certificate, or sent it mail)", () =>
        impostor.sessions.some((s) => s.mailFrom !== undefined) || logLines(mx2, refused).length > 0 ? true : undefined,
      );
      expect(impostor.sessions.filter((s) => s.mailFrom !== undefined)).toEqual([]);
      expect(impostor.sessions.some((s) => s.tls)).toBe(true);
      expect(logLines(mx2, refused)).not.toEqual([]);
    } finally {
      await impostor.stop();
    }
    expect(queue(mx2).filter((e) => e.recipients.some((r) => r.address === "alice@acme-corp.example"))).toHaveLength(QUEUED);

    await startMail(mx1);
    flushQueue(mx2);
    const marker = `backup-queue-${RUN}-`;
    const arrived = await waitFor(
      `all ${QUEUED} queued messages in alice@'s mailbox on mx1`,
      () => {
        const subjects = subjectsWith(mx1, "alice@acme-corp.example", marker);
        return subjects.length >= QUEUED ? subjects : undefined;
      },
      30_000,
    );
    // Each exactly once, and by its own Message-ID: none lost, none duplicated.
    expect([...arrived].sort()).toEqual(Array.from({ length: QUEUED }, (_, i) => subject(i)));
    const ids = deliveredMessages(mx1, "alice@acme-corp.example").flatMap((m) => (m.includes(marker) ? [/^Message-Id: <([^>]+)>/im.exec(m)?.[1]] : []));
    expect([...ids].sort()).toEqual(Array.from({ length: QUEUED }, (_, i) => `${subject(i)}@${OUTSIDE_DOMAIN}`));
    await waitFor("mx2's queue empty of business mail", () =>
      queue(mx2).some((e) => e.recipients.some((r) => r.address === "alice@acme-corp.example")) ? undefined : true,
    );
    expect(existsSync(join(stateLayout(mx2.stateDir).mail, "acme-corp.example"))).toBe(false);
  }, 90_000);
});

describe("local down", () => {
  test("of the joined instance stops its processes only; the first keeps running with the shared DNS server", async () => {
    const first = mailProcesses(mx1);
    const joined = mailProcesses(mx2);
    expect(joined.length).toBeGreaterThan(0);
    const result = await localDown(mx2.stateDir);
    expect(result.joinedStillRunning).toEqual([]);
    expect(joined.filter(isAlive)).toEqual([]);
    expect(first.filter((pid) => !isAlive(pid))).toEqual([]);
    expect(hasLoopbackAddress(mx1.dnsServer)).toBe(true);
    expect(await accepts(mx1.dnsServer, 53)).toBe(true);
    expect(await accepts(channelOf(mx1), HOST_CHANNEL_PORT)).toBe(true);
  });
});
