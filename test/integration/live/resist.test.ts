/**
 * Attacks on a running platform, each re-run against the real Postfix and Dovecot of a local
 * instance (loopback block 127.0.110; the attackers' and the third client's addresses in
 * 127.0.111): idle connections must not lock legitimate users out of 587/465, HELO naming one of
 * our own host names or addresses (or malformed, or 100,000 characters long) is refused from
 * outside, a user logs in only on the listeners of the user's own group, and no reply names an
 * internal path or socket.
 */
import { Socket, connect } from "net";
import { performance } from "perf_hooks";
import type { LocalState } from "../../../lib/local/state";
import { exampleInput } from "../../support/example";
import { replies, replyTo, startInstance, stopInstance, swaksAsync, type SwaksResult } from "../../support/live";
import { TextClient } from "../../support/text-client";

const BLOCK = "127.0.110";
/** The two addresses the idle connections come from, and the third (legitimate) client's. */
const ATTACKERS = ["127.0.111.1", "127.0.111.2"] as const;
const LEGITIMATE = "127.0.111.3";
/** An internet client, as XCLIENT presents it to port 25. */
const OUTSIDE = ["--xclient-addr", "203.0.113.9", "--xclient-name", "mx.sender.example", "--ehlo", "mx.sender.example"];

/** What a reply must never name: a file system path, a socket, a table type or an internal service. */
const INTERNAL = /\/(etc|var|run|tmp|usr|srv)\/|private\/|unix:|\.sock|\b(texthash|hash|lmdb|cidr|pcre|proxy):|lmtp|dovecot|postfix|postscreen/i;

let state: LocalState;
let business: string;
let privateGroup: string;
const port = (service: keyof LocalState["ports"]) => String(state.ports[service]);
/** Every server reply collected by the tests, checked for internals at the end. */
const collected: string[] = [];

function keep(result: SwaksResult): SwaksResult {
  collected.push(...replies(result.transcript));
  return result;
}

beforeAll(async () => {
  state = await startInstance(exampleInput(), "resist", BLOCK);
  business = state.addresses.business!;
  privateGroup = state.addresses.private!;
}, 180_000);

afterAll(async () => {
  await stopInstance(state);
}, 60_000);

/** Open idle connections (nothing is ever sent) from a local address; resolves once all are connected, and one second more. */
async function idleConnections(host: string, target: number, from: string, count: number): Promise<Socket[]> {
  const sockets = Array.from({ length: count }, () => {
    const socket = connect({ host, port: target, localAddress: from });
    socket.on("error", () => undefined);
    return socket;
  });
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.once("connect", () => resolve()).once("close", () => resolve()))));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return sockets;
}

/** Seconds from connect to the greeting from the legitimate client's address (implicit TLS on 465). */
async function secondsToGreeting(host: string, target: number, implicitTls: boolean): Promise<number> {
  const start = performance.now();
  const client = implicitTls ? await TextClient.tls(host, target, "mail.acme-corp.example", LEGITIMATE) : await TextClient.plain(host, target, LEGITIMATE);
  try {
    const greeting = (await client.smtpReply()).pop()!;
    expect(greeting).toMatch(/^220 /);
    return (performance.now() - start) / 1000;
  } finally {
    client.close();
  }
}

/** A whole submission from the legitimate client: TLS, AUTH, one message queued. */
async function submit(host: string, service: "submission" | "submissions"): Promise<{ seconds: number; result: SwaksResult }> {
  const start = performance.now();
  const result = await swaksAsync(
    [
      "-s",
      host,
      "-p",
      port(service),
      "-li",
      LEGITIMATE,
      service === "submissions" ? "--tlsc" : "--tls",
      "-a",
      "PLAIN",
      "-au",
      state.user.name,
      "-ap",
      state.user.password,
      "-f",
      state.user.name,
      "-t",
      state.user.name,
      "--header",
      `Subject: through the idle crowd on ${service}`,
    ],
    30,
  );
  return { seconds: (performance.now() - start) / 1000, result };
}

describe("idle clients do not lock users out of 587 and 465", () => {
  test.each([
    ["587", "submission"],
    ["465", "submissions"],
  ] as const)(
    "100 idle connections on %s from two addresses; a third client gets its greeting and submits within 10 s",
    async (_port, service) => {
      const target = state.ports[service]!;
      const idle = (await Promise.all(ATTACKERS.map((from) => idleConnections(business, target, from, 50)))).flat();
      try {
        const greeting = await secondsToGreeting(business, target, service === "submissions");
        const { seconds, result } = await submit(business, service);
        keep(result);
        console.log(`${service}: 100 idle connections; third client's greeting after ${greeting.toFixed(2)} s, message queued after ${seconds.toFixed(2)} s`);
        expect(replyTo(result.transcript, /^\.$/).pop()).toMatch(/^250 .*queued as/);
        expect(seconds).toBeLessThan(10);
        expect(greeting).toBeLessThan(10);
      } finally {
        idle.forEach((s) => s.destroy());
      }
    },
    120_000,
  );
});

