import { examplePlan } from "../support/example";
import { addSecondHost } from "../support/variants";
import type { PlatformInput } from "../../lib/model/schema";

describe("the plan", () => {
  test("GIVEN the seed example THEN every enabled service listens on every group address", () => {
    const plan = examplePlan();
    const host = plan.hosts[0]!;
    expect(host.listeners.map((l) => `${l.service.name}@${l.address.privateIp}`)).toEqual([
      "smtp@10.0.1.11",
      "smtp@10.0.1.12",
      "submissions@10.0.1.11",
      "submissions@10.0.1.12",
      "submission@10.0.1.11",
      "submission@10.0.1.12",
      "imaps@10.0.1.11",
      "imaps@10.0.1.12",
      "pop3s@10.0.1.11",
      "pop3s@10.0.1.12",
    ]);
    expect(plan.ports.map((p) => p.port)).toEqual([25, 443, 465, 587, 993, 995]);
    expect(plan.ports.find((p) => p.port === 443)!.service).toBe("mta-sts");
  });

  test("each group's transport binds the group's own address and HELO name, with its priority's limits", () => {
    const host = examplePlan().hosts[0]!;
    expect(host.transports.map((t) => [t.name, t.bindAddress, t.heloName, t.limits.destinationConcurrencyLimit])).toEqual([
      ["out-business", "10.0.1.11", "mail.acme-corp.example", 20],
      ["out-private", "10.0.1.12", "mail.acme-home.example", 10],
    ]);
  });

  test("senders outside every group leave through the lowest-priority group unless one is named", () => {
    expect(examplePlan().hosts[0]!.defaultTransport).toBe("out-private");
    expect(examplePlan((i) => (i.outbound = { ...i.outbound, defaultGroup: "business" })).hosts[0]!.defaultTransport).toBe("out-business");
    expect(
      examplePlan((i) => {
        i.groups[0]!.priority = "bulk";
      }).hosts[0]!.defaultTransport,
    ).toBe("out-business");
  });

  test("a service switched off has no listener and no port", () => {
    const plan = examplePlan((i) => (i.services = { ...i.services, submissions: false }));
    expect(plan.hosts[0]!.listeners.some((l) => l.service.name === "submissions")).toBe(false);
    expect(plan.ports.map((p) => p.port)).not.toContain(465);
  });

  test("with two hosts each host has its own addresses, listeners and transports", () => {
    const plan = examplePlan(addSecondHost);
    expect(plan.hosts.map((h) => h.name)).toEqual(["mx1", "mx2"]);
    expect(plan.hosts[1]!.addresses.map((a) => a.privateIp)).toEqual(["10.0.2.11", "10.0.2.12"]);
    expect(plan.hosts[1]!.transports.map((t) => t.bindAddress)).toEqual(["10.0.2.11", "10.0.2.12"]);
    // myhostname is the bounce group's host name there (private: the lowest priority)
    expect(plan.hosts[1]!.primaryHostName).toBe("mail2.acme-home.example");
  });

  test("notifications of a host come from the bounce group: its transport, host name and the domain its host name lies in", () => {
    expect(examplePlan().hosts[0]!.bounce).toEqual({
      group: "private",
      transport: "out-private",
      hostName: "mail.acme-home.example",
      signingDomain: "acme-home.example",
    });
    expect(examplePlan((i) => (i.outbound = { ...i.outbound, defaultGroup: "business" })).hosts[0]!.bounce).toEqual({
      group: "business",
      transport: "out-business",
      hostName: "mail.acme-corp.example",
      signingDomain: "acme-corp.example",
    });
  });

  test("a bounce group whose host name lies outside its domains signs for its first domain; one without a key does not sign", () => {
    const outside = examplePlan((i) => {
      i.groups[1]!.addresses[0]!.hostName = "mx-b.provider.example";
      i.dns!.zones = [...i.dns!.zones!, { name: "provider.example" }];
    }).hosts[0]!.bounce;
    expect([outside.hostName, outside.signingDomain]).toEqual(["mx-b.provider.example", "acme-home.example"]);
    const unsigned = examplePlan((i) => {
      delete i.dkim;
    }).hosts[0]!.bounce;
    expect(unsigned).toEqual({ group: "private", transport: "out-private", hostName: "mail.acme-home.example" });
  });

  test("certificates follow the certificate directory and the address host name", () => {
    const address = examplePlan((i) => (i.tls = { certificateDirectory: "/srv/certs/" })).hosts[0]!.addresses[1]!;
    expect(address.certificate).toEqual({
      name: "mail.acme-home.example",
      chainFile: "/srv/certs/mail.acme-home.example/fullchain.pem",
      keyFile: "/srv/certs/mail.acme-home.example/privkey.pem",
    });
  });

  test("postscreen fronts port 25 only when blocklists are configured", () => {
    expect(examplePlan().postscreen).toBe(true);
    expect(examplePlan((i) => (i.dnsbl = { sites: [] })).postscreen).toBe(false);
  });

  test("DKIM: each group signs with its own key, else the platform's; a shared key is one secret parameter", () => {
    const dkim = examplePlan().dkim;
    expect(dkim.signs).toBe(true);
    expect([...dkim.groupKeys].map(([group, key]) => [group, key.selector])).toEqual([
      ["business", "biz2026"],
      ["private", "mail2026"],
    ]);
    expect(dkim.privateKeyParameters).toEqual(["/acme-mail/dkim/biz2026", "/acme-mail/dkim/mail2026"]);
    const shared = examplePlan((i) => delete i.groups[0]!.dkim).dkim;
    expect([...shared.groupKeys.keys()]).toEqual(["business", "private"]);
    expect(shared.privateKeyParameters).toEqual(["/acme-mail/dkim/mail2026"]);
  });

  test("DKIM: a group without a key of its own and no platform key does not sign", () => {
    const partly = examplePlan((i) => delete i.dkim).dkim;
    expect([...partly.groupKeys.keys()]).toEqual(["business"]);
    expect(partly.signs).toBe(true);
    const none = examplePlan((i) => {
      delete i.dkim;
      delete i.groups[0]!.dkim;
    });
    expect(none.dkim).toEqual({ signs: false, groupKeys: new Map(), privateKeyParameters: [] });
    expect(none.daemons.map((d) => d.name)).toEqual(["unbound", "postfix", "dovecot", "nginx", "fail2ban", "redis", "rspamd"]);
  });

  test("MTA-STS is served at mta-sts.<domain> of every group domain, only with a policy", () => {
    const served = examplePlan().mtaSts;
    expect(served.served).toBe(true);
    expect(served.hostNames).toEqual(["mta-sts.acme-corp.example", "mta-sts.acme-shop.example", "mta-sts.acme-home.example", "mta-sts.acme-family.example"]);
    const none = examplePlan((i) => delete i.dns!.mtaSts);
    expect(none.mtaSts).toEqual({ served: false, hostNames: [] });
    expect(none.daemons.map((d) => d.name)).toEqual(["unbound", "postfix", "dovecot", "opendkim", "fail2ban", "redis", "rspamd"]);
    expect(none.ports.map((p) => p.port)).not.toContain(443);
  });

  test("the daemons that run follow the facts, in the order a bundle reloads them", () => {
    // The resolver first: every lookup of the daemons after it goes through it.
    expect(examplePlan().daemons.map((d) => [d.name, d.package, d.unit])).toEqual([
      ["unbound", "unbound", "unbound"],
      ["postfix", "postfix", "postfix"],
      ["dovecot", "dovecot-core", "dovecot"],
      ["opendkim", "opendkim", "opendkim"],
      ["nginx", "nginx-light", "nginx"],
      ["fail2ban", "fail2ban", "fail2ban"],
      ["redis", "redis-server", "redis-server"],
      ["rspamd", "rspamd", "rspamd"],
    ]);
  });

  test("the content filter runs rspamd and redis by default, ClamAV only with antivirus, none of them when off", () => {
    const names = (change?: (i: PlatformInput) => void) => examplePlan(change).daemons.map((d) => d.name);
    expect(names()).toEqual(expect.arrayContaining(["redis", "rspamd"]));
    expect(names()).not.toContain("clamav");
    const withClamav = (i: PlatformInput) => {
      i.contentFilter = { antivirus: true };
      for (const placement of Object.values(i.aws!.hosts)) placement.instanceType = "t3.large";
    };
    expect(names(withClamav)).toContain("clamav");
    const off = names((i) => (i.contentFilter = { enabled: false }));
    expect(off.filter((n) => ["redis", "rspamd", "clamav"].includes(n))).toEqual([]);
  });

  test("each group's inbound thresholds: its own where set, else the platform's; greylisting off by default", () => {
    const filter = examplePlan((i) => {
      i.contentFilter = { inbound: { rejectScore: 20 }, outbound: { holdScore: 7 } };
      i.groups[1]!.contentFilter = { addHeaderScore: 4, greylistScore: 3 };
      i.sendingLimits = { enabled: false };
    }).contentFilter;
    expect(filter).toEqual({
      enabled: true,
      holdScore: 7,
      antivirus: false,
      textAnalysisMaxBytes: 524_288,
      groups: [
        { group: "business", rejectScore: 20, addHeaderScore: 6 },
        { group: "private", rejectScore: 20, addHeaderScore: 4, greylistScore: 3 },
      ],
      // Sending limits (test/unit/sending-limits.test.ts) switched off here.
      sendingLimits: [],
    });
    expect(examplePlan((i) => (i.contentFilter = { enabled: false })).contentFilter).toEqual({ enabled: false });
  });

  test("the listeners that must answer: every listener, and nginx's 443 on each group address when MTA-STS is served", () => {
    const host = examplePlan().hosts[0]!;
    expect(host.expectedListeners).toEqual([...host.listeners.map((l) => [l.address.privateIp, l.port]), ["10.0.1.11", 443], ["10.0.1.12", 443]]);
    const without = examplePlan((i) => delete i.dns!.mtaSts).hosts[0]!;
    expect(without.expectedListeners).toEqual(without.listeners.map((l) => [l.address.privateIp, l.port]));
    expect(without.expectedListeners).toHaveLength(10);
  });
});
