/**
 * The exported zones are valid BIND zones (named-checkzone, every variant) and a real named
 * serving them answers exactly the expected record sets (dig, every record of the example and
 * of the DNS-rich variant).
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parsePlatform } from "../../lib/validation/validate";
import { dnsRecords } from "../../lib/plan/dns-records";
import { plan } from "../../lib/plan/plan";
import { exportZones, publicIpPlaceholders } from "../../lib/render/dns/zone-export";
import { dig, startNamed, type RunningNamed } from "../support/named";
import { requirePrograms } from "../support/programs";
import { everyOs } from "../support/os-programs";
import { variants } from "../support/variants";

beforeAll(() => requirePrograms("named"));

describe.each(everyOs().flatMap((p) => variants().map((v) => [p.os, v.name, p, v] as const)))(
  "named-checkzone of %s, variant %s",
  (_os, _name, programs, variant) => {
    test("named-checkzone accepts every exported zone", () => {
      const dir = mkdtempSync(join(tmpdir(), "mail-platform-zones-"));
      for (const zone of exportZones(plan(parsePlatform(structuredClone(variant.input))))) {
        const file = join(dir, zone.file);
        writeFileSync(file, zone.content);
        // In-zone integrity only: MX/SRV targets in sibling zones would be looked up through the
        // system resolver (no network here); the served-zone test below resolves them instead.
        const result = programs.run("named-checkzone", ["-i", "local", zone.zone, file]);
        expect({ zone: zone.zone, status: result.status, out: result.stdout.trim().split("\n").pop() }).toEqual({ zone: zone.zone, status: 0, out: "OK" });
      }
    });
  },
);

describe.each(
  variants()
    .filter((v) => ["example", "smtp off"].includes(v.name) || v.name.startsWith("DNS:"))
    .map((v, i) => [v.name, v, i] as const),
)("a real named serving the exported zones of %s", (_name, variant, index) => {
  const planned = plan(parsePlatform(structuredClone(variant.input)));
  const placeholders = publicIpPlaceholders(planned);
  const expected = dnsRecords(planned).map((r) => ({
    name: r.name,
    type: r.type,
    values: r.values.map((v) => v.map((p) => (typeof p === "string" ? p : placeholders.get(`${p.publicIpOf.host}/${p.publicIpOf.group}`)!.ip)).join("")).sort(),
  }));
  let named: RunningNamed;

  beforeAll(async () => {
    named = await startNamed(new Map(exportZones(planned).map((z) => [z.zone, z.content])), `127.0.${71 + index}`);
  }, 30_000);
  afterAll(async () => named?.stop());

  test("answers exactly the expected values for every record", () => {
    const mismatches = expected.filter((r) => JSON.stringify(dig(named.address, r.type, r.name).sort()) !== JSON.stringify(r.values));
    expect(mismatches.map((r) => ({ ...r, got: dig(named.address, r.type, r.name) }))).toEqual([]);
    expect(expected.length).toBeGreaterThan(20);
  });

  test("the answers people look for are there", () => {
    const a = named.address;
    if (variant.name === "smtp off") {
      expect(dig(a, "MX", "acme-corp.example")).toEqual(["0 ."]);
      return;
    }
    expect(dig(a, "MX", "acme-corp.example")).toEqual(["10 mail.acme-corp.example."]);
    expect(dig(a, "SRV", "_submission._tcp.acme-shop.example")).toEqual(["0 1 587 mail.acme-corp.example."]);
    expect(dig(a, "SRV", "_imap._tcp.acme-home.example")).toEqual(["0 0 0 ."]);
    expect(dig(a, "TXT", "acme-corp.example")).toEqual(["v=spf1 ip4:192.0.2.1 -all"]);
    expect(dig(a, "TXT", "_dmarc.acme-corp.example")).toEqual(["v=DMARC1; p=reject; rua=mailto:dmarc-reports@acme-corp.example"]);
    expect(dig(a, "TXT", "biz2026._domainkey.acme-corp.example")[0]).toMatch(/^v=DKIM1; k=rsa; p=MII[A-Za-z0-9+/]{300,}=*$/);
    expect(dig(a, "TXT", "_mta-sts.acme-corp.example")[0]).toMatch(/^v=STSv1; id=[0-9a-f]{32}$/);
    expect(dig(a, "TXT", "_smtp._tls.acme-corp.example")).toEqual(["v=TLSRPTv1; rua=mailto:tls-reports@acme-corp.example"]);
    if (variant.name.startsWith("DNS:")) {
      expect(dig(a, "TLSA", "_25._tcp.mail.acme-corp.example")).toEqual(["3 1 1 8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1"]);
      expect(dig(a, "SRV", "_carddavs._tcp.acme-corp.example")).toEqual(["0 1 443 dav.acme-corp.example."]);
      expect(dig(a, "MX", "xn--bcher-kva.acme-home.example")).toEqual(["10 mail.acme-home.example."]);
    }
  });
});
