/**
 * The variant matrix the real programs check: the example, each service off in turn, each TLS
 * profile, a split client profile, one and two hosts, a relay host, full-text search.
 */
import { generateKeyPairSync } from "crypto";
import type { PlatformInput } from "../../lib/model/schema";
import { SERVICES } from "../../lib/catalogue/services";
import { exampleInput } from "./example";

/** A named model. */
export interface Variant {
  readonly name: string;
  readonly input: PlatformInput;
}

function variant(name: string, change: (input: PlatformInput) => void): Variant {
  const input = exampleInput();
  change(input);
  return { name, input };
}

/** Add a second host with one address per group. */
export function addSecondHost(input: PlatformInput): void {
  input.hosts.push({ name: "mx2" });
  input.groups.forEach((group, i) => {
    group.addresses.push({ host: "mx2", privateIp: `10.0.2.${11 + i}`, hostName: `mail2.${group.domains[0]!.name}` });
  });
  if (input.aws) input.aws.hosts.mx2 = { subnetId: "subnet-0f1e2d3c4b5a69788" };
}

/**
 * Spread the example's two groups over three hosts: the first group at home on mx1 with a
 * backup MX on mx2, the second at home on mx3 (named explicitly, after mx2 in host order) with
 * a backup MX on mx2. mx2 is a backup MX only: no mailbox, no client service, port 25 and the
 * forwards home.
 */
export function spreadOverThreeHosts(input: PlatformInput): void {
  input.hosts = [{ name: "mx1" }, { name: "mx2" }, { name: "mx3" }];
  const [first, second] = input.groups;
  first!.addresses = [first!.addresses[0]!, { host: "mx2", privateIp: "10.0.2.11", hostName: `backup.${first!.domains[0]!.name}` }];
  second!.addresses = [
    { host: "mx2", privateIp: "10.0.2.12", hostName: `backup.${second!.domains[0]!.name}` },
    { host: "mx3", privateIp: "10.0.3.12", hostName: second!.addresses[0]!.hostName },
  ];
  second!.home = "mx3";
  if (input.aws) {
    input.aws.hosts.mx2 = { subnetId: "subnet-0f1e2d3c4b5a69788" };
    input.aws.hosts.mx3 = { subnetId: "subnet-0f1e2d3c4b5a69799" };
  }
}

/**
 * A platform of `hosts` hosts and `groups` groups, each group with one domain (its own zone) and
 * an address per host named in that domain; placements of the given instance type.
 */
export function platformOf(hosts: number, groups: number, instanceType: string, change?: (input: PlatformInput) => void): PlatformInput {
  const input = exampleInput();
  input.hosts = Array.from({ length: hosts }, (_, h) => ({ name: `mx${h}` }));
  input.groups = Array.from({ length: groups }, (_, g) => ({
    name: `g${g}`,
    domains: [{ name: `d${g}.example` }],
    addresses: input.hosts.map((host, h) => ({ host: host.name, privateIp: `10.${h}.0.${g + 10}`, hostName: `mx${h}.d${g}.example` })),
  }));
  input.dns!.zones = input.groups.map((g) => ({ name: g.domains[0]!.name }));
  // The example's role mailbox was in a domain these groups do not have (set, not deleted, so that
  // Object.assign(input, platformOf(…)) replaces it too).
  input.accounts = {};
  input.aws!.hosts = Object.fromEntries(input.hosts.map((h) => [h.name, { subnetId: "subnet-0a1b2c3d4e5f60718", instanceType }]));
  change?.(input);
  return input;
}

/** Give a host another name everywhere the model names it. */
export function renameHost(input: PlatformInput, from: string, to: string): void {
  for (const host of input.hosts) if (host.name === from) host.name = to;
  for (const group of input.groups) for (const address of group.addresses) if (address.host === from) address.host = to;
  if (input.aws) {
    const placements = Object.entries(input.aws.hosts).map(([name, placement]) => [name === from ? to : name, placement] as const);
    input.aws.hosts = Object.fromEntries(placements);
    for (const eip of input.aws.adoptElasticIps ?? []) if (eip.host === from) eip.host = to;
  }
}

/** Public keys generated once per test process (base64 DER SPKI). */
const generated = new Map<string, string>();
function publicKey(kind: "rsa" | "ed25519"): string {
  if (!generated.has(kind)) {
    const pair = kind === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ed25519");
    generated.set(kind, pair.publicKey.export({ format: "der", type: "spki" }).toString("base64"));
  }
  return generated.get(kind)!;
}

/** A SHA-256 pin as a TLSA 3 1 1 record carries it. */
const PIN = "8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1";

const LEGACY_REASON = "Point-of-sale terminals at a customer only speak TLS 1.0 until their replacement in 2027.";

