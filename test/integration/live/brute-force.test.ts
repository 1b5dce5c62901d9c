/**
 * Brute-force protection, live: the example platform on loopback block 127.0.150 with the real
 * Postfix and Dovecot, and the platform's rendered fail2ban jail and filter run by the real fail2ban
 * with nftables (local/fail2ban.ts: bans in a table of this instance's own that matches only
 * connections to 127.0.150.0/24, deleted at the end). Attackers and the user connect from
 * 127.0.151.x. An attacker makes 30 wrong attempts on 465, another 30 on 993; each must be banned
 * after at most maxFailures checked passwords and within a bounded time, while the user's correct
 * password from another address keeps working on 587, 465 and 993.
 */
import { spawnSync } from "child_process";
import { stateLayout } from "../../../lib/local/conventions";
import { localBanTable, localBannedAddresses, startLocalFail2ban, stopLocalFail2ban } from "../../../lib/local/fail2ban";
import type { LocalState } from "../../../lib/local/state";
import { exampleInput } from "../../support/example";
import { startInstance, stopInstance } from "../../support/live";
import { requirePrograms } from "../../support/programs";
import { TextClient } from "../../support/text-client";

const BLOCK = "127.0.150";
const ATTACKER_SMTP = "127.0.151.2";
const ATTACKER_IMAP = "127.0.151.4";
const USER_ADDRESS = "127.0.151.3";
const MAX_FAILURES = 5;
const ATTEMPTS = 30;
/** Dovecot delays each failure (2 s, growing to 15 s for an address that keeps failing): 5 failures and the ban fit well within this. */
const BAN_WITHIN_MS = 150_000;
const SERVER_NAME = "mail.acme-corp.example";

let state: LocalState | undefined;
let fail2banStarted = false;

beforeAll(async () => {
  requirePrograms("fail2ban-client", "nft");
  const input = exampleInput();
  input.bruteForce = { maxFailures: MAX_FAILURES, findTimeMinutes: 10, banMinutes: 30 };
  state = await startInstance(input, "brute-force", BLOCK);
  fail2banStarted = true;
  startLocalFail2ban(stateLayout(state.stateDir), BLOCK);
}, 180_000);

afterAll(async () => {
  if (state && fail2banStarted) stopLocalFail2ban(stateLayout(state.stateDir), BLOCK);
  await stopInstance(state);
  // fail2ban removed its table when it stopped (or stopLocalFail2ban deleted what a failed stop left).
  expect(spawnSync("nft", ["list", "table", "inet", localBanTable(BLOCK)], { stdio: "ignore" }).status).not.toBe(0);
}, 120_000);

/** How one attempt ended: the server's answer to the password, or the connection refused/dropped. */
type Outcome = "accepted" | "rejected" | "temporary" | "blocked";

function classify(error: unknown): Outcome {
  const text = String(error);
  // Refused (the ban rejects with ICMP port unreachable), or an open session cut off by the ban.
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|connection closed|socket hang up|timeout/i.test(text)) return "blocked";
  throw error;
}

