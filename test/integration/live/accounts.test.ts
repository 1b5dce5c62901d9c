/**
 * Mailboxes, aliases and users as data, proven against the real Postfix and Dovecot of a local
 * instance (loopback block 127.0.90): the example's mailboxes log in with the passwords of a
 * local users file, role addresses, aliases and the catch-all deliver, unknown addresses are
 * refused at RCPT without naming internal paths, users send only as their own addresses, and a
 * mailbox removed from the model (applied with the on-host apply script) cannot log in while its
 * mail stays on disk.
 */
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { localApply } from "../../../lib/local/apply";
import { OUTSIDE_DOMAIN, stateLayout } from "../../../lib/local/conventions";
import { readLocalState, type LocalState } from "../../../lib/local/state";
import { localDown } from "../../../lib/local/stop";
import { localUp } from "../../../lib/local/up";
import type { PlatformInput } from "../../../lib/model/schema";
import { parsePlatform } from "../../../lib/validation/validate";
import { exampleInput } from "../../support/example";
import { replyTo, swaks, waitForDelivery } from "../../support/live";
import { codes } from "../../support/probes";
import { requirePrograms } from "../../support/programs";
import { TextClient } from "../../support/text-client";

const STATE_DIR = "/tmp/recipients-live-accounts";
const PASSWORDS = { alice: "alice-secret-1", bob: "bob-secret-2", hostmaster: "hostmaster-secret-3" } as const;
const DOMAINS = ["acme-corp.example", "acme-shop.example", "acme-home.example", "acme-family.example"];

let state: LocalState;

beforeAll(async () => {
  requirePrograms("postfix", "dovecot", "named", "swaks", "openssl", "opendkim", "nginx", "/usr/bin/python3");
  if (existsSync(stateLayout(STATE_DIR).stateFile)) await localDown(STATE_DIR).catch(() => undefined);
  const usersFile = join(mkdtempSync(join(tmpdir(), "recipients-users-")), "users");
  // bob's line carries a ready hash, as `doveadm pw` or the SSM parameter would; the others are hashed by local up.
  const bobHash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: `${PASSWORDS.bob}\n`, encoding: "utf8" }).trim();
  writeFileSync(
    usersFile,
    [
      "# passwords of the example's mailboxes",
      `alice@acme-corp.example:${PASSWORDS.alice}`,
      `bob@acme-corp.example:{SHA512-CRYPT}${bobHash}`,
      `hostmaster@acme-corp.example:${PASSWORDS.hostmaster}`,
      "",
    ].join("\n"),
  );
  await localUp(parsePlatform(exampleInput()), { stateDir: STATE_DIR, loopbackBlock: "127.0.90", usersFile });
  state = readLocalState(STATE_DIR);
}, 180_000);

afterAll(async () => {
  if (state) await localDown(STATE_DIR);
}, 60_000);

const business = () => state.addresses.business!;
const port = (service: keyof LocalState["ports"]) => String(state.ports[service]);

async function imapLogin(user: string, password: string): Promise<string> {
  const imap = await TextClient.tls(business(), state.ports.imaps!, "mail.acme-corp.example");
  try {
    await imap.readUntil((l) => l.startsWith("* OK"));
    imap.write(`a LOGIN "${user}" "${password}"\r\n`);
    return (await imap.readUntil((l) => l.startsWith("a "))).pop()!;
  } finally {
    imap.close();
  }
}

function submissionAuth(user: string, password: string) {
  return swaks(["-s", business(), "-p", port("submissions"), "--tlsc", "-a", "PLAIN", "-au", user, "-ap", password, "--quit-after", "AUTH"]);
}

/** Mail from the outside world to an address, over port 25 with STARTTLS (acme-corp requires it). */
function inbound(to: string, subject: string) {
  return swaks(["-s", business(), "-p", port("smtp"), "--tls", "-f", `peer@${OUTSIDE_DOMAIN}`, "-t", to, "--header", `Subject: ${subject}`]);
}

describe("a mailbox of the model logs in with the password of the users file", () => {
  test("over IMAPS and on submission (a plain password and a ready {SHA512-CRYPT} hash)", async () => {
    expect(await imapLogin("alice@acme-corp.example", PASSWORDS.alice)).toMatch(/^a OK .*Logged in/);
    expect(await imapLogin("bob@acme-corp.example", PASSWORDS.bob)).toMatch(/^a OK .*Logged in/);
    expect(submissionAuth("alice@acme-corp.example", PASSWORDS.alice).transcript).toContain("235 2.7.0 Authentication successful");
  });

  test("fails with a wrong password, and for a mailbox without a password (which still receives mail)", async () => {
    expect(await imapLogin("alice@acme-corp.example", "not-the-password")).toMatch(/^a NO /);
    expect(codes(submissionAuth("alice@acme-corp.example", "not-the-password"))).toContain("535");
    expect(await imapLogin("family@acme-home.example", "anything")).toMatch(/^a NO /);
    const marker = `no-password-${Date.now()}`;
    expect(inbound("family@acme-home.example", marker).status).toBe(0);
    await waitForDelivery(state, "family@acme-home.example", (m) => m.includes(marker));
  });
});

