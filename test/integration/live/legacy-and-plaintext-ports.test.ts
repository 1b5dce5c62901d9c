/**
 * A variant running live: the legacy-2015 TLS profile (acknowledged) with IMAP 143 and POP3 110
 * switched on. The legacy profile must negotiate TLS 1.0 on OpenSSL 3 as documented, and the
 * plaintext ports must refuse any login before TLS.
 */
import { spawnSync } from "child_process";
import type { LocalState } from "../../../lib/local/state";
import { exampleInput } from "../../support/example";
import { startInstance, stopInstance } from "../../support/live";
import { TextClient } from "../../support/text-client";

let state: LocalState;
let address: string;

beforeAll(async () => {
  const input = exampleInput();
  input.services = { ...input.services, imap: true, pop3: true };
  input.tls = { profile: "legacy-2015", legacyAcknowledgement: "Point-of-sale terminals at a customer only speak TLS 1.0 until 2027." };
  state = await startInstance(input, "legacy", "127.0.50");
  address = state.addresses.business!;
}, 120_000);

afterAll(async () => {
  await stopInstance(state);
}, 60_000);

function negotiated(target: string, flag: string, starttls?: string): string | undefined {
  const args = ["s_client", "-connect", target, flag, "-cipher", "DEFAULT:@SECLEVEL=0", ...(starttls ? ["-starttls", starttls] : [])];
  const result = spawnSync("openssl", args, { input: "", encoding: "utf8", timeout: 20_000 });
  const match = /New, (\S+), Cipher is (\S+)/.exec(result.stdout);
  return match && match[2] !== "(NONE)" ? match[1] : undefined;
}

describe("legacy-2015 profile", () => {
  test.each([
    ["465 (implicit TLS)", "submissions", undefined],
    ["25 (STARTTLS)", "smtp", "smtp"],
    ["993 (implicit TLS)", "imaps", undefined],
    ["143 (STARTTLS)", "imap", "imap"],
  ] as const)("negotiates TLS 1.0 on %s", (_what, service, starttls) => {
    expect(negotiated(`${address}:${state.ports[service]}`, "-tls1", starttls)).toBe("TLSv1.0");
  });

  test("still prefers TLS 1.3 with a modern client", () => {
    expect(negotiated(`${address}:${state.ports.submissions}`, "-tls1_3")).toBe("TLSv1.3");
  });
});

describe("plaintext IMAP and POP3 ports", () => {
  test("IMAP 143 advertises LOGINDISABLED and refuses LOGIN before STARTTLS", async () => {
    const imap = await TextClient.plain(address, state.ports.imap!);
    const greeting = (await imap.readUntil((l) => l.startsWith("* OK"))).join("\n");
    expect(greeting).toContain("LOGINDISABLED");
    expect(greeting).toContain("STARTTLS");
    imap.write(`a LOGIN "${state.user.name}" "${state.user.password}"\r\n`);
    expect((await imap.readUntil((l) => l.startsWith("a "))).pop()).toMatch(/^a NO .*Plaintext authentication disallowed/);
    imap.close();
  });

  test("IMAP 143 accepts the login after STARTTLS", async () => {
    const imap = await TextClient.plain(address, state.ports.imap!);
    await imap.readUntil((l) => l.startsWith("* OK"));
    imap.write("s STARTTLS\r\n");
    expect((await imap.readUntil((l) => l.startsWith("s "))).pop()).toMatch(/^s OK/);
    await imap.upgrade("mail.acme-corp.example");
    imap.write(`a LOGIN "${state.user.name}" "${state.user.password}"\r\n`);
    expect((await imap.readUntil((l) => l.startsWith("a "))).pop()).toMatch(/^a OK .*Logged in/);
    imap.close();
  });

  test("POP3 110 refuses USER/PASS before STLS", async () => {
    const pop = await TextClient.plain(address, state.ports.pop3!);
    await pop.readUntil((l) => l.startsWith("+OK"));
    pop.write(`USER ${state.user.name}\r\n`);
    expect((await pop.readUntil((l) => /^[+-]/.test(l))).pop()).toMatch(/^-ERR .*Plaintext authentication disallowed/);
    pop.close();
  });

  test("POP3 110 accepts the login after STLS", async () => {
    const pop = await TextClient.plain(address, state.ports.pop3!);
    await pop.readUntil((l) => l.startsWith("+OK"));
    pop.write("STLS\r\n");
    expect((await pop.readUntil((l) => /^[+-]/.test(l))).pop()).toMatch(/^\+OK/);
    await pop.upgrade("mail.acme-corp.example");
    pop.write(`USER ${state.user.name}\r\n`);
    await pop.readUntil((l) => /^[+-]/.test(l));
    pop.write(`PASS ${state.user.password}\r\n`);
    expect((await pop.readUntil((l) => /^[+-]/.test(l))).pop()).toMatch(/^\+OK Logged in/);
    pop.close();
  });
});