function plainCredentials(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`).toString("base64");
}

/** SMTP AUTH PLAIN on 465 (implicit TLS) or 587 (STARTTLS) from a local address. */
async function smtpLogin(port: number, starttls: boolean, from: string, user: string, password: string): Promise<Outcome> {
  const address = state!.addresses.business!;
  let client: TextClient | undefined;
  try {
    client = starttls ? await TextClient.plain(address, port, from) : await TextClient.tls(address, port, SERVER_NAME, from);
    await client.smtpReply();
    await client.smtp("EHLO client.example");
    if (starttls) {
      const reply = (await client.smtp("STARTTLS")).pop()!;
      if (!reply.startsWith("220 ")) throw new Error(`STARTTLS refused: ${reply}`);
      await client.upgrade(SERVER_NAME);
      await client.smtp("EHLO client.example");
    }
    const reply = (await client.smtp(`AUTH PLAIN ${plainCredentials(user, password)}`)).pop()!;
    if (reply.startsWith("235 ")) return "accepted";
    if (reply.startsWith("535 ")) return "rejected";
    if (reply.startsWith("454 ")) return "temporary";
    throw new Error(`unexpected AUTH reply: ${reply}`);
  } catch (error) {
    return classify(error);
  } finally {
    client?.close();
  }
}

/** IMAP LOGIN on 993 from a local address. */
async function imapLogin(from: string, user: string, password: string): Promise<Outcome> {
  let client: TextClient | undefined;
  try {
    client = await TextClient.tls(state!.addresses.business!, state!.ports.imaps!, SERVER_NAME, from);
    await client.readUntil((l) => l.startsWith("* OK"));
    client.write(`a LOGIN "${user}" "${password}"\r\n`);
    const reply = (await client.readUntil((l) => l.startsWith("a "), 60_000)).pop()!;
    if (/^a OK/.test(reply)) return "accepted";
    if (/^a NO \[AUTHENTICATIONFAILED\]/.test(reply)) return "rejected";
    if (/^a NO \[UNAVAILABLE\]/.test(reply)) return "temporary";
    throw new Error(`unexpected LOGIN reply: ${reply}`);
  } catch (error) {
    return classify(error);
  } finally {
    client?.close();
  }
}

/** The user's correct password on 587, 465 and 993 from the user's address. */
async function userLogins(): Promise<Outcome[]> {
  const { name, password } = state!.user;
  return [
    await smtpLogin(state!.ports.submission!, true, USER_ADDRESS, name, password),
    await smtpLogin(state!.ports.submissions!, false, USER_ADDRESS, name, password),
    await imapLogin(USER_ADDRESS, name, password),
  ];
}

/** What an attack saw: every attempt's outcome and when the first blocked one came. */
interface Attack {
  readonly outcomes: Outcome[];
  readonly blockedAfterMs?: number;
}

/** 30 wrong passwords in a row, each on a new connection; the user logs in from elsewhere meanwhile. */
async function attack(attempt: (i: number) => Promise<Outcome>): Promise<{ attack: Attack; during: Outcome[][] }> {
  const started = Date.now();
  const outcomes: Outcome[] = [];
  let blockedAfterMs: number | undefined;
  let done = false;
  const attacking = (async () => {
    for (let i = 0; i < ATTEMPTS; i++) {
      const outcome = await attempt(i);
      outcomes.push(outcome);
      if (outcome === "blocked" && blockedAfterMs === undefined) blockedAfterMs = Date.now() - started;
      if (Date.now() - started > BAN_WITHIN_MS * 2) break;
    }
    done = true;
  })();
  // The user keeps logging in while the attack runs (bounded: at most 10 rounds).
  const during: Outcome[][] = [];
  for (let round = 0; round < 10 && !done; round++) {
    during.push(await userLogins());
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  await attacking;
  return { attack: { outcomes, ...(blockedAfterMs === undefined ? {} : { blockedAfterMs }) }, during };
}

function expectBlockedWithinBounds(result: Attack): void {
  // Every attempt after the first blocked one is blocked too; before it, at most maxFailures
  // passwords were checked (an attempt whose check Dovecot delayed past Postfix's wait counts as temporary).
  const firstBlocked = result.outcomes.indexOf("blocked");
  expect(firstBlocked).toBeGreaterThan(0);
  // Refused from attempt maxFailures + 2 on at the latest: one attempt may be under way when the ban lands.
  expect(firstBlocked).toBeLessThanOrEqual(MAX_FAILURES + 1);
  expect(result.outcomes.slice(firstBlocked).every((o) => o === "blocked")).toBe(true);
  expect(result.outcomes.slice(0, firstBlocked).filter((o) => o === "rejected").length).toBeLessThanOrEqual(MAX_FAILURES);
  expect(result.outcomes).not.toContain("accepted");
  expect(result.outcomes).toHaveLength(ATTEMPTS);
  expect(result.blockedAfterMs).toBeLessThan(BAN_WITHIN_MS);
}

describe("brute-force protection (fail2ban + nftables, the rendered jail)", () => {
  test("30 wrong passwords on 465: the address is banned after at most 5; the user's password works on 587/465/993 from another address meanwhile", async () => {
    const { name } = state!.user;
    const { attack: result, during } = await attack((i) => smtpLogin(state!.ports.submissions!, false, ATTACKER_SMTP, name, `wrong-${i}`));
    process.stdout.write(`465 attack: ${JSON.stringify(result)}; the user logged in ${during.length} × 3 times meanwhile\n`);
    expectBlockedWithinBounds(result);
    expect(localBannedAddresses(stateLayout(state!.stateDir))).toContain(ATTACKER_SMTP);
    expect(during.length).toBeGreaterThan(0);
    for (const round of during) expect(round).toEqual(["accepted", "accepted", "accepted"]);
    expect(await userLogins()).toEqual(["accepted", "accepted", "accepted"]);
    // The ban closes every login port of the attacker (993 too), not port 25.
    expect(await imapLogin(ATTACKER_SMTP, name, "wrong")).toBe("blocked");
    const mx = await TextClient.plain(state!.addresses.business!, state!.ports.smtp!, ATTACKER_SMTP);
    expect((await mx.smtpReply()).pop()).toMatch(/^220 /);
    mx.close();
  }, 400_000);

  test("30 wrong passwords on 993: the address is banned after at most 5; the user's password still works from another address", async () => {
    const { name } = state!.user;
    const { attack: result, during } = await attack((i) => imapLogin(ATTACKER_IMAP, name, `wrong-${i}`));
    process.stdout.write(`993 attack: ${JSON.stringify(result)}; the user logged in ${during.length} × 3 times meanwhile\n`);
    expectBlockedWithinBounds(result);
    expect(localBannedAddresses(stateLayout(state!.stateDir))).toEqual(expect.arrayContaining([ATTACKER_SMTP, ATTACKER_IMAP]));
    for (const round of during) expect(round).toEqual(["accepted", "accepted", "accepted"]);
    expect(await userLogins()).toEqual(["accepted", "accepted", "accepted"]);
    expect(await smtpLogin(state!.ports.submission!, true, ATTACKER_IMAP, name, "wrong")).toBe("blocked");
  }, 400_000);

  test("the bans live in this instance's own nftables table and match only connections to its block", () => {
    const table = spawnSync("nft", ["list", "table", "inet", localBanTable(BLOCK)], { encoding: "utf8" }).stdout;
    expect(table).toContain(`ip daddr ${BLOCK}.0/24 tcp dport`);
    expect(table).toMatch(new RegExp(`elements = \\{[^}]*${ATTACKER_SMTP.replace(/\./g, "\\.")}`));
  });
});