describe("delivery through the model's tables", () => {
  test("postmaster@ and abuse@ of every domain arrive in the role mailbox", async () => {
    const markers = DOMAINS.flatMap((d) => ["postmaster", "abuse"].map((local) => [`${local}@${d}`, `role-${local}-${d}-${Date.now()}`] as const));
    for (const [to, marker] of markers) expect({ to, status: inbound(to, marker).status }).toEqual({ to, status: 0 });
    for (const [, marker] of markers) await waitForDelivery(state, "hostmaster@acme-corp.example", (m) => m.includes(marker));
  });

  test("an alias with two targets delivers to both", async () => {
    const marker = `alias-${Date.now()}`;
    expect(inbound("sales@acme-corp.example", marker).status).toBe(0);
    await waitForDelivery(state, "alice@acme-corp.example", (m) => m.includes(marker));
    await waitForDelivery(state, "bob@acme-corp.example", (m) => m.includes(marker));
  });

  test("the catch-all catches any address of its domain", async () => {
    const marker = `catch-all-${Date.now()}`;
    expect(inbound(`anyone-${Date.now()}@acme-family.example`, marker).status).toBe(0);
    await waitForDelivery(state, "family@acme-home.example", (m) => m.includes(marker));
  });

  test("an unknown address of a domain without catch-all is refused at RCPT, and the reply names no internal path", () => {
    const result = swaks([
      "-s",
      business(),
      "-p",
      port("smtp"),
      "--xclient-addr",
      "198.51.100.20",
      "--ehlo",
      "mx.sender.example",
      "--tls",
      "-f",
      `peer@${OUTSIDE_DOMAIN}`,
      "-t",
      "nobody-here@acme-shop.example",
      "--quit-after",
      "RCPT",
    ]);
    const reply = replyTo(result.transcript, /^RCPT TO/).join("\n");
    expect(reply).toMatch(/^550 5\.1\.1 /);
    expect(reply).not.toMatch(/\/|lmtp|dovecot|private/i);
  });
});

describe("sender addresses on submission", () => {
  function sendAs(from: string) {
    return swaks([
      "-s",
      business(),
      "-p",
      port("submissions"),
      "--tlsc",
      "-a",
      "PLAIN",
      "-au",
      "alice@acme-corp.example",
      "-ap",
      PASSWORDS.alice,
      "-f",
      from,
      "-t",
      `someone@${OUTSIDE_DOMAIN}`,
      "--quit-after",
      "RCPT",
    ]);
  }

  test("a user may not send as another group's mailbox, nor as a colleague's", () => {
    for (const other of ["family@acme-home.example", "bob@acme-corp.example"]) {
      expect({ other, reply: replyTo(sendAs(other).transcript, /^RCPT TO/).join("\n") }).toEqual({
        other,
        reply: expect.stringMatching(/^553 5\.7\.1 .*not owned by user/),
      });
    }
  });

  test("a user sends as the own mailbox and as an alias that delivers to it", () => {
    for (const own of ["alice@acme-corp.example", "sales@acme-corp.example"]) {
      expect({ own, reply: replyTo(sendAs(own).transcript, /^RCPT TO/).join("\n") }).toEqual({ own, reply: expect.stringMatching(/^250 /) });
    }
  });
});

describe("a mailbox removed from the model", () => {
  test("cannot log in after the apply, its mail stays on disk, and new mail to it is refused", async () => {
    const marker = `before-removal-${Date.now()}`;
    expect(inbound("bob@acme-corp.example", marker).status).toBe(0);
    await waitForDelivery(state, "bob@acme-corp.example", (m) => m.includes(marker));
    const maildir = join(stateLayout(STATE_DIR).mail, "acme-corp.example", "bob", "Maildir");
    const kept = readdirSync(join(maildir, "new")).sort();

    const input: PlatformInput = exampleInput();
    const business = input.groups[0]!;
    business.mailboxes = business.mailboxes!.filter((m) => m.address !== "bob@acme-corp.example");
    business.aliases = business.aliases!.map((a) => ({ ...a, to: a.to.filter((t) => t !== "bob@acme-corp.example") }));
    const applied = localApply(parsePlatform(input), { stateDir: STATE_DIR });
    expect({ status: applied.status, log: applied.status === 0 ? "" : applied.log }).toEqual({ status: 0, log: "" });

    expect(await imapLogin("bob@acme-corp.example", PASSWORDS.bob)).toMatch(/^a NO /);
    expect(codes(submissionAuth("bob@acme-corp.example", PASSWORDS.bob))).toContain("535");
    expect(await imapLogin("alice@acme-corp.example", PASSWORDS.alice)).toMatch(/^a OK .*Logged in/);
    expect(readdirSync(join(maildir, "new")).sort()).toEqual(kept);
    const refused = swaks([
      "-s",
      state.addresses.business!,
      "-p",
      port("smtp"),
      "--tls",
      "-f",
      `peer@${OUTSIDE_DOMAIN}`,
      "-t",
      "bob@acme-corp.example",
      "--quit-after",
      "RCPT",
    ]);
    expect(replyTo(refused.transcript, /^RCPT TO/).join("\n")).toMatch(/^550 5\.1\.1 /);
  }, 180_000);
});
