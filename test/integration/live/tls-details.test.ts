/**
 * TLS details to the 2015 recipe and Mozilla's guidelines, on a running instance (Debian 12's
 * Postfix 3.7, Dovecot 2.3, nginx 1.22, OpenSSL 3.0): testssl.sh on every TLS port finds nothing
 * of MEDIUM or above apart from the test certificate; openssl s_client sees the server's cipher
 * and curve order, RFC 7919's ffdhe2048 on DHE suites, no stateless session tickets; outbound TLS
 * sends SNI; greetings name no software. Loopback block 127.0.120 only.
 */
import { spawn, spawnSync } from "child_process";
import type { LocalState } from "../../../lib/local/state";
import { OUTSIDE_DOMAIN } from "../../../lib/local/conventions";
import { FFDHE2048_PEM } from "../../../lib/tls/ffdhe2048";
import { exampleInput } from "../../support/example";
import { replies, startInstance, stopInstance, swaks, testCertificate } from "../../support/live";
import { SmtpSink } from "../../support/smtp-sink";
import { startSieveStarttlsRelay, type StarttlsRelay } from "../../support/starttls-relay";
import { TextClient } from "../../support/text-client";
import { problems, testsslAll, TEST_CERTIFICATE_FINDINGS, type TestsslFinding, type TestsslTarget } from "../../support/testssl";
import { requirePrograms } from "../../support/programs";

const BLOCK = "127.0.120";
/** Where the ManageSieve STARTTLS relay listens (an address of the block no instance uses). */
const RELAY_ADDRESS = `${BLOCK}.210`;

let state: LocalState;
let relay: StarttlsRelay;
let sink: SmtpSink;
let business: string;
const NAME = "mail.acme-corp.example";

beforeAll(async () => {
  requirePrograms("testssl");
  const input = exampleInput();
  input.services = { ...input.services, managesieve: true };
  state = await startInstance(input, "tls-details", BLOCK);
  business = state.addresses.business!;
  relay = await startSieveStarttlsRelay(RELAY_ADDRESS, { host: business, port: state.ports.managesieve! });
  sink = new SmtpSink(state.outside, testCertificate(state, `mx.${OUTSIDE_DOMAIN}`));
  sink.offerStartTls = true;
  await sink.start();
}, 120_000);

afterAll(async () => {
  await sink?.stop();
  await relay?.close();
  await stopInstance(state);
}, 60_000);

const port = (service: keyof LocalState["ports"]) => state.ports[service]!;

/**
 * A program's whole output (stdout + stderr), without blocking this process: the ManageSieve
 * relay lives in it and must keep passing bytes meanwhile.
 */
function output(program: string, args: readonly string[], input = "", timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
    child.stdin.end(input);
  });
}

/** openssl s_client against a port (STARTTLS when given); its whole output. */
function sClient(target: string, args: readonly string[], starttls?: string, input = ""): Promise<string> {
  return output("openssl", ["s_client", "-connect", target, "-servername", NAME, ...(starttls ? ["-starttls", starttls] : []), ...args], input);
}

/** Every TLS endpoint of the instance, as [label, host:port, s_client -starttls]. */
function endpoints(): Array<readonly [string, string, string | undefined]> {
  return [
    ["25 (STARTTLS)", `${business}:${port("smtp")}`, "smtp"],
    ["587 (STARTTLS)", `${business}:${port("submission")}`, "smtp"],
    ["465", `${business}:${port("submissions")}`, undefined],
    ["993", `${business}:${port("imaps")}`, undefined],
    ["995", `${business}:${port("pop3s")}`, undefined],
    ["4190 (STARTTLS, through the relay)", `${RELAY_ADDRESS}:${relay.port}`, undefined],
    ["443 (nginx)", `${business}:443`, undefined],
  ];
}

