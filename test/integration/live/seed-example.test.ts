/**
 * The seed example, running: the rendered Postfix and Dovecot (plus named for DNS) on loopback,
 * probed the way mail clients, other mail servers and attackers talk to them.
 */
import type { LocalState } from "../../../lib/local/state";
import { DNSBL_LISTED_CLIENT, DNSBL_UNLISTED_CLIENT, OUTSIDE_DOMAIN } from "../../../lib/local/conventions";
import { exampleInput } from "../../support/example";
import {
  deliveredMessages,
  flushQueue,
  replies,
  replyTo,
  startInstance,
  stopInstance,
  swaks,
  testCertificate,
  verifyDkim,
  waitForDelivery,
  waitForLog,
} from "../../support/live";
import { dig } from "../../support/named";
import { createHash } from "crypto";
import { readFileSync } from "fs";
import { SmtpSink } from "../../support/smtp-sink";
import { TextClient } from "../../support/text-client";
import { codes, ehloKeywords, relayTricks, handshake, httpsGet, leastStrength } from "../../support/probes";

let state: LocalState;
let sink: SmtpSink;
let business: string;
let privateAddress: string;

beforeAll(async () => {
  state = await startInstance(exampleInput(), "seed", "127.0.40");
  business = state.addresses.business!;
  privateAddress = state.addresses.private!;
  sink = new SmtpSink(state.outside, testCertificate(state, `mx.${OUTSIDE_DOMAIN}`));
  await sink.start();
}, 120_000);

afterAll(async () => {
  await sink?.stop();
  await stopInstance(state);
}, 60_000);

const user = () => state.user.name;
const password = () => state.user.password;
const port = (service: keyof LocalState["ports"]) => String(state.ports[service]);

describe("port 25 (MX)", () => {
  test("offers STARTTLS and never AUTH, before or after TLS", () => {
    const plain = swaks(["-s", business, "-p", port("smtp"), "--quit-after", "EHLO"]);
    expect(ehloKeywords(plain)).toContain("STARTTLS");
    expect(ehloKeywords(plain)).not.toContain("AUTH");
    const tls = swaks(["-s", business, "-p", port("smtp"), "--tls", "--quit-after", "EHLO"]);
    expect(tls.transcript).toMatch(/TLS started/);
    expect(ehloKeywords(tls).filter((k) => k === "AUTH")).toEqual([]);
  });

  test("greets with the group's own host name on each group address", () => {
    expect(replies(swaks(["-s", business, "-p", port("smtp"), "--quit-after", "CONNECT"]).transcript)[0]).toBe("220 mail.acme-corp.example ESMTP");
    expect(replies(swaks(["-s", privateAddress, "-p", port("smtp"), "--quit-after", "CONNECT"]).transcript)[0]).toBe("220 mail.acme-home.example ESMTP");
  });
});

describe("submission", () => {
  test("587 offers STARTTLS, AUTH only after TLS, and refuses MAIL FROM before TLS", () => {
    const plain = swaks(["-s", business, "-p", port("submission"), "--quit-after", "EHLO"]);
    expect(ehloKeywords(plain)).toContain("STARTTLS");
    expect(ehloKeywords(plain)).not.toContain("AUTH");
    const tls = swaks(["-s", business, "-p", port("submission"), "--tls", "--quit-after", "EHLO"]);
    expect(replies(tls.transcript)).toContain("250-AUTH PLAIN LOGIN");
    const mail = swaks(["-s", business, "-p", port("submission"), "-f", user(), "-t", `someone@${OUTSIDE_DOMAIN}`, "--quit-after", "MAIL"]);
    expect(replies(mail.transcript)).toContain("530 5.7.0 Must issue a STARTTLS command first");
  });

  // On the test user's own group's address: logins on another group's address are refused (resist.test.ts).
  test("465 is TLS from the first byte and accepts AUTH with the test user", () => {
    const result = swaks(["-s", business, "-p", port("submissions"), "--tlsc", "-a", "PLAIN", "-au", user(), "-ap", password(), "--quit-after", "AUTH"]);
    expect(result.transcript).toMatch(/TLS started/);
    expect(replies(result.transcript)).toContain("235 2.7.0 Authentication successful");
  });

  test("465 refuses a wrong password", () => {
    const result = swaks([
      "-s",
      business,
      "-p",
      port("submissions"),
      "--tlsc",
      "-a",
      "PLAIN",
      "-au",
      user(),
      "-ap",
      "not-the-password",
      "--quit-after",
      "AUTH",
    ]);
    expect(codes(result)).toContain("535");
  });
});

