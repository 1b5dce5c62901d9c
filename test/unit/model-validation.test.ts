import { validatePlatform, parsePlatform } from "../../lib/validation/validate";
import { PlatformValidationError, type PlatformIssue } from "../../lib/model/issues";
import type { PlatformInput } from "../../lib/model/schema";
import { exampleInput } from "../support/example";

function problems(change: (input: PlatformInput) => void): PlatformIssue[] {
  const input = exampleInput();
  change(input);
  const result = validatePlatform(input);
  if (result.ok) throw new Error("expected the model to be invalid");
  return [...result.issues];
}

function paths(issues: PlatformIssue[]): string[] {
  return issues.map((i) => i.path);
}

describe("the platform model", () => {
  test("accepts the seed example and applies defaults", () => {
    const spec = parsePlatform(exampleInput());
    expect(spec.groups.map((g) => g.name)).toEqual(["business", "private"]);
    expect(spec.tls.certificateDirectory).toBe("/etc/letsencrypt/live");
    expect(spec.messageSizeLimitBytes).toBe(36_700_160);
    expect(spec.groups[1]!.domains[0]!.requireTlsInbound).toBe(false);
    expect(spec.outbound.defaultTlsLevel).toBe("dane");
  });

  test("a minimal model gets the documented defaults for services, TLS and privacy", () => {
    const spec = parsePlatform({
      name: "mini",
      hosts: [{ name: "mx1" }],
      groups: [{ name: "all", domains: [{ name: "mini.example" }], addresses: [{ host: "mx1", privateIp: "10.0.0.5", hostName: "mx.mini.example" }] }],
    });
    expect(spec.services).toEqual({ smtp: true, submission: true, submissions: true, imap: false, imaps: true, pop3: false, pop3s: false, managesieve: false });
    expect(spec.tls.profile).toBe("intermediate");
    expect(spec.privacy).toEqual({ stripHeaders: ["X-Originating-IP"], hideClientIpInReceived: true });
    expect(spec.mailbox).toEqual({ archiveFolder: true, fullTextSearch: false });
    expect(spec.groups[0]!.priority).toBe("normal");
  });

  describe("fails with the field path, the value received and what is allowed", () => {
    test("fails on a malformed IP, naming the path and the value", () => {
      const [problem] = problems((i) => (i.groups[0]!.addresses[0]!.privateIp = "10.0.1.300"));
      expect(problem).toEqual({
        path: "groups[0].addresses[0].privateIp",
        received: '"10.0.1.300"',
        message: "expected an IPv4 address in dotted-quad form, such as 10.0.1.11",
      });
    });

    test("fails on a public address where a private one is required", () => {
      expect(problems((i) => (i.groups[0]!.addresses[0]!.privateIp = "8.8.8.8"))[0]!.message).toMatch(/private IPv4 address \(10\.0\.0\.0\/8/);
    });

    test("fails on an unknown field and lists the allowed ones", () => {
      const [problem] = problems((i) => ((i.groups[0] as Record<string, unknown>).priorty = "high"));
      expect(problem!.path).toBe("groups[0].priorty");
      expect(problem!.message).toBe(
        "unknown field; allowed fields here: name, priority, domains, addresses, home, dkim, mailboxes, aliases, roleMailbox, outbound, contentFilter, sendingLimits",
      );
    });

    test("fails on a value outside an enumeration, listing the choices", () => {
      const [problem] = problems((i) => ((i.groups[0]! as { priority: string }).priority = "urgent"));
      expect(problem!.message).toBe('expected one of: "high", "normal", "bulk"');
    });

    test("fails on a missing required field", () => {
      const [problem] = problems((i) => delete (i as Partial<PlatformInput>).name);
      expect(problem).toMatchObject({ path: "name", received: "nothing", message: "required: expected a string" });
    });

    test.each([
      ["Mail.Example", "lowercase only"],
      ["mail..example", "no empty labels"],
      ["-mail.example", "labels of letters a-z"],
      ["mail.example.", "no trailing dot"],
      ["localhost", "at least two labels"],
      ["10.0.0.1", "not all digits"],
      [`${"a".repeat(64)}.example`, "at most 63 characters"],
    ])("fails on the host name %j (%s)", (hostName, reason) => {
      const [problem] = problems((i) => (i.groups[0]!.addresses[0]!.hostName = hostName));
      expect(problem!.path).toBe("groups[0].addresses[0].hostName");
      expect(problem!.message).toContain(reason);
    });
  });

  describe("cross-field rules", () => {
    test("fails when a domain belongs to two groups", () => {
      const issues = problems((i) => i.groups[1]!.domains.push({ name: "acme-corp.example" }));
      expect(issues).toEqual([
        expect.objectContaining({
          path: "groups[1].domains[2].name",
          message: "a domain belongs to exactly one group; already listed at groups[0].domains[0].name",
        }),
      ]);
    });

    test("fails on duplicate private IPs, host names and public IPs across groups", () => {
      const issues = problems((i) => {
        i.groups[1]!.addresses[0]!.privateIp = "10.0.1.11";
        i.groups[1]!.addresses[0]!.hostName = "mail.acme-corp.example";
        i.groups[0]!.addresses[0]!.publicIp = "203.0.113.10";
        i.groups[1]!.addresses[0]!.publicIp = "203.0.113.10";
      });
      expect(paths(issues)).toEqual(["groups[1].addresses[0].hostName", "groups[1].addresses[0].privateIp", "groups[1].addresses[0].publicIp"]);
    });

    test("fails on duplicate host and group names", () => {
      const issues = problems((i) => {
        i.hosts.push({ name: "mx1" });
        i.groups[1]!.name = "business";
      });
      expect(paths(issues)).toEqual(expect.arrayContaining(["hosts[1].name", "groups[1].name"]));
    });

    test("accepts a group on some hosts only, and fails when a host carries no group's address", () => {
      const spread = validatePlatform(
        (() => {
          const i = exampleInput();
          i.hosts.push({ name: "mx2" });
          i.aws!.hosts.mx2 = { subnetId: "subnet-0f1e2d3c4b5a69788" };
          i.groups[0]!.addresses.push({ host: "mx2", privateIp: "10.0.2.11", hostName: "mail2.acme-corp.example" });
          return i;
        })(),
      );
      expect(spread.ok).toBe(true);
      const issues = problems((i) => {
        i.hosts.push({ name: "mx2" });
        i.aws!.hosts.mx2 = { subnetId: "subnet-0f1e2d3c4b5a69788" };
      });
      expect(issues).toEqual([
        expect.objectContaining({ path: "hosts[1].name", message: "every host carries at least one group's address (a host without one would serve nothing)" }),
      ]);
    });

    test("fails when a group's home is unknown or carries none of its addresses", () => {
      const issues = problems((i) => {
        i.hosts.push({ name: "mx2" });
        i.aws!.hosts.mx2 = { subnetId: "subnet-0f1e2d3c4b5a69788" };
        i.groups[0]!.addresses.push({ host: "mx2", privateIp: "10.0.2.11", hostName: "mail2.acme-corp.example" });
        i.groups[0]!.home = "mx3";
        i.groups[1]!.home = "mx2";
      });
      expect(issues.map((x) => [x.path, x.received, x.message])).toEqual([
        ["groups[0].home", '"mx3"', "expected one of the hosts: mx1, mx2"],
        [
          "groups[1].home",
          '"mx2"',
          "the home host must carry one of the group's addresses (its mailboxes and listeners live there); the group has addresses on: mx1",
        ],
      ]);
    });

    test("fails when an address names an unknown host or a host twice", () => {
      const issues = problems((i) => {
        i.groups[0]!.addresses.push({ host: "mx1", privateIp: "10.0.1.21", hostName: "mx-b.acme-corp.example" });
        i.groups[1]!.addresses[0]!.host = "mx9";
      });
      expect(issues.map((x) => [x.path, x.message])).toEqual([
        ["groups[0].addresses[1].host", 'a group has at most one address per host; "mx1" is listed twice'],
        ["groups[1].addresses[0].host", "expected one of the hosts: mx1"],
      ]);
    });

    test("fails when every service is off", () => {
      const issues = problems((i) => {
        i.services = { smtp: false, submission: false, submissions: false, imap: false, imaps: false, pop3: false, pop3s: false };
        i.dnsbl = { sites: [] };
        i.groups[0]!.domains[0]!.requireTlsInbound = false;
        delete i.dns!.mtaSts;
      });
      expect(issues).toEqual([expect.objectContaining({ path: "services", message: "expected at least one service switched on" })]);
    });

    test("fails on legacy-2015 without a written acknowledgement, and accepts it with one", () => {
      expect(problems((i) => (i.tls = { profile: "legacy-2015" }))).toEqual([
        expect.objectContaining({ path: "tls.profile", message: expect.stringContaining("set tls.legacyAcknowledgement to a written reason") }),
      ]);
      const input = exampleInput();
      input.tls = { profile: "legacy-2015", legacyAcknowledgement: "Old point-of-sale terminals speak only TLS 1.0." };
      expect(validatePlatform(input).ok).toBe(true);
    });

    test("fails on an acknowledgement that acknowledges nothing", () => {
      expect(problems((i) => (i.tls = { legacyAcknowledgement: "no legacy profile is used here" }))).toEqual([
        expect.objectContaining({
          path: "tls.legacyAcknowledgement",
          message: "neither a profile nor an outbound setting allows TLS 1.0/1.1; remove the acknowledgement",
        }),
      ]);
    });

    test("fails on a custom profile without its policy, and on a policy nobody uses", () => {
      expect(paths(problems((i) => (i.tls = { profile: "custom" })))).toEqual(["tls.profile"]);
      expect(paths(problems((i) => (i.tls = { custom: { minProtocol: "TLSv1.2", ciphers: "ECDHE+AESGCM" } })))).toEqual(["tls.custom"]);
    });

    test("fails on weak custom ciphers unless acknowledged, naming the weak class", () => {
      const [problem] = problems((i) => (i.tls = { profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers: "HIGH:NULL-SHA256" } }));
      expect(problem!.path).toBe("tls.custom.ciphers");
      expect(problem!.message).toContain('unencrypted (eNULL) via "NULL-SHA256"');
      expect(problem!.message).toContain(`anonymous (aNULL) via "HIGH"`);
      const input = exampleInput();
      input.tls = {
        profile: "custom",
        custom: { minProtocol: "TLSv1.2", ciphers: "HIGH:NULL-SHA256", weakCipherAcknowledgement: "A lab instance that tests old clients on purpose." },
      };
      expect(validatePlatform(input).ok).toBe(true);
    });

    test("fails on a custom minimum below TLS 1.2 without acknowledgement", () => {
      expect(paths(problems((i) => (i.tls = { profile: "custom", custom: { minProtocol: "TLSv1.1", ciphers: "ECDHE+AESGCM" } })))).toEqual([
        "tls.custom.minProtocol",
      ]);
    });

    test("fails on DNS blocklists without port 25, and on an unreachable threshold", () => {
      const issues = problems((i) => {
        i.services = { ...i.services, smtp: false };
        i.groups[0]!.domains[0]!.requireTlsInbound = false;
        delete i.dns!.mtaSts;
        i.dnsbl = {
          threshold: 9,
          sites: [
            { zone: "zen.spamhaus.org", weight: 2 },
            { zone: "zen.spamhaus.org", weight: 3 },
          ],
        };
      });
      expect(issues.map((x) => x.path)).toEqual(["dnsbl.sites", "dnsbl.sites[1].zone", "dnsbl.threshold"]);
      expect(issues[2]!.message).toContain("add up to 5");
    });

    test("fails on a TLS-required domain when port 25 is off", () => {
      const issues = problems((i) => {
        i.services = { ...i.services, smtp: false };
        i.dnsbl = { sites: [] };
        delete i.dns!.mtaSts;
      });
      expect(issues).toEqual([expect.objectContaining({ path: "groups[0].domains[0].requireTlsInbound" })]);
    });

    test("fails on outbound rules for own domains, duplicate rules, an unknown default group and a relay loop", () => {
      const issues = problems((i) => {
        i.outbound = {
          tlsRules: [{ destination: "acme-home.example" }, { destination: "partner.example" }, { destination: "partner.example" }],
          defaultGroup: "nobody",
          relayHost: { host: "mail.acme-corp.example" },
        };
      });
      expect(issues.map((x) => x.path)).toEqual([
        "outbound.defaultGroup",
        "outbound.relayHost.host",
        "outbound.tlsRules",
        "outbound.tlsRules[0].destination",
        "outbound.tlsRules[2].destination",
      ]);
    });

    test("fails on the same header listed twice in another case", () => {
      expect(paths(problems((i) => (i.privacy = { stripHeaders: ["X-Originating-IP", "x-originating-ip"] })))).toEqual(["privacy.stripHeaders[1]"]);
    });
  });

  test("reports every problem at once, including cross-field ones next to shape errors in other sections", () => {
    const issues = problems((i) => {
      i.name = "Acme Mail";
      i.hosts.push({ name: "mx1" });
      i.tls = { profile: "legacy-2015" };
      (i as Record<string, unknown>).messageSizeLimitBytes = "10M";
    });
    expect(paths(issues)).toEqual(["hosts[1].name", "messageSizeLimitBytes", "name", "tls.profile"]);
  });

  test("reports a duplicate domain even when another field of the groups is malformed", () => {
    const issues = problems((i) => {
      i.groups[0]!.addresses[0]!.privateIp = "10.0.1.300";
      i.groups[1]!.domains[0]!.name = "acme-corp.example";
    });
    expect(paths(issues)).toEqual(["groups[0].addresses[0].privateIp", "groups[1].domains[0].name"]);
  });

  test("parsePlatform throws one error whose message lists every problem", () => {
    const input = exampleInput();
    input.name = "Bad Name";
    input.groups[0]!.addresses[0]!.privateIp = "300.1.1.1";
    expect(() => parsePlatform(input, "platform.yaml")).toThrow(PlatformValidationError);
    try {
      parsePlatform(input, "platform.yaml");
    } catch (error) {
      expect((error as Error).message).toMatchInlineSnapshot(`
"platform.yaml is invalid (2 problems):
  - groups[0].addresses[0].privateIp: expected an IPv4 address in dotted-quad form, such as 10.0.1.11 (received: "300.1.1.1")
  - name: expected a platform name such as acme-mail: a lowercase letter, then lowercase letters, digits or single inner hyphens (received: "Bad Name")"
`);
    }
  });

  test("shortens long received values", () => {
    const [problem] = problems((i) => (i.name = "x".repeat(500)));
    expect(problem!.received.length).toBeLessThanOrEqual(80);
    expect(problem!.received.endsWith("…")).toBe(true);
  });
});