describe("testssl.sh on every TLS port", () => {
  let results: Map<TestsslTarget, TestsslFinding[]>;
  const targets = (): TestsslTarget[] => {
    const common = { name: NAME, caFile: state.caFile };
    return [
      { ...common, ip: business, port: port("smtp"), starttls: "smtp" },
      { ...common, ip: business, port: port("submission"), starttls: "smtp" },
      { ...common, ip: business, port: port("submissions") },
      { ...common, ip: business, port: port("imaps") },
      { ...common, ip: business, port: port("pop3s") },
      { ...common, ip: RELAY_ADDRESS, port: relay.port },
      { ...common, name: "mta-sts.acme-corp.example", ip: business, port: 443 },
    ];
  };

  beforeAll(async () => {
    results = await testsslAll(targets());
  }, 15 * 60_000);

  test("finds nothing of MEDIUM or above, apart from the test certificate's findings (listed in TEST_CERTIFICATE_FINDINGS)", () => {
    const found = [...results].map(([t, findings]) => ({ port: t.port, problems: problems(findings) }));
    expect(found).toEqual([...results.keys()].map((t) => ({ port: t.port, problems: [] })));
    // The exclusions are only the certificate's: each one excluded was really reported, nothing else.
    const excluded = [...results.values()].flatMap((findings) => findings.filter((f) => f.id in TEST_CERTIFICATE_FINDINGS).map((f) => f.id));
    expect(new Set(excluded)).toEqual(new Set(Object.keys(TEST_CERTIFICATE_FINDINGS)));
  });

  test("sees the server's cipher order, Mozilla's curves and RFC 7919's ffdhe2048 on every port", async () => {
    for (const [target, findings] of results) {
      const byId = (id: string) => findings.find((f) => f.id === id);
      expect({ port: target.port, order: byId("cipher_order")?.finding }).toEqual({ port: target.port, order: "server" });
      expect({ port: target.port, curves: (byId("PFS_ECDHE_curves") ?? byId("FS_ECDHE_curves"))?.finding }).toEqual({
        port: target.port,
        curves: "prime256v1 secp384r1 X25519",
      });
      expect({ port: target.port, dh: byId("LOGJAM-common_primes")?.finding }).toEqual({ port: target.port, dh: expect.stringContaining("RFC7919/ffdhe2048") });
    }
  });
});

