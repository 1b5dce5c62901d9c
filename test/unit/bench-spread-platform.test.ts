/**
 * The benchmark's platform spread over hosts (`BENCH_PLATFORM=spread-1000`): it is what its row in
 * the README claims — 16 hosts, 100 groups, 1,000 domains, MTA-STS served, every host home to
 * some groups and backup MX for others — and a valid, plannable model. Synthesizing it is the
 * benchmark's business; the security pack on a small spread platform is in
 * test/unit/security/channel-mynetworks.test.ts.
 */
import { benchInput } from "../../bench/apps/platform-input";
import { SPREAD, spreadPlatform } from "../../bench/spread-platform";
import { ipv4AddressesPerInterface } from "../../lib/model/aws-limits";
import { plan } from "../../lib/plan/plan";
import type { Plan } from "../../lib/plan/types";
import { validatePlatform } from "../../lib/validation/validate";

describe("the spread-1000 benchmark platform", () => {
  const input = benchInput("spread-1000");
  let planned: Plan;

  beforeAll(() => {
    const result = validatePlatform(input, { deployable: true });
    if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 5)));
    planned = plan(result.spec);
  });

  test("is the generator's 16 hosts, 100 groups and 1,000 domains, the same on every call", () => {
    expect(SPREAD).toEqual({ hosts: 16, groups: 100 });
    expect(input).toEqual(spreadPlatform(16, 100, 1000));
    expect(JSON.stringify(benchInput("spread-1000"))).toBe(JSON.stringify(input));
  });

  test("plans 16 hosts, 100 groups, 1,000 domains, each in its own zone, and serves MTA-STS for each", () => {
    expect(planned.hosts).toHaveLength(16);
    expect(planned.placements).toHaveLength(100);
    expect(planned.domains).toHaveLength(1000);
    expect(new Set(planned.spec.dns!.zones.map((z) => z.name))).toEqual(new Set(planned.domains.map((d) => d.name)));
    expect(planned.mtaSts.served).toBe(true);
    expect(planned.mtaSts.hostNames).toHaveLength(1000);
  });

  test("each group has its home on one host and one backup MX on another", () => {
    for (const placement of planned.placements) {
      const hosts = placement.mxHosts.map((m) => m.host);
      expect(hosts).toHaveLength(2);
      expect(hosts[0]).toBe(placement.home);
      expect(hosts[1]).not.toBe(placement.home);
      expect(placement.mxHosts.map((m) => m.address.role)).toEqual(["home", "backup"]);
    }
  });

  test("every host is home to some groups and backup MX for others, and its instance type carries its addresses", () => {
    for (const host of planned.hosts) {
      expect({ host: host.name, home: host.homeGroups.length > 0, backup: host.forwards.length > 0, channel: host.channel !== undefined }).toEqual({
        host: host.name,
        home: true,
        backup: true,
        channel: true,
      });
      const carried = planned.placements.filter((p) => p.mxHosts.some((m) => m.host === host.name)).length;
      expect(carried).toBe(host.homeGroups.length + host.forwards.length);
      expect(ipv4AddressesPerInterface(input.aws!.hosts[host.name]!.instanceType!)).toBeGreaterThanOrEqual(carried);
    }
  });

  test("private IPs are unique on the platform, and each host's lie in its own network", () => {
    const addresses = input.groups.flatMap((g) => g.addresses);
    expect(new Set(addresses.map((a) => a.privateIp)).size).toBe(200);
    for (const a of addresses) expect(a.privateIp.split(".").slice(0, 3).join(".")).toBe(`10.0.${a.host.slice(2)}`);
  });
});

describe("spreadPlatform refuses shapes it cannot make, with what is allowed", () => {
  test.each([
    [1, 1, 1, /at least 2 hosts/],
    [4, 3, 3, /at least 4 groups \(one home per host\), not 3/],
    [4, 4, 3, /at least 4 domains \(one per group\), not 3/],
  ])("%d hosts, %d groups, %d domains", (hosts, groups, domains, message) => {
    expect(() => spreadPlatform(hosts, groups, domains)).toThrow(message);
  });

  test("BENCH_PLATFORM spread-<domains> needs one domain per group", () => {
    expect(() => benchInput("spread-99")).toThrow(/at least 100 domains/);
  });
});
