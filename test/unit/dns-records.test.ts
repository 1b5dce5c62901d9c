import { createHash, generateKeyPairSync } from "crypto";
import { dkimTxtValue } from "../../lib/model/dkim-key";
import { validatePlatform } from "../../lib/validation/validate";
import type { PlatformInput } from "../../lib/model/schema";
import { checkRecords, spfLookupCount } from "../../lib/plan/dns-checks";
import type { DnsRecord } from "../../lib/catalogue/dns-record-types";
import { dnsRecords, mtaStsPolicy } from "../../lib/plan/dns-records";
import { exampleInput, examplePlan, fileText, renderExample } from "../support/example";
import { variants } from "../support/variants";

function byKey(records: readonly DnsRecord[]): Map<string, string[]> {
  return new Map(
    records.map((r) => [
      `${r.name} ${r.type}`,
      r.values.map((v) => v.map((p) => (typeof p === "string" ? p : `<${p.publicIpOf.group}@${p.publicIpOf.host}>`)).join("")),
    ]),
  );
}

const dnsVariant = () => variants().find((v) => v.name.startsWith("DNS:"))!.input;

describe("the DNS record model", () => {
  const plan = examplePlan();
  const records = byKey(dnsRecords(plan));

  test("publishes DMARC with the configured policy and report address", () => {
    expect(records.get("_dmarc.acme-corp.example TXT")).toEqual(["v=DMARC1; p=reject; rua=mailto:dmarc-reports@acme-corp.example"]);
    expect(records.get("_dmarc.acme-family.example TXT")).toEqual(["v=DMARC1; p=reject; rua=mailto:dmarc-reports@acme-corp.example"]);
  });

  test("publishes each group's own DKIM key under its selector", () => {
    const input = exampleInput();
    expect(records.get("biz2026._domainkey.acme-shop.example TXT")).toEqual([dkimTxtValue(input.groups[0]!.dkim!.publicKey)]);
    expect(records.get("mail2026._domainkey.acme-home.example TXT")).toEqual([dkimTxtValue(input.dkim!.publicKey)]);
    expect(records.has("mail2026._domainkey.acme-corp.example TXT")).toBe(false);
    expect(records.get("biz2026._domainkey.acme-corp.example TXT")![0]).toMatch(/^v=DKIM1; k=rsa; p=MII[A-Za-z0-9+/=]+$/);
  });

  test("publishes TLS-RPT and MTA-STS, the policy id being a hash of the policy", () => {
    expect(records.get("_smtp._tls.acme-corp.example TXT")).toEqual(["v=TLSRPTv1; rua=mailto:tls-reports@acme-corp.example"]);
    const policy = mtaStsPolicy(plan, "business")!;
    expect(policy).toBe("version: STSv1\r\nmode: testing\r\nmx: mail.acme-corp.example\r\nmax_age: 604800\r\n");
    const id = createHash("sha256").update(policy).digest("hex").slice(0, 32);
    expect(records.get("_mta-sts.acme-shop.example TXT")).toEqual([`v=STSv1; id=${id}`]);
    expect(records.get("mta-sts.acme-corp.example A")).toEqual(["<business@mx1>"]);
  });

  test("the MTA-STS policy id changes when the policy changes", () => {
    const enforce = byKey(dnsRecords(examplePlan((i) => (i.dns!.mtaSts = { mode: "enforce" }))));
    expect(enforce.get("_mta-sts.acme-corp.example TXT")).not.toEqual(records.get("_mta-sts.acme-corp.example TXT"));
  });

  test("every MTA-STS mx line names an MX target of the same domain", () => {
    for (const variant of variants()) {
      const p = examplePlan((i) => Object.assign(i, structuredClone(variant.input)));
      if (!p.mtaSts.served) continue;
      const rs = byKey(dnsRecords(p));
      for (const domain of p.domains) {
        const mxTargets = rs
          .get(`${domain.name} MX`)!
          .map((v) => v.split(" ")[1]!.replace(/\.$/, ""))
          .sort();
        const mxLines = [...mtaStsPolicy(p, domain.group)!.matchAll(/^mx: (.*)\r$/gm)].map((m) => m[1]!).sort();
        expect({ variant: variant.name, domain: domain.name, mx: mxLines }).toEqual({ variant: variant.name, domain: domain.name, mx: mxTargets });
      }
    }
  });

  test("a domain that takes no mail gets a null MX standing alone (RFC 7505)", () => {
    const off = byKey(
      dnsRecords(
        examplePlan((i) => {
          i.services = { ...i.services, smtp: false };
          i.dnsbl = { sites: [] };
          i.groups[0]!.domains[0]!.requireTlsInbound = false;
          delete i.dns!.mtaSts;
        }),
      ),
    );
    expect(off.get("acme-corp.example MX")).toEqual(["0 ."]);
  });

  test("DAV discovery, TLSA for the DNSSEC zone only, the retiring key, and IDN names as A-labels", () => {
    const rs = byKey(dnsRecords(examplePlan((i) => Object.assign(i, structuredClone(dnsVariant())))));
    expect(rs.get("_carddavs._tcp.acme-corp.example SRV")).toEqual(["0 1 443 dav.acme-corp.example."]);
    expect(rs.get("_caldavs._tcp.acme-home.example SRV")).toEqual(["0 1 443 dav.acme-corp.example."]);
    expect(rs.get("_carddav._tcp.acme-corp.example SRV")).toEqual(["0 0 0 ."]);
    expect(rs.get("_25._tcp.mail.acme-corp.example TLSA")).toEqual(["3 1 1 8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1"]);
    expect([...rs.keys()].filter((k) => k.endsWith("TLSA"))).toEqual(["_25._tcp.mail.acme-corp.example TLSA"]);
    expect(rs.get("ed2026._domainkey.acme-home.example TXT")![0]).toMatch(/^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/);
    expect(rs.get("rsa2025._domainkey.acme-home.example TXT")![0]).toMatch(/^v=DKIM1; k=rsa; p=MII/);
    expect(rs.get("xn--bcher-kva.acme-home.example MX")).toEqual(["10 mail.acme-home.example."]);
  });

  test("IDN domains reach Postfix as A-labels too", () => {
    const hosts = renderExample((i) => i.groups[1]!.domains.push({ name: "bücher.acme-home.example" }));
    expect(fileText(hosts, "etc/postfix/mailbox_domains")).toMatch(/^xn--bcher-kva\.acme-home\.example OK$/m);
  });

  test("every variant's record set passes the record checks", () => {
    for (const variant of variants()) {
      expect({ variant: variant.name, problems: checkRecords(dnsRecords(examplePlan((i) => Object.assign(i, structuredClone(variant.input))))) }).toEqual({
        variant: variant.name,
        problems: [],
      });
    }
  });
});

