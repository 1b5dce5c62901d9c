import { ROOT_ADDRESSES, ROOT_SERVERS, rootZoneText } from "../../../lib/rehearsal/world-root";

describe("the rehearsal's stand-in DNS root", () => {
  test("names the thirteen root servers with their addresses and delegates each world zone to ns.<zone> at the world's DNS", () => {
    const text = rootZoneText(["zen.spamhaus.org", "acme-corp.example"], "169.254.169.253");
    const lines = text.trimEnd().split("\n");
    expect(lines.filter((l) => l.startsWith(". IN NS "))).toHaveLength(13);
    expect(lines).toContain("a.root-servers.net. IN A 198.41.0.4");
    // Sorted, so the zone (and its signature) is the same for the same world.
    expect(lines.slice(-4)).toEqual([
      "acme-corp.example. IN NS ns.acme-corp.example.",
      "ns.acme-corp.example. IN A 169.254.169.253",
      "zen.spamhaus.org. IN NS ns.zen.spamhaus.org.",
      "ns.zen.spamhaus.org. IN A 169.254.169.253",
    ]);
  });

  test("answers on every address unbound's hints may name, b's former one included", () => {
    expect(ROOT_SERVERS.map((s) => s.name)).toEqual([..."abcdefghijklm"].map((letter) => `${letter}.root-servers.net`));
    expect(ROOT_ADDRESSES).toContain("199.9.14.201");
    expect(new Set(ROOT_ADDRESSES).size).toBe(14);
  });
});
