/**
 * The validation matrix: bad inputs through the API and through `mail-platform validate` and
 * `render`. Every case: exactly the expected problems, each with its field path, the value
 * received and what is allowed; exit 1; no stack trace; nothing written.
 */
import { existsSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { run } from "../../lib/cli/main";
import type { PlatformInput } from "../../lib/model/schema";
import { validatePlatform } from "../../lib/validation/validate";
import { exampleInput } from "../support/example";
import { addSecondHost } from "../support/variants";

type Change = (input: PlatformInput & Record<string, unknown>) => void;

interface Case {
  readonly name: string;
  /** A change to the example, or the whole file text. */
  readonly change?: Change;
  readonly text?: string;
  /** Exactly the field paths reported. */
  readonly paths: readonly string[];
}

const any = (value: unknown) => value as never;
const group = (i: PlatformInput, g = 0) => i.groups[g]!;
const address = (i: PlatformInput, g = 0) => group(i, g).addresses[0]!;

const CASES: readonly Case[] = [
  // Platform name
  { name: "platform name of the wrong type", change: (i) => (i.name = any(42)), paths: ["name"] },
  { name: "empty platform name", change: (i) => (i.name = ""), paths: ["name"] },
  { name: "platform name over 32 characters", change: (i) => (i.name = "a".repeat(33)), paths: ["name"] },
  { name: "platform name in capitals", change: (i) => (i.name = "AcmeMail"), paths: ["name"] },
  { name: "platform name with a dollar", change: (i) => (i.name = "acme$mail"), paths: ["name"] },
  // Hosts
  { name: "no hosts", change: (i) => (i.hosts = []), paths: ["hosts"] },
  { name: "hosts as a string", change: (i) => (i.hosts = any("mx1")), paths: ["hosts"] },
  { name: "host without a name", change: (i) => (i.hosts = any([{}])), paths: ["hosts[0].name"] },
  { name: "duplicate host names", change: (i) => i.hosts.push({ name: "mx1" }), paths: ["hosts[1].name"] },
  { name: "seventeen hosts", change: (i) => (i.hosts = Array.from({ length: 17 }, (_, n) => ({ name: `mx${n}` }))), paths: ["hosts"] },
  { name: "host name over 24 characters", change: (i) => (i.hosts[0]!.name = "m".repeat(25)), paths: ["hosts[0].name"] },
  // Groups
  { name: "no groups", change: (i) => (i.groups = []), paths: ["groups"] },
  { name: "group name in capitals", change: (i) => (group(i).name = "Business"), paths: ["groups[0].name"] },
  { name: "group name over 20 characters", change: (i) => (group(i).name = "g".repeat(21)), paths: ["groups[0].name"] },
  { name: "duplicate group names", change: (i) => (group(i, 1).name = "business"), paths: ["groups[1].name"] },
  { name: "unknown delivery priority", change: (i) => (group(i).priority = any("urgent")), paths: ["groups[0].priority"] },
  { name: "group without domains", change: (i) => (group(i).domains = []), paths: ["groups[0].domains"] },
  // Domains
  { name: "empty domain", change: (i) => (group(i).domains[1]!.name = ""), paths: ["groups[0].domains[1].name"] },
  { name: "domain without a dot", change: (i) => (group(i).domains[1]!.name = "localhost"), paths: ["groups[0].domains[1].name"] },
  { name: "domain with a blank", change: (i) => (group(i).domains[1]!.name = "acme shop.example"), paths: ["groups[0].domains[1].name"] },
  {
    name: "domain with a label over 63 characters",
    change: (i) => (group(i).domains[1]!.name = `${"x".repeat(64)}.example`),
    paths: ["groups[0].domains[1].name"],
  },
  { name: "domain with a trailing dot", change: (i) => (group(i).domains[1]!.name = "acme-shop.example."), paths: ["groups[0].domains[1].name"] },
  { name: "domain with an underscore", change: (i) => (group(i).domains[1]!.name = "acme_shop.example"), paths: ["groups[0].domains[1].name"] },
  { name: "domain with a numeric top level", change: (i) => (group(i).domains[1]!.name = "acme-shop.123"), paths: ["groups[0].domains[1].name"] },
  { name: "domain listed twice in one group", change: (i) => group(i).domains.push({ name: "acme-shop.example" }), paths: ["groups[0].domains[2].name"] },
  { name: "domain in two groups", change: (i) => group(i, 1).domains.push({ name: "acme-shop.example" }), paths: ["groups[1].domains[2].name"] },
  {
    name: "requireTlsInbound as a string",
    change: (i) => (group(i).domains[0]!.requireTlsInbound = any("yes")),
    paths: ["groups[0].domains[0].requireTlsInbound"],
  },
  // Addresses
  { name: "group without addresses", change: (i) => (group(i).addresses = []), paths: ["groups[0].addresses"] },
  { name: "address on an unknown host", change: (i) => (address(i).host = "mx9"), paths: ["groups[0].addresses[0].host"] },
  { name: "truncated private IP", change: (i) => (address(i).privateIp = "10.0.1"), paths: ["groups[0].addresses[0].privateIp"] },
  { name: "public address as private IP", change: (i) => (address(i).privateIp = "8.8.8.8"), paths: ["groups[0].addresses[0].privateIp"] },
  { name: "same private IP in two groups", change: (i) => (address(i, 1).privateIp = "10.0.1.11"), paths: ["groups[1].addresses[0].privateIp"] },
  {
    name: "same private IP on two hosts",
    change: (i) => {
      addSecondHost(i);
      group(i).addresses[1]!.privateIp = "10.0.1.11";
    },
    paths: ["groups[0].addresses[1].privateIp"],
  },
  { name: "IP address as host name", change: (i) => (address(i).hostName = "203.0.113.10"), paths: ["groups[0].addresses[0].hostName"] },
  { name: "same host name for two addresses", change: (i) => (address(i, 1).hostName = "mail.acme-corp.example"), paths: ["groups[1].addresses[0].hostName"] },
  { name: "private address as public IP", change: (i) => (address(i).publicIp = "10.9.9.9"), paths: ["groups[0].addresses[0].publicIp"] },
  {
    name: "same public IP for two addresses",
    change: (i) => {
      address(i).publicIp = "203.0.113.10";
      address(i, 1).publicIp = "203.0.113.10";
    },
    paths: ["groups[1].addresses[0].publicIp"],
  },
  {
    name: "host that carries no group's address",
    change: (i) => {
      addSecondHost(i);
      group(i).addresses.pop();
      group(i, 1).addresses.pop();
    },
    paths: ["hosts[1].name"],
  },
  {
    name: "home on a host without the group's address",
    change: (i) => {
      addSecondHost(i);
      group(i, 1).addresses.pop();
      group(i, 1).home = "mx2";
    },
    paths: ["groups[1].home"],
  },
  { name: "TLSA pin of the wrong length", change: (i) => (address(i).tlsaSpkiSha256 = "abc"), paths: ["groups[0].addresses[0].tlsaSpkiSha256"] },
  // Services
  { name: "service switch as a string", change: (i) => (i.services = { ...i.services, smtp: any("on") }), paths: ["services.smtp"] },
  { name: "unknown service", change: (i) => (i.services = any({ ...i.services, webmail: true })), paths: ["services.webmail"] },
  {
    name: "every service off",
    change: (i) => {
      i.services = { smtp: false, submission: false, submissions: false, imap: false, imaps: false, pop3: false, pop3s: false };
      i.dnsbl = { sites: [] };
      group(i).domains[0]!.requireTlsInbound = false;
      delete i.dns!.mtaSts;
    },
    paths: ["services"],
  },
  // TLS
  { name: "unknown TLS profile", change: (i) => (i.tls = { profile: any("strong") }), paths: ["tls.profile"] },
  { name: "legacy profile without acknowledgement", change: (i) => (i.tls = { profile: "legacy-2015" }), paths: ["tls.profile"] },
  { name: "acknowledgement too short", change: (i) => (i.tls = { profile: "legacy-2015", legacyAcknowledgement: "ok" }), paths: ["tls.legacyAcknowledgement"] },
  {
    name: "acknowledgement over two lines",
    change: (i) => (i.tls = { profile: "legacy-2015", legacyAcknowledgement: "old clients\nsmtpd_tls_auth_only = no" }),
    paths: ["tls.legacyAcknowledgement"],
  },
  { name: "custom profile without its policy", change: (i) => (i.tls = { profile: "custom" }), paths: ["tls.profile"] },
  {
    name: "weak custom ciphers",
    change: (i) => (i.tls = { profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers: "HIGH:NULL-SHA256:!aNULL" } }),
    paths: ["tls.custom.ciphers"],
  },
  {
    name: "custom ciphers with a blank",
    change: (i) => (i.tls = { profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers: "HIGH AES" } }),
    paths: ["tls.custom.ciphers"],
  },
  {
    name: "SSLv3 as minimum protocol",
    change: (i) => (i.tls = { profile: "custom", custom: { minProtocol: any("SSLv3"), ciphers: "ECDHE+AESGCM" } }),
    paths: ["tls.custom.minProtocol"],
  },
  { name: "relative certificate directory (no certificates)", change: (i) => (i.tls = { certificateDirectory: "certs" }), paths: ["tls.certificateDirectory"] },
  { name: "certificate directory with ..", change: (i) => (i.tls = { certificateDirectory: "/etc/../root" }), paths: ["tls.certificateDirectory"] },
  { name: "reject text with a dollar", change: (i) => (i.tls = { plaintextRejectText: "pay $5" }), paths: ["tls.plaintextRejectText"] },
  { name: "reject text with a newline", change: (i) => (i.tls = { plaintextRejectText: "use TLS\n250 ok" }), paths: ["tls.plaintextRejectText"] },
  { name: "reject text over 200 characters", change: (i) => (i.tls = { plaintextRejectText: "x".repeat(201) }), paths: ["tls.plaintextRejectText"] },
  // Outbound
  { name: "verify as default outbound level", change: (i) => (i.outbound = { defaultTlsLevel: any("verify") }), paths: ["outbound.defaultTlsLevel"] },
  {
    name: "invalid TLS rule destination",
    change: (i) => (i.outbound = { tlsRules: [{ destination: "partner" }] }),
    paths: ["outbound.tlsRules[0].destination"],
  },
  {
    name: "duplicate TLS rules",
    change: (i) => (i.outbound = { tlsRules: [{ destination: "partner.example" }, { destination: "partner.example" }] }),
    paths: ["outbound.tlsRules[1].destination"],
  },
  {
    name: "TLS rule for an own domain",
    change: (i) => (i.outbound = { tlsRules: [{ destination: "acme-home.example" }] }),
    paths: ["outbound.tlsRules[0].destination"],
  },
  {
    name: "relay port out of range",
    change: (i) => (i.outbound = { relayHost: { host: "relay.example", port: any(2525) } }),
    paths: ["outbound.relayHost.port"],
  },
  { name: "relay host that is our own", change: (i) => (i.outbound = { relayHost: { host: "mail.acme-home.example" } }), paths: ["outbound.relayHost.host"] },
  { name: "unknown default group", change: (i) => (i.outbound = { defaultGroup: "nobody" }), paths: ["outbound.defaultGroup"] },
  // DNSBL
  { name: "DNSBL weight 0", change: (i) => (i.dnsbl!.sites![0]!.weight = 0), paths: ["dnsbl.sites[0].weight"] },
  { name: "DNSBL weight 100", change: (i) => (i.dnsbl!.sites![0]!.weight = 100), paths: ["dnsbl.sites[0].weight"] },
  { name: "DNSBL threshold 0", change: (i) => (i.dnsbl!.threshold = 0), paths: ["dnsbl.threshold"] },
  { name: "DNSBL threshold nobody reaches", change: (i) => (i.dnsbl!.threshold = 9), paths: ["dnsbl.threshold"] },
  { name: "malformed DNSBL reply filter", change: (i) => (i.dnsbl!.sites![0]!.replyFilter = "127.0.0.[2-11]"), paths: ["dnsbl.sites[0].replyFilter"] },
  // Privacy, limits
  { name: "header name with a colon", change: (i) => (i.privacy = { stripHeaders: ["X-Originating-IP:"] }), paths: ["privacy.stripHeaders[0]"] },
  { name: "header name listed twice", change: (i) => (i.privacy = { stripHeaders: ["X-Mailer", "x-mailer"] }), paths: ["privacy.stripHeaders[1]"] },
  { name: "message size under 1 MiB", change: (i) => (i.messageSizeLimitBytes = 1000), paths: ["messageSizeLimitBytes"] },
  { name: "message size as text", change: (i) => (i.messageSizeLimitBytes = any("10M")), paths: ["messageSizeLimitBytes"] },
  { name: "fractional message size", change: (i) => (i.messageSizeLimitBytes = 1_500_000.5), paths: ["messageSizeLimitBytes"] },
  // DNS and DKIM
  {
    name: "domain outside every zone",
    change: (i) => (i.dns!.zones = i.dns!.zones.filter((z) => z.name !== "acme-shop.example")),
    paths: ["groups[0].domains[1].name"],
  },
  { name: "address TTL under a minute", change: (i) => (i.dns!.addressTtlSeconds = 5), paths: ["dns.addressTtlSeconds"] },
  { name: "record TTL over a week", change: (i) => (i.dns!.recordTtlSeconds = 700_000), paths: ["dns.recordTtlSeconds"] },
  { name: "malformed Route53 zone id", change: (i) => (i.dns!.zones[0]!.route53ZoneId = "zone-1"), paths: ["dns.zones[0].route53ZoneId"] },
  { name: "DMARC policy none", change: (i) => (i.dns!.dmarc = { policy: any("none") }), paths: ["dns.dmarc.policy"] },
  { name: "MTA-STS max age of a minute", change: (i) => (i.dns!.mtaSts = { maxAgeSeconds: 60 }), paths: ["dns.mtaSts.maxAgeSeconds"] },
  { name: "DKIM selector with an underscore", change: (i) => (i.dkim!.selector = "_s2026"), paths: ["dkim.selector"] },
  { name: "DKIM key parameter without leading slash", change: (i) => (i.dkim!.privateKeyParameter = "acme/dkim"), paths: ["dkim.privateKeyParameter"] },
  // AWS
  { name: "malformed VPC id", change: (i) => (i.aws!.vpcId = "vpc-xyz"), paths: ["aws.vpcId"] },
  { name: "host without placement", change: (i) => (i.aws!.hosts = {}), paths: ["aws.hosts"] },
  {
    name: "extra ingress CIDR with host bits",
    change: (i) => (i.aws!.extraIngress = [{ port: 22, cidr: "198.51.100.7/24", description: "SSH" }]),
    paths: ["aws.extraIngress[0].cidr"],
  },
  {
    name: "extra ingress port out of range",
    change: (i) => (i.aws!.extraIngress = [{ port: 70000, cidr: "198.51.100.0/24", description: "x" }]),
    paths: ["aws.extraIngress[0].port"],
  },
  {
    name: "SSH from anywhere without acknowledgement",
    change: (i) => (i.aws!.extraIngress = [{ port: 22, cidr: "0.0.0.0/0", description: "SSH" }]),
    paths: ["aws.extraIngress[0].acknowledgement"],
  },
  {
    name: "Terraform interpolation in a description",
    change: (i) => (i.aws!.extraIngress = [{ port: 8443, cidr: "10.0.0.0/8", description: "${aws_instance.x.id}" }]),
    paths: ["aws.extraIngress[0].description"],
  },
  { name: "Terraform interpolation in a tag", change: (i) => (i.aws!.tags = { owner: "${var.x}" }), paths: ["aws.tags.owner"] },
  {
    name: "instance type that is no instance type",
    change: (i) => (i.aws!.hosts.mx1 = { subnetId: "subnet-0a1b2c3d4e5f60718", instanceType: "huge" }),
    paths: ["aws.hosts.mx1.instanceType"],
  },
  // The file itself
  { name: "unknown top-level field", change: (i) => (i.webmail = true), paths: ["webmail"] },
  { name: "an empty file", text: "", paths: [""] },
  { name: "a list instead of a mapping", text: "- name: acme\n", paths: [""] },
  { name: "YAML syntax error", text: "name: acme\nhosts: [\n", paths: [""] },
];