describe("record checks catch what Route53 would accept", () => {
  const record = (type: DnsRecord["type"], values: string[], name = "example.org"): DnsRecord => ({
    zone: "example.org",
    name,
    type,
    ttlSeconds: 300,
    values: values.map((v) => [v]),
    purpose: "test",
  });
  const host = record("A", ["192.0.2.1"], "mx.example.org");

  test.each([
    ["a null MX next to another MX", [record("MX", ["0 .", "10 mx.example.org."]), host], /null MX \(RFC 7505\) must stand alone/],
    ["an MX pointing to an IP", [record("MX", ["10 192.0.2.1."])], /is an IP address, not a host name/],
    ["an MX target without an address record (an alias or nothing)", [record("MX", ["10 alias.example.org."])], /has no A record in the zone/],
    ["an MX target that is not fully qualified", [record("MX", ["10 mx.example.org"]), host], /not fully qualified/],
    ["an SRV port out of range", [record("SRV", ["0 1 70000 mx.example.org."], "_imaps._tcp.example.org")], /numbers 0\.\.65535/],
    ["an SRV port 0 with a target", [record("SRV", ["0 1 0 mx.example.org."], "_imaps._tcp.example.org")], /port 0 is only allowed as "0 0 0 \."/],
    ["SPF ending in +all", [record("TXT", ["v=spf1 ip4:192.0.2.1 +all"])], /must not end in \+all or \?all/],
    ["SPF ending in ?all", [record("TXT", ["v=spf1 ?all"])], /must not end in \+all or \?all/],
    ["two SPF records at one name", [record("TXT", ["v=spf1 -all", "v=spf1 ip4:192.0.2.1 -all"])], /more than one SPF record/],
    [
      "SPF needing eleven lookups",
      [record("TXT", [`v=spf1 ${Array.from({ length: 11 }, (_, i) => `include:s${i}.example.net`).join(" ")} -all`])],
      /more than 10 DNS lookups/,
    ],
    ["a TXT value with a quote", [record("TXT", ['v=DMARC1; p="reject"'])], /quote, backslash or control character/],
    ["a malformed TLSA record", [record("TLSA", ["3 1 1 xyz"], "_25._tcp.mx.example.org")], /is not "3 1 1 <sha256>"/],
    ["a label over 63 characters", [record("A", ["192.0.2.1"], `${"a".repeat(64)}.example.org`)], /labels of at most 63 characters/],
    ["a name over 253 characters", [record("A", ["192.0.2.1"], `${"abcdefghi.".repeat(25)}example.org`)], /at most 253 characters/],
  ] as const)("flags %s", (_what, records, message) => {
    expect(checkRecords(records).join("\n")).toMatch(message);
  });

  test("counts SPF lookups as RFC 7208 does", () => {
    expect(spfLookupCount("v=spf1 ip4:192.0.2.1 a mx include:x.example a:y.example exists:%{i}.z.example redirect=w.example -all")).toBe(6);
    expect(spfLookupCount("v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 -all")).toBe(0);
  });
});

