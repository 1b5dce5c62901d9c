/**
 * A provider's platform of any size: what grows with the number of domains is never passed as an
 * argument list (`Math.max(...rows)`, `push(...issues)`), so a million domains cannot overflow
 * the stack. How fast it grows is the benchmark's business (`npm run bench`), not a test's.
 */
import { deploymentIssues, MAX_DEPLOYABLE_DOMAINS } from "../../lib/model/deployable";
import type { DnsRecord } from "../../lib/catalogue/dns-record-types";
import { checkRecords } from "../../lib/plan/dns-checks";
import { formatTable } from "../../lib/render/postfix/table-format";

describe("a million domains", () => {
  test("a lookup table of a million rows is formatted, aligned to its longest key", () => {
    // GIVEN one row per customer domain, the longest key last
    const rows = Array.from({ length: 1_000_000 }, (_, i) => [`customer${i}.example`, "OK"] as const);

    // WHEN the table is formatted
    const text = formatTable("mailbox_domains", "texthash", "# header", [{ why: "Customer domains.", rows }]);

    // THEN every row is there, and the shortest key is padded to the longest one
    const lines = text.split("\n");
    expect(lines).toHaveLength(1 + 1 + 1_000_000 + 1);
    expect(lines[2]).toBe(`customer0.example${" ".repeat("customer999999.example".length - "customer0.example".length)} OK`);
    expect(lines[lines.length - 2]).toBe("customer999999.example OK");
  });

  test("a deployable platform of more domains than one stack holds is refused at groups, with the count", () => {
    // GIVEN groups that hold one domain more than the limit, and groups that hold exactly the limit
    const groups = (total: number) => [{ domains: new Array(total - 10).fill({}) }, { domains: new Array(10).fill({}) }, { domains: "not a list" }];
    const deployable = { aws: {}, dns: {} };

    // THEN only the larger one is refused, where the domains are listed
    expect(deploymentIssues({ ...deployable, groups: groups(MAX_DEPLOYABLE_DOMAINS) })).toEqual([]);
    expect(deploymentIssues({ ...deployable, groups: groups(1_000_000) })).toEqual([
      expect.objectContaining({
        path: "groups",
        received: '"1,000,000 domains"',
        message: expect.stringMatching(/^one platform deploys at most 100,000 domains .*split the groups over several platforms/),
      }),
    ]);
  });
});

describe("record checks find duplicates by name and type", () => {
  const record = (name: string, type: DnsRecord["type"], value: string): DnsRecord => ({
    zone: "example.org",
    name,
    type,
    ttlSeconds: 300,
    values: [[value]],
    purpose: "test",
  });

  test("flags a second record set with the same name and type, wherever it sits in the list", () => {
    const records = [record("example.org", "TXT", "v=spf1 -all"), record("example.org", "MX", "0 ."), record("example.org", "TXT", "v=DMARC1; p=reject")];
    expect(checkRecords(records)).toEqual(["example.org TXT: two record sets with the same name and type"]);
  });

  test("the same name with other types is no duplicate", () => {
    const records = [
      record("example.org", "MX", "0 ."),
      record("example.org", "TXT", "v=spf1 -all"),
      record("mx.example.org", "A", "192.0.2.1"),
      record("example.org", "A", "192.0.2.2"),
    ];
    expect(checkRecords(records)).toEqual([]);
  });
});