function inputFor(c: Case): { value: unknown; text: string } {
  if (c.text !== undefined) return { value: undefined, text: c.text };
  const input = exampleInput() as PlatformInput & Record<string, unknown>;
  c.change!(input);
  return { value: input, text: stringify(input) };
}

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

test("the matrix has at least 60 cases with distinct names", () => {
  expect(CASES.length).toBeGreaterThanOrEqual(60);
  expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
});

describe.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
  const { value, text } = inputFor(c);
  const file = join(mkdtempSync(join(tmpdir(), "mail-platform-matrix-")), "platform.yaml");
  writeFileSync(file, text);

  if (c.text === undefined) {
    test("the API reports exactly these paths, each with the value received and what is allowed", () => {
      const result = validatePlatform(value);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues.map((i) => i.path).sort()).toEqual([...c.paths].sort());
      for (const problem of result.issues) {
        expect(problem.received.length).toBeGreaterThan(0);
        expect(problem.message.length).toBeGreaterThan(10);
      }
    });
  }

  test("validate exits 1 and lists every problem, without a stack trace", async () => {
    const result = await cli("validate", file);
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    for (const path of c.paths) {
      expect(result.err).toMatch(new RegExp(`^  - ${path === "" ? "\\(top level\\)" : path.replace(/[.[\]]/g, "\\$&")}: .+ \\(received: .+\\)$`, "m"));
    }
    expect(result.err).not.toMatch(/^\s+at /m);
  });

  test("render writes nothing", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "mail-platform-matrix-out-")), "out");
    expect((await cli("render", file, "--out", out)).code).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});
