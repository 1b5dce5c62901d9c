/**
 * Cross-field checks of the deployment sections (dns, aws) against the mail model.
 */
import { issue, type PathSegment, type PlatformIssue } from "./issues";
import type { PlatformSpec } from "./schema";
import { ipv4ToNumber } from "./syntax";
import { DOMAIN_RECORD_PREFIXES } from "../catalogue/record-prefixes";
import { SERVICES } from "../catalogue/services";
import { clientServicesComplete } from "./certificate-names";
import { groupDkimKey } from "./group-dkim-key";
import { zoneOf } from "./zones";
import { adminExposure } from "./ingress-coverage";

/** At most `shown` names for a message, then how many more there are. */
export function someOf(names: readonly string[], shown = 5): string {
  return names.length <= shown ? names.join(", ") : `${names.slice(0, shown).join(", ")} and ${names.length - shown} more`;
}

/** Whether an EC2 instance type is a Graviton (arm64) type: a `g` in the suffix after the generation digit, or `a1` (the first Graviton). */
export function isGravitonInstanceType(instanceType: string): boolean {
  const family = instanceType.split(".")[0]!;
  const suffix = /^[a-z]+\d+([a-z-]*)$/.exec(family)?.[1] ?? "";
  return suffix.includes("g") || family === "a1";
}

/** Records derived from the model stay valid DNS: names fit, pins and policies make sense. */
export function checkDnsRecordInputs(spec: Pick<PlatformSpec, "groups" | "dns" | "services" | "dkim">): PlatformIssue[] {
  const found: PlatformIssue[] = [];
  const zoneNames = new Set(spec.dns?.zones.map((z) => z.name) ?? []);
  spec.groups.forEach((group, g) => {
    const dkim = groupDkimKey(spec, group);
    const prefixes = [
      ...DOMAIN_RECORD_PREFIXES,
      ...(dkim ? [`${dkim.selector}._domainkey.`, ...(dkim.retiring ? [`${dkim.retiring.selector}._domainkey.`] : [])] : []),
    ];
    group.domains.forEach((domain, d) => {
      const longest = prefixes.reduce((a, b) => (b.length > a.length ? b : a));
      if (longest.length + domain.name.length > 253) {
        found.push(
          issue(
            ["groups", g, "domains", d, "name"],
            domain.name,
            `too long for its records: ${longest}${domain.name} would have ${longest.length + domain.name.length} characters (DNS allows 253)`,
          ),
        );
      }
    });
    group.addresses.forEach((address, a) => {
      if (address.tlsaSpkiSha256 === undefined || !spec.dns) return;
      const zoneName = zoneOf(address.hostName, zoneNames);
      const zone = spec.dns.zones.find((z) => z.name === zoneName);
      if (zone && !zone.dnssec) {
        found.push(
          issue(
            ["groups", g, "addresses", a, "tlsaSpkiSha256"],
            address.tlsaSpkiSha256,
            `zone ${zone.name} is not marked dnssec: a TLSA record without DNSSEC protects nothing; set dnssec: true on the zone or remove the pin`,
          ),
        );
      }
    });
    if (dkim?.retiring && dkim.retiring.selector === dkim.selector) {
      const path = group.dkim ? ["groups", g, "dkim", "retiring", "selector"] : ["dkim", "retiring", "selector"];
      found.push(issue(path, dkim.retiring.selector, "the retiring key needs its own selector (both keys are published side by side)"));
    }
  });
  if (spec.dns?.mtaSts && !spec.services.smtp) {
    found.push(issue(["dns", "mtaSts"], "(set)", "MTA-STS protects inbound mail on port 25, and services.smtp is off; remove it or switch smtp on"));
  }
  if (spec.dns?.clientAutoconfig && !clientServicesComplete(spec.services)) {
    found.push(
      issue(
        ["dns", "clientAutoconfig"],
        "(set)",
        "client autoconfiguration describes how to read and send mail: switch on at least one of imaps, imap, pop3s, pop3 and one of submissions, submission, or remove it",
      ),
    );
  }
  return dedupeIssues(found);
}