describe("the deployment sections", () => {
  test("fail when a host has no placement, or a placement names no host", () => {
    const issues = problems((i) => (i.aws!.hosts = { mx9: { subnetId: "subnet-0a1b2c3d4e5f60718" } }));
    expect(issues.map((x) => [x.path, x.message])).toEqual([
      ["aws.hosts", 'every host needs a placement; missing "mx1"'],
      ["aws.hosts.mx9", "expected one of the hosts: mx1"],
    ]);
  });

  test("fail when a domain or host name lies in no zone", () => {
    const issues = problems((i) => (i.dns!.zones = i.dns!.zones.filter((z) => z.name !== "acme-home.example")));
    expect(issues.map((x) => x.path)).toEqual(["groups[1].addresses[0].hostName", "groups[1].domains[0].name"]);
    expect(issues[0]!.message).toMatch(/lies in none of the zones/);
  });

  test("fail on an adopted Elastic IP for an unknown address or adopted twice", () => {
    const issues = problems((i) => {
      i.aws!.adoptElasticIps = [
        { host: "mx1", group: "nobody", allocationId: "eipalloc-0123456789abcdef0" },
        { host: "mx1", group: "business", allocationId: "eipalloc-0123456789abcdef0" },
      ];
    });
    expect(issues.map((x) => x.path)).toEqual(["aws.adoptElasticIps[0].group", "aws.adoptElasticIps[1].allocationId"]);
  });

  test("fail on extra ingress with host bits set or on a mail port", () => {
    const issues = problems((i) => {
      i.aws!.extraIngress = [
        { port: 22, cidr: "198.51.100.7/24", description: "SSH from the office" },
        { port: 25, cidr: "0.0.0.0/0", description: "again" },
      ];
    });
    expect(issues.map((x) => [x.path, x.message])).toEqual([
      ["aws.extraIngress[0].cidr", "host bits are set; the network is 198.51.100.0/24"],
      ["aws.extraIngress[1].port", "mail ports are opened by services; do not open them again here"],
    ]);
  });

  test("fail when the architecture does not match the instance type", () => {
    const [problem] = problems((i) => (i.aws!.hosts.mx1 = { subnetId: "subnet-0a1b2c3d4e5f60718", instanceType: "m7g.large" }));
    expect(problem).toMatchObject({ path: "aws.hosts.mx1.architecture", message: "instance type m7g.large is arm64; set architecture to match" });
  });

  test.each([
    ["aws.vpcId", (i: PlatformInput) => (i.aws!.vpcId = "vpc-123")],
    ["aws.hosts.mx1.subnetId", (i: PlatformInput) => (i.aws!.hosts.mx1 = { subnetId: "subnet-xyz" })],
    ["dns.zones[0].route53ZoneId", (i: PlatformInput) => (i.dns!.zones[0]!.route53ZoneId = "not-a-zone")],
    ["aws.acmeEmail", (i: PlatformInput) => (i.aws!.acmeEmail = "hostmaster")],
    ["aws.acmeServer", (i: PlatformInput) => (i.aws!.acmeServer = "http://acme.example/directory")],
  ])("fails on a malformed %s", (path, change) => {
    expect(problems(change).map((x) => x.path)).toEqual([path]);
  });
});