describe("openssl s_client", () => {
  test("a DHE suite gets RFC 7919's ffdhe2048 (the prime in ServerKeyExchange) on every port", async () => {
    // p of the parameters: the first INTEGER of the DER (openssl asn1parse prints it in hex).
    const asn1 = spawnSync("openssl", ["asn1parse"], { input: FFDHE2048_PEM, encoding: "utf8" }).stdout;
    const prime = /INTEGER\s+:([0-9A-F]+)/.exec(asn1)![1]!.toLowerCase();
    expect(prime).toHaveLength(512);
    for (const [label, target, starttls] of endpoints()) {
      const text = await sClient(target, ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256", "-msg"], starttls);
      expect({ label, key: /Server Temp Key: [^\n]+/.exec(text)?.[0] }).toEqual({ label, key: "Server Temp Key: DH, 2048 bits" });
      // -msg prints the handshake in hex; ServerKeyExchange (type 0c) begins with p's length (0100) and p.
      const block = /ServerKeyExchange\n((?:\s+[0-9a-f ]+\n)+)/.exec(text)?.[1] ?? "";
      const hex = block.replace(/\s/g, "");
      expect({ label, prime: hex.startsWith("0c") && hex.includes(`0100${prime}`) }).toEqual({ label, prime: true });
    }
  });

  test("the server's curve order wins: a client preferring secp384r1 gets X25519; curves outside Mozilla's are refused", async () => {
    for (const [label, target, starttls] of endpoints()) {
      const reversed = await sClient(target, ["-tls1_2", "-curves", "secp384r1:prime256v1:X25519"], starttls);
      expect({ label, key: /Server Temp Key: [^\n,]+/.exec(reversed)?.[0] }).toEqual({ label, key: "Server Temp Key: X25519" });
      for (const curve of ["X448", "secp521r1"]) {
        const other = await sClient(target, ["-tls1_2", "-cipher", "ECDHE", "-curves", curve], starttls);
        expect({ label, curve, refused: /Cipher is \(NONE\)|handshake failure|no shared cipher/.test(other) }).toEqual({ label, curve, refused: true });
      }
    }
  });

  test("no session ticket in TLS 1.2, and TLS 1.3's ticket is only a session id into the server's cache", async () => {
    const seen: number[] = [];
    for (const [label, target, starttls] of endpoints()) {
      const tls12 = await sClient(target, ["-tls1_2"], starttls);
      expect({ label, handshake: /New, TLSv1\.2/.test(tls12), ticket: /TLS session ticket:/.test(tls12) }).toEqual({ label, handshake: true, ticket: false });
      // A stateless ticket carries the encrypted session (well over 100 bytes); a stateful one, 32.
      const tls13 = await output("sh", [
        "-c",
        `sleep 2 | openssl s_client -connect ${target} -servername ${NAME} ${starttls ? `-starttls ${starttls}` : ""} -tls1_3`,
      ]);
      const ticketLengths = [...tls13.matchAll(/TLS session ticket:\n((?: {4}[0-9a-f]{4} - [^\n]+\n)+)/g)].map((m) => m[1]!.trim().split("\n").length * 16);
      expect({ label, long: ticketLengths.filter((n) => n > 32) }).toEqual({ label, long: [] });
      seen.push(...ticketLengths);
    }
    // The parser finds tickets: the stateful ones Postfix and nginx send in TLS 1.3.
    expect(seen).toContain(32);
  });
});

describe("outbound SNI", () => {
  test("a group transport names the receiving MX host (smtp_tls_servername = hostname)", async () => {
    const marker = `sni-${Date.now()}`;
    const result = swaks([
      "-s",
      business,
      "-p",
      String(port("submission")),
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
      `someone@${OUTSIDE_DOMAIN}`,
      "--header",
      `Subject: ${marker}`,
    ]);
    expect(replies(result.transcript)).toContain("235 2.7.0 Authentication successful");
    const session = await sink.waitForMessage((s) => (s.data ?? "").includes(marker), 60_000);
    expect({ tls: session.tls, serverName: session.serverName }).toEqual({ tls: true, serverName: `mx.${OUTSIDE_DOMAIN}` });
  }, 90_000);
});

describe("neutral greetings", () => {
  test("every SMTP listener greets with its host name only", () => {
    for (const [address, name] of Object.entries(state.addresses).map(([group, a]) => [a, group] as const)) {
      for (const service of ["smtp", "submission"] as const) {
        const greeting = replies(swaks(["-s", address, "-p", String(port(service)), "--quit-after", "CONNECT"]).transcript)[0];
        expect({ name, service, greeting }).toEqual({ name, service, greeting: expect.stringMatching(/^220 mail\.acme-[a-z]+\.example ESMTP$/) });
      }
    }
  });

  test("IMAP, POP3 and ManageSieve greetings name no software", async () => {
    const imap = await TextClient.tls(business, port("imaps"), NAME);
    const imapGreeting = (await imap.readUntil((l) => l.startsWith("* OK"))).pop()!;
    imap.close();
    const pop = await TextClient.tls(business, port("pop3s"), NAME);
    const popGreeting = (await pop.readUntil((l) => l.startsWith("+OK"))).pop()!;
    pop.close();
    const sieve = await TextClient.plain(business, port("managesieve"));
    const sieveGreeting = (await sieve.readUntil((l) => l.startsWith("OK"))).join("\n");
    sieve.close();
    expect(imapGreeting).toMatch(/\] Ready\.$/);
    expect(popGreeting).toBe("+OK Ready.");
    expect(sieveGreeting).toMatch(/"IMPLEMENTATION" "ManageSieve"/);
    for (const greeting of [imapGreeting, popGreeting, sieveGreeting]) expect(greeting).not.toMatch(/dovecot|pigeonhole|debian/i);
  });

  test("nginx names no version", async () => {
    const text = await sClient(`${business}:443`, ["-quiet"], undefined, "HEAD / HTTP/1.1\r\nHost: mta-sts.acme-corp.example\r\nConnection: close\r\n\r\n");
    expect(text).toMatch(/^Server: nginx\r?$/m);
  });
});