describe("bad DNS inputs fail validation with their field path", () => {
  function problems(change: (input: PlatformInput) => void) {
    const input = exampleInput();
    change(input);
    const result = validatePlatform(input);
    if (result.ok) throw new Error("expected the model to be invalid");
    return result.issues.map((i) => [i.path, i.message]);
  }
  const weakRsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "der", type: "spki" }).toString("base64");

  test("a DKIM RSA key under 2048 bits", () => {
    expect(problems((i) => (i.dkim!.publicKey = weakRsa))).toEqual([["dkim.publicKey", "RSA keys need at least 2048 bits (RFC 8301); this one has 1024"]]);
  });

  test("a DKIM key that is not a public key", () => {
    expect(problems((i) => (i.groups[0]!.dkim!.publicKey = "not a key"))).toEqual([
      ["groups[0].dkim.publicKey", "expected a public key: base64 DER SubjectPublicKeyInfo or PEM (openssl pkey -pubout)"],
    ]);
  });

  test("an EC (P-256) DKIM key", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "pem", type: "spki" }).toString();
    expect(problems((i) => (i.dkim!.publicKey = ec))[0]![1]).toMatch(/expected an RSA \(≥ 2048 bits\) or Ed25519 key, got ec/);
  });

  test("a retiring key under the same selector", () => {
    expect(problems((i) => (i.dkim!.retiring = { selector: "mail2026", publicKey: i.dkim!.publicKey }))).toEqual([
      ["dkim.retiring.selector", "the retiring key needs its own selector (both keys are published side by side)"],
    ]);
  });

  test("a domain too long for its derived records", () => {
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(40)}.acme-corp.example`;
    expect(problems((i) => i.groups[0]!.domains.push({ name: long }))).toEqual([
      [
        "groups[0].domains[2].name",
        expect.stringMatching(/^too long for its records: biz2026\._domainkey\.a+\..* would have 260 characters \(DNS allows 253\)$/),
      ],
    ]);
  });

  test("a label over 63 characters", () => {
    expect(problems((i) => (i.groups[0]!.domains[1]!.name = `${"x".repeat(64)}.acme-shop.example`))[0]).toEqual([
      "groups[0].domains[1].name",
      "expected a mail domain: a fully qualified DNS name (labels of at most 63 characters)",
    ]);
  });

  test("an IP address where a host name (MX target) belongs", () => {
    expect(problems((i) => (i.groups[0]!.addresses[0]!.hostName = "203.0.113.10"))).toContainEqual([
      "groups[0].addresses[0].hostName",
      "expected the public host name of this address: a fully qualified DNS name (a top-level label that is not all digits (an IP address is not a name))",
    ]);
  });

  test("a TLSA pin in a zone without DNSSEC", () => {
    expect(problems((i) => (i.groups[0]!.addresses[0]!.tlsaSpkiSha256 = "8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1"))).toEqual([
      ["groups[0].addresses[0].tlsaSpkiSha256", expect.stringContaining("zone acme-corp.example is not marked dnssec")],
    ]);
  });

  test("MTA-STS without port 25", () => {
    expect(
      problems((i) => {
        i.services = { ...i.services, smtp: false };
        i.dnsbl = { sites: [] };
        i.groups[0]!.domains[0]!.requireTlsInbound = false;
      }),
    ).toContainEqual(["dns.mtaSts", expect.stringContaining("MTA-STS protects inbound mail on port 25")]);
  });

  test("a report address that is not an e-mail address", () => {
    expect(problems((i) => (i.dns!.tlsReports = ["mailto:tls@acme-corp.example"]))).toEqual([["dns.tlsReports[0]", "expected an e-mail address for reports"]]);
  });

  test("an IDN that cannot be converted", () => {
    expect(problems((i) => (i.groups[0]!.domains[1]!.name = "bü..example"))[0]![0]).toBe("groups[0].domains[1].name");
  });
});

describe("internationalised names", () => {
  const { toALabels } = require("../../lib/model/syntax") as typeof import("../../lib/model/syntax");

  test("convert to A-labels", () => {
    expect(toALabels("bücher.example")).toBe("xn--bcher-kva.example");
  });

  test.each(["partner.ü?${example", "ü.example/path", "ü example.org", "ü@example.org"])("never turn %j into a different valid name", (value) => {
    // Left as is, the value then fails validation instead of being silently "fixed".
    expect(toALabels(value)).toBe(value);
  });
});