describe("HELO on port 25 from outside", () => {
  const helo = (name: string) =>
    swaksAsync(["-s", business, "-p", port("smtp"), ...OUTSIDE.slice(0, 4), "--tls", "--ehlo", name, "-f", "peer@outside.example", "-t", state.user.name], 30);

  test.each([
    ["our own host name", () => "mail.acme-corp.example"],
    ["another group's host name", () => "mail.acme-home.example"],
    ["our address literal", () => `[${business}]`],
    ["our address, bare", () => business],
    ["a malformed name", () => "bad..name_"],
    ["a 300-character name", () => `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.${"e".repeat(55)}.example`],
  ])("%s is refused, and no mail is accepted", async (_what, name) => {
    const result = keep(await helo(name()));
    const rcpt = replyTo(result.transcript, /^RCPT TO/).pop()!;
    expect(rcpt).toMatch(/^5\d\d .*Helo command rejected/);
  });

  test("a HELO of 100,000 characters is refused (Postfix reads the first 2,048: an invalid name)", async () => {
    const client = await TextClient.plain(business, state.ports.smtp!);
    try {
      await client.smtpReply();
      await client.smtp("EHLO mx.sender.example");
      expect((await client.smtp("XCLIENT ADDR=203.0.113.9 NAME=mx.sender.example")).pop()).toMatch(/^220 /);
      const ehlo = await client.smtp(`EHLO ${"a".repeat(100_000)}`);
      collected.push(...ehlo.map((l) => l.slice(0, 300)));
      const answer = [...(await client.smtp("MAIL FROM:<peer@outside.example>")), ...(await client.smtp(`RCPT TO:<${state.user.name}>`))];
      collected.push(...answer.map((l) => l.slice(0, 300)));
      expect(answer.join("\n")).toMatch(/^5\d\d .*Helo command rejected/m);
    } finally {
      client.close();
    }
  });

  test("a foreign, well-formed HELO is still accepted (the control)", async () => {
    const result = keep(await helo("mx.sender.example"));
    expect(replyTo(result.transcript, /^RCPT TO/).pop()).toMatch(/^250 /);
  });
});

describe("logins only on the listeners of the user's own group", () => {
  async function imapLogin(host: string): Promise<string> {
    const imap = await TextClient.tls(host, state.ports.imaps!, "mail.acme-corp.example");
    try {
      await imap.readUntil((l) => l.startsWith("* OK"));
      imap.write(`a LOGIN "${state.user.name}" "${state.user.password}"\r\n`);
      return (await imap.readUntil((l) => l.startsWith("a "))).pop()!;
    } finally {
      imap.close();
    }
  }

  async function popLogin(host: string): Promise<string> {
    const pop = await TextClient.tls(host, state.ports.pop3s!, "mail.acme-corp.example");
    try {
      await pop.readUntil((l) => l.startsWith("+OK"));
      pop.write(`USER ${state.user.name}\r\n`);
      await pop.readUntil((l) => /^[+-]/.test(l));
      pop.write(`PASS ${state.user.password}\r\n`);
      return (await pop.readUntil((l) => /^[+-]/.test(l))).pop()!;
    } finally {
      pop.close();
    }
  }

  const auth = (host: string, service: "submission" | "submissions") =>
    swaksAsync(
      [
        "-s",
        host,
        "-p",
        port(service),
        service === "submissions" ? "--tlsc" : "--tls",
        "-a",
        "PLAIN",
        "-au",
        state.user.name,
        "-ap",
        state.user.password,
        "-f",
        state.user.name,
        "-t",
        state.user.name,
      ],
      30,
    );

  test("the business user logs in on the business group's IMAPS, POP3S, 587 and 465 (the control)", async () => {
    expect(await imapLogin(business)).toMatch(/^a OK/);
    expect(await popLogin(business)).toMatch(/^\+OK/);
    for (const service of ["submission", "submissions"] as const) {
      const result = keep(await auth(business, service));
      expect(replyTo(result.transcript, /^AUTH/).pop()).toMatch(/^235 /);
    }
  });

  test("the same user and password are refused on the private group's IMAPS and POP3S", async () => {
    const imap = await imapLogin(privateGroup);
    const pop = await popLogin(privateGroup);
    collected.push(imap, pop);
    expect(imap).toMatch(/^a NO /);
    expect(pop).toMatch(/^-ERR /);
  });

  test.each(["submission", "submissions"] as const)("and on the private group's %s: AUTH fails, nothing is submitted", async (service) => {
    const result = keep(await auth(privateGroup, service));
    expect(replyTo(result.transcript, /^AUTH/).pop()).toMatch(/^535 /);
    expect(result.transcript).not.toMatch(/queued as/);
  });
});

describe("replies name nothing internal", () => {
  test("an unknown recipient, a relay attempt and a refused login", async () => {
    const unknown = keep(
      await swaksAsync(["-s", business, "-p", port("smtp"), ...OUTSIDE, "--tls", "-f", "peer@outside.example", "-t", "nobody-here@acme-corp.example"], 30),
    );
    expect(replyTo(unknown.transcript, /^RCPT TO/).pop()).toMatch(/^550 /);
    const relay = keep(
      await swaksAsync(["-s", business, "-p", port("smtp"), ...OUTSIDE, "--tls", "-f", "peer@outside.example", "-t", "victim@elsewhere.example"], 30),
    );
    expect(replyTo(relay.transcript, /^RCPT TO/).pop()).toMatch(/^(454|554) /);
    const badPassword = keep(
      await swaksAsync(
        ["-s", business, "-p", port("submissions"), "--tlsc", "-a", "PLAIN", "-au", state.user.name, "-ap", "wrong-password", "--quit-after", "AUTH"],
        30,
      ),
    );
    expect(replyTo(badPassword.transcript, /^AUTH/).pop()).toMatch(/^535 /);
  });

  test("no reply collected by this suite names a path, socket, table or internal service", () => {
    expect(collected.length).toBeGreaterThan(20);
    expect(collected.filter((line) => INTERNAL.test(line))).toEqual([]);
  });
});