/** Every variant, the example first. */
export function variants(): Variant[] {
  return [
    variant("example", () => undefined),
    ...SERVICES.map((service) =>
      variant(`${service.name} off`, (input) => {
        input.services = { ...input.services, [service.name]: false };
        if (service.name === "smtp") {
          // These only make sense with port 25; the model refuses them without it.
          input.dnsbl = { sites: [] };
          input.groups.forEach((g) => g.domains.forEach((d) => (d.requireTlsInbound = false)));
          if (input.dns) delete input.dns.mtaSts;
        }
      }),
    ),
    variant("only imap and pop3 with STARTTLS", (input) => {
      input.services = { smtp: true, submission: true, submissions: false, imap: true, imaps: false, pop3: true, pop3s: false };
    }),
    variant("tls modern", (input) => {
      input.tls = { profile: "modern" };
    }),
    variant("tls legacy-2015", (input) => {
      input.tls = { profile: "legacy-2015", legacyAcknowledgement: LEGACY_REASON };
    }),
    variant("tls custom", (input) => {
      input.tls = {
        profile: "custom",
        custom: { minProtocol: "TLSv1.2", ciphers: "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL", preferServerCiphers: true },
      };
    }),
    variant("tls intermediate on 25, modern for clients", (input) => {
      input.tls = { profile: "intermediate", clientProfile: "modern" };
    }),
    variant("two hosts", addSecondHost),
    variant("groups spread over three hosts: homes on mx1 and mx3, mx2 a backup MX only", spreadOverThreeHosts),
    variant("one group", (input) => {
      input.groups = [input.groups[0]!];
    }),
    variant("relay host on 465 with authentication, no dnsbl, no privacy rewriting", (input) => {
      // The relay is the next hop of all mail: per-destination TLS rules would never be consulted.
      input.outbound = { ...input.outbound, tlsRules: [], relayHost: { host: "smtp.relay-provider.example", port: 465, authenticate: true } };
      input.dnsbl = { sites: [] };
      input.privacy = { stripHeaders: [], hideClientIpInReceived: false };
    }),
    variant("DNS: DAV discovery, DNSSEC with a TLSA pin, Ed25519 group key with a retiring key, IDN domain", (input) => {
      input.dns!.dav = { hostName: "dav.acme-corp.example" };
      input.dns!.zones[0]!.dnssec = true;
      input.groups[0]!.addresses[0]!.tlsaSpkiSha256 = PIN;
      input.groups[1]!.dkim = {
        selector: "ed2026",
        publicKey: publicKey("ed25519"),
        privateKeyParameter: "/acme-mail/dkim/ed2026",
        retiring: { selector: "rsa2025", publicKey: publicKey("rsa") },
      };
      input.groups[1]!.domains.push({ name: "bücher.acme-home.example" });
    }),
    variant("names a naive reader trips over: host 'constructor', ACME server with a port, account e-mail with + and =", (input) => {
      // `in`, `obj[key]` and URL parsers treat these specially; the platform must not.
      renameHost(input, "mx1", "constructor");
      input.aws!.acmeServer = "https://acme.internal.example:14000/acme/directory";
      input.aws!.acmeEmail = "ops+acme=mail@acme-corp.example";
    }),
    variant("operator settings: a main.cf parameter, a submission -o override, a Dovecot setting", (input) => {
      input.postfix = {
        mainCf: { smtpd_banner: "$myhostname ESMTP", maximal_queue_lifetime: "3d" },
        masterCf: { submission: { message_size_limit: "20480000" } },
      };
      input.dovecot = { settings: { login_greeting: "Mail ready.", mail_max_userip_connections: "20" } };
    }),
    variant("operator settings on Debian 12 (Dovecot 2.3 names)", (input) => {
      input.os = "debian-12";
      input.postfix = { mainCf: { smtpd_banner: "$myhostname ESMTP" }, masterCf: { smtp: { smtpd_client_connection_count_limit: "20" } } };
      input.dovecot = { settings: { login_greeting: "Mail ready.", auth_failure_delay: "3 secs" } };
    }),
    variant("ManageSieve on, an alias forwarding to a foreign domain (SRS)", (input) => {
      input.services = { ...input.services, managesieve: true };
      // The example's sales@ alias now also goes to a partner outside the platform.
      const sales = input.groups[0]!.aliases!.find((a) => a.address === "sales@acme-corp.example")!;
      sales.to = [...sales.to, "partner@elsewhere.example"];
    }),
    variant("quotas (a default and one of a mailbox's own) with full-text search, client autoconfiguration", (input) => {
      input.mailbox = { ...input.mailbox, fullTextSearch: true, defaultQuotaMb: 2048 };
      input.groups[0]!.mailboxes![0]!.quotaMb = 10_240;
      input.dns = { ...input.dns!, clientAutoconfig: { displayName: "Acme & Co. Mail" } };
    }),
    variant("dane by default, full-text search, bulk group, paused, blocklist watch with pause and alert addresses", (input) => {
      input.outbound = { ...input.outbound, defaultTlsLevel: "dane" };
      input.mailbox = { archiveFolder: false, fullTextSearch: true };
      input.groups[1]!.priority = "bulk";
      input.groups[1]!.outbound = { paused: true };
      input.blocklistWatch = { enabled: true, intervalMinutes: 15, pauseWhenListed: true, alertEmails: ["noc@acme-corp.example"] };
    }),
  ];
}