describe("IMAP and POP3", () => {
  test("the switched-off plaintext ports 143 and 110 do not listen", async () => {
    for (const p of [143, 110]) {
      await expect(TextClient.plain(business, p)).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  test("login over TLS works on 993", async () => {
    const imap = await TextClient.tls(business, Number(port("imaps")), "mail.acme-corp.example");
    await imap.readUntil((l) => l.startsWith("* OK"));
    imap.write(`a LOGIN "${user()}" "${password()}"\r\n`);
    expect((await imap.readUntil((l) => l.startsWith("a "))).pop()).toMatch(/^a OK .*Logged in/);
    imap.close();
  });

  test("login over TLS works on 995", async () => {
    const pop = await TextClient.tls(business, Number(port("pop3s")), "mail.acme-corp.example");
    await pop.readUntil((l) => l.startsWith("+OK"));
    pop.write(`USER ${user()}\r\n`);
    await pop.readUntil((l) => /^[+-]/.test(l));
    pop.write(`PASS ${password()}\r\n`);
    expect((await pop.readUntil((l) => /^[+-]/.test(l))).pop()).toMatch(/^\+OK Logged in/);
    pop.close();
  });
});

describe("no open relay", () => {
  const outsider = () => [
    "-s",
    business,
    "-p",
    port("smtp"),
    "--xclient-addr",
    "203.0.113.9",
    "--xclient-name",
    "attacker.example",
    "--ehlo",
    "attacker.example",
  ];

  test.each(relayTricks("acme-corp.example", OUTSIDE_DOMAIN))("refuses %s from an outside client", (_what, from, to) => {
    const result = swaks([...outsider(), "--tls", "-f", from, "-t", to, "--quit-after", "RCPT"]);
    expect(result.transcript).toMatch(/XCLIENT ADDR=203\.0\.113\.9/);
    const rcpt = replyTo(result.transcript, /^RCPT TO/).join("\n");
    expect(rcpt).toMatch(/^[45]\d\d /m);
    expect(sink.messages().some((s) => s.recipients.some((r) => r.includes("victim")))).toBe(false);
  });

  test("an authenticated user may send to a foreign domain", () => {
    const result = swaks([
      "-s",
      business,
      "-p",
      port("submission"),
      "--tls",
      "-a",
      "PLAIN",
      "-au",
      user(),
      "-ap",
      password(),
      "-f",
      user(),
      "-t",
      `friend@${OUTSIDE_DOMAIN}`,
      "--quit-after",
      "RCPT",
    ]);
    expect(replyTo(result.transcript, /^RCPT TO/)).toEqual(["250 2.1.5 Ok"]);
  });

  test("an authenticated user may not send as someone else", () => {
    const result = swaks([
      "-s",
      business,
      "-p",
      port("submission"),
      "--tls",
      "-a",
      "PLAIN",
      "-au",
      user(),
      "-ap",
      password(),
      "-f",
      "ceo@acme-corp.example",
      "-t",
      `friend@${OUTSIDE_DOMAIN}`,
      "--quit-after",
      "RCPT",
    ]);
    expect(replyTo(result.transcript, /^RCPT TO/).join("\n")).toMatch(/^553 .*Sender address rejected: not owned by user/);
  });
});

describe("TLS required inbound", () => {
  test("plaintext mail to the protected domain is refused with the configured text", () => {
    const result = swaks([
      "-s",
      business,
      "-p",
      port("smtp"),
      "--xclient-addr",
      "198.51.100.20",
      "--ehlo",
      "mx.sender.example",
      "-f",
      `peer@${OUTSIDE_DOMAIN}`,
      "-t",
      user(),
      "--quit-after",
      "RCPT",
    ]);
    const lines = replies(result.transcript);
    expect(lines).toContain("550-5.7.1 Session encryption is required");
    expect(lines).toContain("550 5.7.1 This domain accepts mail only over an encrypted connection: use STARTTLS.");
  });

  test("the same mail over STARTTLS is accepted", () => {
    const result = swaks([
      "-s",
      business,
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
      user(),
      "--quit-after",
      "RCPT",
    ]);
    expect(replyTo(result.transcript, /^RCPT TO/)).toEqual(["250 2.1.5 Ok"]);
  });

  test("an unknown mailbox is refused during SMTP", () => {
    const result = swaks([
      "-s",
      business,
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
      "nobody-here@acme-corp.example",
      "--quit-after",
      "RCPT",
    ]);
    expect(replyTo(result.transcript, /^RCPT TO/).join("\n")).toMatch(/^550 5\.1\.1 .*Recipient address rejected/);
  });
});

describe("privacy", () => {
  test("submitted mail arrives without X-Originating-IP and without the client's IP in Received:", async () => {
    const marker = `privacy-${Date.now()}`;
    const result = swaks([
      "-s",
      business,
      "-p",
      port("submission"),
      "--tls",
      "-a",
      "PLAIN",
      "-au",
      user(),
      "-ap",
      password(),
      "-f",
      user(),
      "-t",
      user(),
      "--header",
      `Subject: ${marker}`,
      "--header",
      "X-Originating-IP: [198.51.100.7]",
    ]);
    expect(codes(result)).toContain("250");
    const message = await waitForDelivery(state, user(), (m) => m.includes(marker));
    const headers = message.split("\n\n")[0]!;
    expect(headers).not.toMatch(/X-Originating-IP/i);
    expect(headers).toContain("Received: from authenticated-user");
    expect(headers).not.toContain("127.0.0.1");
    expect(headers).not.toContain("198.51.100.7");
  });
});

describe("outbound separation", () => {
  test("mail from a business sender leaves from the business address with the business HELO", async () => {
    const marker = `business-${Date.now()}`;
    swaks([
      "-s",
      business,
      "-p",
      port("submission"),
      "--tls",
      "-a",
      "PLAIN",
      "-au",
      user(),
      "-ap",
      password(),
      "-f",
      user(),
      "-t",
      `partner-b@${OUTSIDE_DOMAIN}`,
      "--header",
      `Subject: ${marker}`,
    ]);
    const session = await sink.waitForMessage((s) => (s.data ?? "").includes(marker));
    expect([session.peerAddress, session.helo, session.mailFrom]).toEqual([business, "mail.acme-corp.example", user()]);
  });

  test("mail from a private sender leaves from the private address with the private HELO", async () => {
    const marker = `private-${Date.now()}`;
    // A local application relaying through loopback (trusted by mynetworks) for a private-group sender.
    swaks(["-s", business, "-p", port("smtp"), "-f", "family@acme-home.example", "-t", `partner-p@${OUTSIDE_DOMAIN}`, "--header", `Subject: ${marker}`]);
    const session = await sink.waitForMessage((s) => (s.data ?? "").includes(marker));
    expect([session.peerAddress, session.helo, session.mailFrom]).toEqual([privateAddress, "mail.acme-home.example", "family@acme-home.example"]);
  });
});

describe("outbound TLS rule (partner.example requires TLS ≥ 1.2)", () => {
  test("mail is deferred, never sent in plaintext, while the partner offers no STARTTLS, and delivered once it does", async () => {
    // Every foreign MX is the outside-world address, so the running sink plays partner.example.
    sink.offerStartTls = false;
    const marker = `partner-${Date.now()}`;
    swaks([
      "-s",
      business,
      "-p",
      port("submission"),
      "--tls",
      "-a",
      "PLAIN",
      "-au",
      user(),
      "-ap",
      password(),
      "-f",
      user(),
      "-t",
      "contracts@partner.example",
      "--header",
      `Subject: ${marker}`,
    ]);
    await waitForLog(state, /to=<contracts@partner\.example>.*status=deferred \(TLS is required, but was not offered/);
    expect(sink.messages().some((s) => (s.data ?? "").includes(marker))).toBe(false);

    sink.offerStartTls = true;
    flushQueue(state);
    const session = await sink.waitForMessage((s) => (s.data ?? "").includes(marker), 30_000);
    expect(session.tls).toBe(true);
    expect(session.recipients).toEqual(["contracts@partner.example"]);
  });
});

describe("DNSBL at connect (postscreen, port 25)", () => {
  test("a listed client is refused on port 25", () => {
    const result = swaks([
      "-s",
      business,
      "-p",
      port("smtp"),
      "--local-interface",
      DNSBL_LISTED_CLIENT,
      "-f",
      `someone@${OUTSIDE_DOMAIN}`,
      "-t",
      user(),
      "--quit-after",
      "RCPT",
    ]);
    expect(replies(result.transcript).join("\n")).toMatch(/^5\d\d .*blocked using zen\.spamhaus\.org/m);
  }, 30_000);

  test("an unlisted client passes", () => {
    const result = swaks([
      "-s",
      business,
      "-p",
      port("smtp"),
      "--local-interface",
      DNSBL_UNLISTED_CLIENT,
      "--tls",
      "-f",
      `someone@${OUTSIDE_DOMAIN}`,
      "-t",
      user(),
      "--quit-after",
      "RCPT",
    ]);
    expect(replyTo(result.transcript, /^RCPT TO/)).toEqual(["250 2.1.5 Ok"]);
  }, 30_000);

  test("submission ports are not screened", () => {
    const result = swaks([
      "-s",
      business,
      "-p",
      port("submission"),
      "--local-interface",
      DNSBL_LISTED_CLIENT,
      "--tls",
      "-a",
      "PLAIN",
      "-au",
      user(),
      "-ap",
      password(),
      "--quit-after",
      "AUTH",
    ]);
    expect(replies(result.transcript)).toContain("235 2.7.0 Authentication successful");
  });
});

describe("TLS policy (Mozilla intermediate)", () => {
  test("nmap grades every TLS port A (mail ports and the MTA-STS policy host)", () => {
    const ports = [...["smtp", "submissions", "submission", "imaps", "pop3s"].map((s) => port(s as keyof LocalState["ports"])), "443"];
    expect(leastStrength(business, ports)).toEqual(Object.fromEntries(ports.map((p) => [p, "A"])));
  }, 120_000);

  test.each([
    ["-tls1", "TLS 1.0"],
    ["-tls1_1", "TLS 1.1"],
  ])("%s (%s) handshakes fail on every TLS port", (flag) => {
    expect(handshake(`${business}:${port("smtp")}`, flag, "smtp")).toBe(false);
    expect(handshake(`${business}:${port("submission")}`, flag, "smtp")).toBe(false);
    expect(handshake(`${business}:${port("submissions")}`, flag)).toBe(false);
    expect(handshake(`${business}:${port("imaps")}`, flag)).toBe(false);
    expect(handshake(`${business}:${port("pop3s")}`, flag)).toBe(false);
  });

  test("TLS 1.2 handshakes succeed (the check can pass)", () => {
    expect(handshake(`${business}:${port("submissions")}`, "-tls1_2")).toBe(true);
    expect(handshake(`${business}:${port("smtp")}`, "-tls1_2", "smtp")).toBe(true);
  });
});

describe("SMTP smuggling", () => {
  test("a bare-LF end-of-data sequence does not end the message", async () => {
    const client = await TextClient.outsidePeerOverTls(business, Number(port("smtp")), {
      addr: "203.0.113.77",
      name: "[UNAVAILABLE]",
      helo: "client.outside.example",
      servername: "mail.acme-corp.example",
    });
    expect((await client.smtp(`MAIL FROM:<smuggler@${OUTSIDE_DOMAIN}>`)).pop()).toMatch(/^250 /);
    expect((await client.smtp(`RCPT TO:<${user()}>`)).pop()).toMatch(/^250 /);
    expect((await client.smtp("DATA")).pop()).toMatch(/^354 /);
    const marker = `smuggling-${Date.now()}`;
    client.write(`Subject: ${marker}\r\n\r\nfirst part\n.\r\nMAIL FROM:<forged@acme-corp.example>\r\nRCPT TO:<${user()}>\r\nDATA\r\nsmuggled\r\n.\n`);
    // Neither "\n.\r\n" nor "\r\n.\n" ends the message: the server must stay silent.
    expect(await client.silentFor(1500)).toBe(true);
    const end = await client.smtp("\r\n.");
    expect(end.pop()).toMatch(/^250 2\.0\.0 Ok: queued/);
    await client.smtp("QUIT");
    client.close();
    const message = await waitForDelivery(state, user(), (m) => m.includes(marker));
    expect(message).toContain("smuggled");
    expect(deliveredMessages(state, user()).filter((m) => m.includes("forged@acme-corp.example") && !m.includes(marker))).toEqual([]);
  });
});

describe("DKIM (OpenDKIM on the host)", () => {
  test("submitted business mail is signed with the business key and verifies (dkimpy, keys from DNS)", async () => {
    const marker = `dkim-business-${Date.now()}`;
    swaks([
      "-s",
      business,
      "-p",
      port("submission"),
      "--tls",
      "-a",
      "PLAIN",
      "-au",
      user(),
      "-ap",
      password(),
      "-f",
      user(),
      "-t",
      `reader@${OUTSIDE_DOMAIN}`,
      "--header",
      `Subject: ${marker}`,
    ]);
    const session = await sink.waitForMessage((s) => (s.data ?? "").includes(marker));
    expect(session.data).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/simple; d=acme-corp\.example;\r?\n?\s*s=biz2026;/m);
    expect(verifyDkim(state, session.data!)).toBe("pass");
    expect(verifyDkim(state, session.data!.replace(marker, `${marker}-tampered`))).toMatch(/^fail/);
  });

  test("private-group mail relayed from loopback is signed with the platform key for its own domain", async () => {
    const marker = `dkim-private-${Date.now()}`;
    swaks(["-s", business, "-p", port("smtp"), "-f", "family@acme-home.example", "-t", `reader@${OUTSIDE_DOMAIN}`, "--header", `Subject: ${marker}`]);
    const session = await sink.waitForMessage((s) => (s.data ?? "").includes(marker));
    expect(session.data).toMatch(/d=acme-home\.example;\s*s=mail2026;/);
    expect(verifyDkim(state, session.data!)).toBe("pass");
  });
});

describe("MTA-STS", () => {
  const fetchPolicy = (domain: string) => httpsGet(business, `mta-sts.${domain}`, "/.well-known/mta-sts.txt", readFileSync(state.caFile));

  test("the policy is served over HTTPS with a certificate for mta-sts.<domain>, its id matches the TXT record, its mx lines the MX", async () => {
    for (const domain of ["acme-corp.example", "acme-shop.example"]) {
      const { status, body } = await fetchPolicy(domain);
      expect(status).toBe(200);
      expect(body).toBe("version: STSv1\r\nmode: testing\r\nmx: mail.acme-corp.example\r\nmax_age: 604800\r\n");
      const id = createHash("sha256").update(body).digest("hex").slice(0, 32);
      expect(dig(state.dnsServer, "TXT", `_mta-sts.${domain}`)).toEqual([`v=STSv1; id=${id}`]);
      const mx = dig(state.dnsServer, "MX", domain).map((v) => v.split(" ")[1]!.replace(/\.$/, ""));
      expect([...body.matchAll(/^mx: (.*)\r$/gm)].map((m) => m[1])).toEqual(mx);
    }
  });

  test("nothing else is served", async () => {
    const { status } = await httpsGet(business, "mta-sts.acme-corp.example", "/", readFileSync(state.caFile));
    expect(status).toBe(404);
  });
});