function dedupeIssues(found: PlatformIssue[]): PlatformIssue[] {
  const seen = new Set<string>();
  return found.filter((i) => {
    const key = `${i.path}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Zones cover every group domain and address host name; zone names are unique. */
export function checkDnsZones(spec: Pick<PlatformSpec, "groups" | "dns">): PlatformIssue[] {
  if (!spec.dns) return [];
  const found: PlatformIssue[] = [];
  const zoneNames = spec.dns.zones.map((z) => z.name);
  const zoneSet = new Set(zoneNames);
  const first = new Map<string, number>();
  zoneNames.forEach((name, i) => {
    if (first.has(name)) found.push(issue(["dns", "zones", i, "name"], name, `each zone once; already listed at dns.zones[${first.get(name)}].name`));
    else first.set(name, i);
  });
  const outside = (path: PathSegment[], name: string) =>
    zoneOf(name, zoneSet) === undefined ? [issue(path, name, `lies in none of the zones (${someOf(zoneNames)}); add its zone to dns.zones`)] : [];
  spec.groups.forEach((group, g) => {
    group.domains.forEach((d, i) => found.push(...outside(["groups", g, "domains", i, "name"], d.name)));
    group.addresses.forEach((a, i) => found.push(...outside(["groups", g, "addresses", i, "hostName"], a.hostName)));
  });
  return found;
}

/** AWS placement is complete and consistent with the mail model. */
export function checkAws(spec: Pick<PlatformSpec, "hosts" | "groups" | "aws">): PlatformIssue[] {
  const { aws } = spec;
  if (!aws) return [];
  const found: PlatformIssue[] = [];
  const hostNames = spec.hosts.map((h) => h.name);
  for (const host of hostNames) {
    // Own keys only: `in` would find "constructor" or "toString" on Object.prototype for a host of that name.
    if (!Object.hasOwn(aws.hosts, host)) found.push(issue(["aws", "hosts"], Object.keys(aws.hosts), `every host needs a placement; missing "${host}"`));
  }
  for (const [name, placement] of Object.entries(aws.hosts)) {
    if (!hostNames.includes(name)) found.push(issue(["aws", "hosts", name], name, `expected one of the hosts: ${hostNames.join(", ")}`));
    const graviton = isGravitonInstanceType(placement.instanceType);
    if (graviton !== (placement.architecture === "arm64")) {
      found.push(
        issue(
          ["aws", "hosts", name, "architecture"],
          placement.architecture,
          `instance type ${placement.instanceType} is ${graviton ? "arm64" : "x86_64"}; set architecture to match`,
        ),
      );
    }
  }
  const groupNames = spec.groups.map((g) => g.name);
  const seenAddress = new Set<string>();
  const seenAllocation = new Set<string>();
  aws.adoptElasticIps.forEach((eip, i) => {
    const path = ["aws", "adoptElasticIps", i];
    if (!hostNames.includes(eip.host)) found.push(issue([...path, "host"], eip.host, `expected one of the hosts: ${hostNames.join(", ")}`));
    if (!groupNames.includes(eip.group)) found.push(issue([...path, "group"], eip.group, `expected one of the groups: ${groupNames.join(", ")}`));
    const key = `${eip.host}/${eip.group}`;
    if (seenAddress.has(key)) found.push(issue(path, key, "one Elastic IP per group address; this address already has one"));
    if (seenAllocation.has(eip.allocationId))
      found.push(issue([...path, "allocationId"], eip.allocationId, "an Elastic IP can be adopted for one address only"));
    seenAddress.add(key);
    seenAllocation.add(eip.allocationId);
  });
  const mailPorts = new Set(SERVICES.map((s) => s.port));
  const wideOpen = adminExposure(aws.extraIngress).mayBeAcknowledged;
  const firstOfRule = new Map<string, number>();
  aws.extraIngress.forEach((rule, i) => {
    // A rule is named by its port and network (its construct id): each pair once, as AWS requires.
    const same = firstOfRule.get(`${rule.port} ${rule.cidr}`);
    if (same !== undefined) {
      found.push(
        issue(
          ["aws", "extraIngress", i],
          `${rule.port} from ${rule.cidr}`,
          `the same port and network as aws.extraIngress[${same}]; each port and network once (AWS refuses duplicate rules)`,
        ),
      );
    } else firstOfRule.set(`${rule.port} ${rule.cidr}`, i);
    const [network, bits] = rule.cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    if (ipv4ToNumber(network!) % size !== 0) {
      found.push(
        issue(
          ["aws", "extraIngress", i, "cidr"],
          rule.cidr,
          `host bits are set; the network is ${numberToIpv4(ipv4ToNumber(network!) - (ipv4ToNumber(network!) % size))}/${bits}`,
        ),
      );
    }
    const adminFromAnywhere = [22, 80, 3389].includes(rule.port) && rule.cidr === "0.0.0.0/0";
    if (adminFromAnywhere && rule.acknowledgement === undefined) {
      found.push(
        issue(
          ["aws", "extraIngress", i, "acknowledgement"],
          undefined,
          `port ${rule.port} open to anywhere needs a written reason (or narrow the cidr to your network)`,
        ),
      );
    }
    if (!adminFromAnywhere && !wideOpen.has(i) && rule.acknowledgement !== undefined) {
      found.push(
        issue(
          ["aws", "extraIngress", i, "acknowledgement"],
          rule.acknowledgement,
          "only SSH, HTTP or RDP open to anywhere (or, with the other rules of the port, to more than a /8 of public addresses) need an acknowledgement; remove it",
        ),
      );
    }
    if (mailPorts.has(rule.port)) {
      found.push(issue(["aws", "extraIngress", i, "port"], rule.port, "mail ports are opened by services; do not open them again here"));
    }
  });
  return found;
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}
