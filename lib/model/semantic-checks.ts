/**
 * Models that are well-formed field by field but cannot deploy (they break a documented limit of
 * AWS or of the hosts, see aws-limits.ts) or do not do what they say (a rule that is never
 * consulted, a pin that is no hash, a header whose removal breaks mail). Each check names the
 * sections it reads; cross-checks.ts runs it whenever those sections are valid on their own, and
 * every message says what is allowed and, for a limit, where the limit is documented.
 */
import { memoizedByText } from "./memo";
import { createHash, createPublicKey } from "crypto";
import { isDeprecatedProtocol } from "../tls/profiles";
import {
  CREATED_ZONE_ID_CHARACTERS,
  hostRolePolicyCharacters,
  ipv4AddressesPerInterface,
  LIMITS,
  PLATFORM_TAG_KEYS,
  PLATFORM_TAGS_PER_RESOURCE,
  RESERVED_BUCKET_PREFIXES,
  RESERVED_BUCKET_SUFFIXES,
  sourceOf,
  typesOfFamily,
} from "./aws-limits";
import { acmeScope, type AcmeScope } from "./acme-scope";
import { passwordParameterPrefix } from "./accounts-schema";
import { certificateNames } from "./certificate-names";
import { someOf } from "./deployment-checks";
import { dkimTxtValue } from "./dkim-key";
import { adminExposure } from "./ingress-coverage";
import { issue, type PathSegment, type PlatformIssue } from "./issues";
import type { PlatformSpec } from "./schema";
import { zoneOf } from "./zones";

type SectionName = keyof PlatformSpec;

/** A check and the sections it reads (the shape cross-checks.ts runs). */
export interface SemanticCheck {
  readonly sections: readonly SectionName[];
  readonly run: (spec: PlatformSpec) => PlatformIssue[];
}

/** A check that reads `sections` of the model, and only those. */
export function check<K extends SectionName>(sections: readonly K[], run: (spec: Pick<PlatformSpec, K>) => PlatformIssue[]): SemanticCheck {
  return { sections, run };
}

/** A number as people read it: 16,384. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

// ---------------------------------------------------------------------------------------------
// DKIM keys in use: where each is given, so that limits on them are reported at that field.

/** One DKIM key given in the model, and where. */
export interface KeyField {
  /** Its private-key parameter name. */
  readonly parameter: string;
  /** Its public key. */
  readonly publicKey: string;
  /** The public key of the key being retired, still published while it is. */
  readonly retiringPublicKey?: string;
  /** Path of the key object: `["dkim"]` or `["groups", g, "dkim"]`. */
  readonly path: PathSegment[];
}

/** Every DKIM key the model gives (the platform's first, then each group's), used or not. */
export function givenKeys(spec: Pick<PlatformSpec, "groups" | "dkim">): KeyField[] {
  const keys: KeyField[] = [];
  const add = (key: NonNullable<PlatformSpec["dkim"]>, path: PathSegment[]) =>
    keys.push({ parameter: key.privateKeyParameter, publicKey: key.publicKey, ...(key.retiring ? { retiringPublicKey: key.retiring.publicKey } : {}), path });
  if (spec.dkim) add(spec.dkim, ["dkim"]);
  spec.groups.forEach((group, g) => {
    if (group.dkim) add(group.dkim, ["groups", g, "dkim"]);
  });
  return keys;
}

/** The keys that sign: each group's own, and the platform's when some group has none. */
function keysInUse(spec: Pick<PlatformSpec, "groups" | "dkim">): KeyField[] {
  const platformUsed = spec.groups.some((g) => g.dkim === undefined);
  return givenKeys(spec).filter((k) => k.path.length > 1 || platformUsed);
}

/** The distinct private-key parameters that sign, each with the first field that names it. */
export function parametersInUse(spec: Pick<PlatformSpec, "groups" | "dkim">): KeyField[] {
  const seen = new Set<string>();
  return keysInUse(spec).filter((k) => !seen.has(k.parameter) && seen.add(k.parameter));
}

/** Where to report a problem that many DKIM key parameters cause together. */
export function parametersPath(parameters: readonly KeyField[]): PathSegment[] {
  return parameters.length === 1
    ? [...parameters[0]!.path, "privateKeyParameter"]
    : parameters.some((p) => p.path.length > 1)
      ? ["groups"]
      : ["dkim", "privateKeyParameter"];
}

// ---------------------------------------------------------------------------------------------
// EC2: one network interface per host carries one private address per group.

function smallerHint(instanceType: string, needed: number): string {
  const family = instanceType.split(".")[0]!;
  const fitting = typesOfFamily(family).find(([, limit]) => limit >= needed);
  return fitting
    ? `choose ${fitting[0]} (${fitting[1]} addresses) or larger, or fewer groups`
    : `choose an instance type of another family (the largest carry ${LIMITS.ipv4AddressesPerInterface.value}), or fewer groups`;
}

const addressesPerInterface = check(["hosts", "groups", "aws"], ({ hosts, groups, aws }) => {
  if (!aws) return [];
  const found: PlatformIssue[] = [];
  for (const host of hosts) {
    if (!Object.hasOwn(aws.hosts, host.name)) continue;
    const { instanceType } = aws.hosts[host.name]!;
    const limit = ipv4AddressesPerInterface(instanceType);
    // The groups' addresses on this host, all on the host's one network interface.
    const needed = groups.filter((g) => g.addresses.some((a) => a.host === host.name)).length;
    if (limit === undefined || needed <= limit) continue;
    found.push(
      issue(
        ["aws", "hosts", host.name, "instanceType"],
        instanceType,
        `host ${host.name} carries its groups' addresses on one network interface: ${needed} private IPv4 addresses, and ${instanceType} allows ${limit} per interface (${sourceOf(LIMITS.ipv4AddressesPerInterface)}); ${smallerHint(instanceType, needed)}`,
      ),
    );
  }
  return found;
});

// ---------------------------------------------------------------------------------------------
// Tags, the config bucket. (The size of the EC2 user data and the names of the DKIM key
// parameters need the rendered first-boot script and key files: lib/validation/rendered-checks.ts.)

/** The config bucket's name, as MailPlatform chooses it. */
export function configBucketName(spec: Pick<PlatformSpec, "name" | "aws">): string | undefined {
  return spec.aws ? (spec.aws.configBucket ?? `${spec.name}-config-${spec.aws.vpcId}`) : undefined;
}

const tags = check(["aws"], ({ aws }) => {
  if (!aws) return [];
  const found: PlatformIssue[] = [];
  const keys = Object.keys(aws.tags);
  const allowed = LIMITS.tagsPerResource.value - PLATFORM_TAGS_PER_RESOURCE;
  if (keys.length > allowed) {
    found.push(
      issue(
        ["aws", "tags"],
        `${keys.length} tags`,
        `at most ${allowed} tags: AWS allows ${LIMITS.tagsPerResource.value} ${LIMITS.tagsPerResource.what} (${sourceOf(LIMITS.tagsPerResource)}), and the platform sets ${PLATFORM_TAGS_PER_RESOURCE} itself on each data volume (${PLATFORM_TAG_KEYS.join(", ")})`,
      ),
    );
  }
  for (const key of keys) {
    if (key.toLowerCase().startsWith("aws:")) {
      found.push(
        issue(
          ["aws", "tags", key],
          key,
          `tag keys starting with "aws:" (in any case) are reserved for AWS's own tags (${sourceOf(LIMITS.tagsPerResource)}); choose another key`,
        ),
      );
    } else if ((PLATFORM_TAG_KEYS as readonly string[]).includes(key)) {
      found.push(
        issue(
          ["aws", "tags", key],
          aws.tags[key],
          `the platform sets the ${key} tag itself (${key === "Name" ? "the name of each resource" : "it finds and snapshots the data volumes by it"}); yours would be replaced on some resources and kept on others; choose another key`,
        ),
      );
    }
  }
  return found;
});

/** Why S3 refuses a bucket name, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > LIMITS.bucketNameCharacters.value) return `3 to ${LIMITS.bucketNameCharacters.value} characters`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "not formatted as an IP address";
  const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `not starting with "${prefix}", which S3 reserves`;
  const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `not ending with "${suffix}", which S3 reserves`;
  return undefined;
}

const configBucket = check(["name", "aws"], (spec) => {
  const bucket = configBucketName(spec);
  if (!spec.aws || bucket === undefined) return [];
  const problem = bucketNameProblem(bucket);
  if (!problem) return [];
  const source = sourceOf(LIMITS.bucketNameCharacters);
  return [
    spec.aws.configBucket !== undefined
      ? issue(["aws", "configBucket"], bucket, `expected an S3 bucket name ${problem} (${source})`)
      : issue(
          ["aws", "configBucket"],
          undefined,
          `the default bucket name "${bucket}" (<name>-config-<vpcId>) must be ${problem} (${source}); set aws.configBucket to another name`,
        ),
  ];
});

/** A field path as messages write it: `groups[0].dkim.privateKeyParameter`. */
export function pathText(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

// ---------------------------------------------------------------------------------------------
// DKIM keys receivers can verify; TXT values Route53 takes.

/** The RSA modulus length of a public key text (remembered per text: an OpenSSL parse each time is costly). */
const rsaBits = memoizedByText((text: string): number | undefined => {
  try {
    const trimmed = text.trim();
    const key = trimmed.startsWith("-----BEGIN")
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "spki" });
    return key.asymmetricKeyType === "rsa" ? key.asymmetricKeyDetails?.modulusLength : undefined;
  } catch {
    return undefined;
  }
});

/** Characters of a TXT value as Route53 receives it: its character-strings of up to 255 bytes, each in quotes. */
export function route53TxtCharacters(value: string): number {
  const bytes = Buffer.byteLength(value, "utf8");
  return value.length + 2 * Math.max(1, Math.ceil(bytes / 255));
}

function txtTooLong(path: PathSegment[], received: unknown, what: string, value: string): PlatformIssue[] {
  const characters = route53TxtCharacters(value);
  const limit = LIMITS.recordValueCharacters;
  return characters <= limit.value
    ? []
    : [
        issue(
          path,
          received,
          `the ${what} TXT value would have ${count(characters)} characters with its quotes; Route53 takes at most ${count(limit.value)} (${sourceOf(limit)})`,
        ),
      ];
}

const dkimKeys = check(["groups", "dkim", "dns"], (spec) => {
  const found: PlatformIssue[] = [];
  for (const key of givenKeys(spec)) {
    const entries: Array<[PathSegment[], string]> = [[[...key.path, "publicKey"], key.publicKey]];
    if (key.retiringPublicKey !== undefined) entries.push([[...key.path, "retiring", "publicKey"], key.retiringPublicKey]);
    for (const [path, publicKey] of entries) {
      const bits = rsaBits(publicKey);
      if (bits !== undefined && bits > LIMITS.dkimRsaBits.value) {
        found.push(
          issue(
            path,
            publicKey,
            `an RSA key of at most ${LIMITS.dkimRsaBits.value} bits: receivers must verify keys up to ${LIMITS.dkimRsaBits.value} bits and may fail larger ones (${sourceOf(LIMITS.dkimRsaBits)}); this one has ${bits}`,
          ),
        );
      } else if (spec.dns) {
        found.push(...txtTooLong(path, publicKey, "DKIM", dkimTxtValue(publicKey)));
      }
    }
  }
  return found;
});

const reportTxt = check(["dns"], ({ dns }) => {
  if (!dns) return [];
  // The values as lib/plan/dns-records.ts writes them.
  const dmarc = `v=DMARC1; p=${dns.dmarc.policy}${dns.dmarc.aggregateReports.length > 0 ? `; rua=${dns.dmarc.aggregateReports.map((a) => `mailto:${a}`).join(",")}` : ""}`;
  const tlsRpt = `v=TLSRPTv1; rua=${dns.tlsReports.map((a) => `mailto:${a}`).join(",")}`;
  return [
    ...txtTooLong(["dns", "dmarc", "aggregateReports"], dns.dmarc.aggregateReports, "DMARC", dmarc),
    ...(dns.tlsReports.length > 0 ? txtTooLong(["dns", "tlsReports"], dns.tlsReports, "TLS-RPT", tlsRpt) : []),
  ];
});

// ---------------------------------------------------------------------------------------------
// IAM: each host role's inline policies together.

/** The inline policies of one host's role, as the constructs will write them. */
export interface HostRolePolicySize {
  /** The host. */
  readonly host: string;
  /** The zones of its certificate names, each once. */
  readonly zones: readonly string[];
  /** The DKIM key parameters it reads. */
  readonly parameters: readonly KeyField[];
  /** Whether its ACME statement lists the zones or names every zone, and the challenge names (acme-scope.ts). */
  readonly acme: AcmeScope;
  /** Characters of all its inline policies (created zones' ids counted at {@link CREATED_ZONE_ID_CHARACTERS}). */
  readonly characters: number;
}

/**
 * The size of every host role's inline policies, with the shape of each role's ACME statement
 * decided as HostRole decides it (acmeScope with the same inputs). Empty without the aws and dns
 * sections or a config bucket name.
 */
export function hostRolePolicySizes(
  spec: Pick<PlatformSpec, "name" | "hosts" | "groups" | "services" | "dkim" | "dns" | "aws" | "accounts">,
): HostRolePolicySize[] {
  const bucket = configBucketName(spec);
  if (!spec.aws || !spec.dns || bucket === undefined) return [];
  const givenIds = new Map(spec.dns.zones.flatMap((z) => (z.route53ZoneId ? [[z.name, z.route53ZoneId] as const] : [])));
  const parameters = parametersInUse(spec);
  const parameterNames = parameters.map((p) => p.parameter);
  const zoneNames = new Set(spec.dns.zones.map((z) => z.name)); // once for every host: a provider has thousands
  // The role reads the password hashes when there is a mailbox.
  const passwordPath = spec.groups.some((g) => g.mailboxes.length > 0) ? passwordParameterPrefix(spec) : undefined;
  return spec.hosts.map((host) => {
    const names = certificateNames(spec, host.name);
    // The zones of the host's certificate names, as certificateZones() finds them.
    const zones = [...new Set(names.flatMap((name) => zoneOf(name, zoneNames) ?? []))];
    const bundleObjectsArn = `arn:aws:s3:::${bucket}/bundles/${host.name}/*`;
    const acme = acmeScope({ zoneIds: zones.map((z) => givenIds.get(z)), certificateNames: names, parameters: parameterNames, bundleObjectsArn, passwordPath });
    const zoneIds = zones.map((z) => givenIds.get(z) ?? "Z".padEnd(CREATED_ZONE_ID_CHARACTERS, "0"));
    const statement = { zones: acme.allZones ? ("all" as const) : zoneIds, recordNames: acme.recordNames };
    const characters = hostRolePolicyCharacters(statement, parameterNames, bundleObjectsArn, passwordPath);
    return { host: host.name, zones, parameters, acme, characters };
  });
}

const rolePolicies = check(["name", "hosts", "groups", "services", "dkim", "dns", "aws", "accounts"], (spec) => {
  const found: PlatformIssue[] = [];
  const limit = LIMITS.rolePolicyCharacters;
  for (const { host, zones, parameters, acme, characters } of hostRolePolicySizes(spec)) {
    // The ACME statement names every zone when the zones do not fit, so what is left over is
    // the DKIM key parameters (named twice: read, and excepted from the deny).
    if (characters <= limit.value) continue;
    const acmeShare = acme.allZones
      ? `ACME challenges in every hosted zone, as its ${zones.length} zone(s) do not fit`
      : `${zones.length} zone(s) for ACME challenges`;
    const byParameters = parameters.length > 0;
    found.push(
      issue(
        byParameters ? parametersPath(parameters) : ["accounts", "passwordParameterPrefix"],
        byParameters ? `${parameters.length} DKIM key parameter(s)` : passwordParameterPrefix(spec),
        `the inline policies of host ${host}'s IAM role would have ${count(characters)} characters (${acmeShare}, ${parameters.length} DKIM key parameter(s) named twice); IAM allows ${count(limit.value)} per role (${sourceOf(limit)}); ${byParameters ? "use shorter DKIM key parameter names or fewer distinct keys" : "use a shorter password parameter prefix"}`,
      ),
    );
  }
  return found;
});

// ---------------------------------------------------------------------------------------------
// Groups kept apart; zones that resolve.

/** The longest key of `names` that is `name` or a parent of it (zoneOf over a map's keys). */
function enclosingName(name: string, names: ReadonlyMap<string, unknown>): string | undefined {
  for (let at = 0; ;) {
    const candidate = name.slice(at);
    if (names.has(candidate)) return candidate;
    const dot = name.indexOf(".", at);
    if (dot < 0) return undefined;
    at = dot + 1;
  }
}

const hostNamesOfOtherGroups = check(["groups"], ({ groups }) => {
  // A domain listed twice, or a host name used twice, is reported by the uniqueness checks.
  // Domain → owning group (the first that lists it); a provider's groups hold thousands of domains.
  const owner = new Map<string, number>();
  groups.forEach((group, g) => {
    for (const d of group.domains) if (!owner.has(d.name)) owner.set(d.name, g);
  });
  const hostNameUses = new Map<string, number>();
  for (const group of groups) for (const address of group.addresses) hostNameUses.set(address.hostName, (hostNameUses.get(address.hostName) ?? 0) + 1);
  const found: PlatformIssue[] = [];
  groups.forEach((group, g) =>
    group.addresses.forEach((address, a) => {
      if (hostNameUses.get(address.hostName)! > 1) return;
      const domain = enclosingName(address.hostName, owner);
      const ownerGroup = domain === undefined ? undefined : owner.get(domain);
      if (ownerGroup === undefined || ownerGroup === g) return;
      const at = `groups[${ownerGroup}].domains[${groups[ownerGroup]!.domains.findIndex((d) => d.name === domain)}].name`;
      const how = domain === address.hostName ? "is" : "lies inside";
      found.push(
        issue(
          ["groups", g, "addresses", a, "hostName"],
          address.hostName,
          `${how} ${domain}, a domain of group ${groups[ownerGroup]!.name} (${at}): group ${group.name}'s mail would be named after another group's domain (HELO, PTR, certificate), so a blocklisting or a spam run of one group would hit the other's domain; use a name in one of group ${group.name}'s own domains or in a domain that is no group's`,
        ),
      );
    }),
  );
  return found;
});

const nestedZones = check(["dns"], ({ dns }) => {
  if (!dns) return [];
  // Zone name → index (the first listing; duplicates are checkDnsZones's): one map for thousands of zones.
  const byName = new Map<string, number>();
  dns.zones.forEach((z, i) => byName.has(z.name) || byName.set(z.name, i));
  const found: PlatformIssue[] = [];
  dns.zones.forEach((zone, i) => {
    const dot = zone.name.indexOf(".");
    const parentName = enclosingName(zone.name.slice(dot + 1), byName);
    if (parentName === undefined || parentName === zone.name) return;
    const parent = { zone: dns.zones[byName.get(parentName)!]!, index: byName.get(parentName)! };
    if (zone.route53ZoneId !== undefined && parent.zone.route53ZoneId !== undefined) return; // both exist: their delegation is the operator's
    const created = [zone.route53ZoneId === undefined ? zone.name : undefined, parent.zone.route53ZoneId === undefined ? parentName : undefined]
      .filter((n) => n !== undefined)
      .join(" and ");
    found.push(
      issue(
        ["dns", "zones", i, "name"],
        zone.name,
        `lies inside zone ${parentName} (dns.zones[${parent.index}].name), and the platform creates ${created} without delegating ${zone.name} from ${parentName} (it writes no NS records into the parent), so resolvers would never see ${zone.name}'s records; remove ${zone.name} (its names then belong to ${parentName}), or give both zones the route53ZoneId of existing hosted zones whose delegation you manage`,
      ),
    );
  });
  return found;
});

/** SHA-256 of empty input: what `… | sha256sum` prints when the command before it printed nothing. */
const SHA256_OF_NOTHING = createHash("sha256").update("").digest("hex");

/** Why a TLSA pin cannot be the SHA-256 of a real key, or undefined. */
export function pinProblem(pin: string): string | undefined {
  if (pin === SHA256_OF_NOTHING)
    return "this is the SHA-256 of empty input: the command that computed it read nothing (was fullchain.pem there?); compute it again";
  for (let period = 1; period <= 16; period++) {
    if (
      pin
        .slice(0, period)
        .repeat(64 / period)
        .slice(0, 64) === pin
    ) {
      return `a pattern repeated (${JSON.stringify(pin.slice(0, period))}) is no SHA-256 of a key; compute the pin with openssl x509 -in fullchain.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum`;
    }
  }
  return undefined;
}

const tlsaPins = check(["groups"], ({ groups }) =>
  groups.flatMap((group, g) =>
    group.addresses.flatMap((address, a) => {
      const problem = address.tlsaSpkiSha256 === undefined ? undefined : pinProblem(address.tlsaSpkiSha256);
      return problem ? [issue(["groups", g, "addresses", a, "tlsaSpkiSha256"], address.tlsaSpkiSha256, problem)] : [];
    }),
  ),
);

// ---------------------------------------------------------------------------------------------
// Outbound TLS.

const DEPRECATED = "TLS 1.0/1.1 are deprecated by RFC 8996; use TLSv1.2 or set tls.legacyAcknowledgement to a written reason";

const outboundTls = check(["tls", "outbound"], ({ tls, outbound }) => {
  const found: PlatformIssue[] = [];
  const legacy: Array<[PathSegment[], string]> = [];
  if (isDeprecatedProtocol(outbound.minProtocol)) legacy.push([["outbound", "minProtocol"], outbound.minProtocol]);
  outbound.tlsRules.forEach((rule, i) => {
    if (isDeprecatedProtocol(rule.minProtocol)) legacy.push([["outbound", "tlsRules", i, "minProtocol"], rule.minProtocol]);
  });
  if (outbound.relayHost && isDeprecatedProtocol(outbound.relayHost.minProtocol))
    legacy.push([["outbound", "relayHost", "minProtocol"], outbound.relayHost.minProtocol]);
  if (tls.legacyAcknowledgement === undefined) for (const [path, value] of legacy) found.push(issue(path, value, DEPRECATED));

  const profiles = [tls.profile, ...(tls.clientProfile === undefined ? [] : [tls.clientProfile])];
  const serverLegacy =
    profiles.includes("legacy-2015") || (profiles.includes("custom") && tls.custom !== undefined && isDeprecatedProtocol(tls.custom.minProtocol));
  if (tls.legacyAcknowledgement !== undefined && !serverLegacy && legacy.length === 0) {
    found.push(
      issue(
        ["tls", "legacyAcknowledgement"],
        tls.legacyAcknowledgement,
        "neither a profile nor an outbound setting allows TLS 1.0/1.1; remove the acknowledgement",
      ),
    );
  }

  if (outbound.relayHost) {
    if (outbound.tlsRules.length > 0) {
      found.push(
        issue(
          ["outbound", "tlsRules"],
          outbound.tlsRules.map((r) => r.destination),
          `all outbound mail goes to the relay host ${outbound.relayHost.host} (outbound.relayHost), and Postfix looks up TLS rules by that next hop, so these rules are never consulted; remove them, or set the TLS requirement on the relay (outbound.relayHost.level)`,
        ),
      );
    }
    if (outbound.relayHost.authenticate && outbound.relayHost.level === "may") {
      found.push(
        issue(
          ["outbound", "relayHost", "level"],
          outbound.relayHost.level,
          "with authenticate: true the relay password goes over this connection, and level may sends it in plaintext when STARTTLS is missing or stripped by an attacker; use encrypt, verify or dane",
        ),
      );
    }
  }
  return found;
});

// ---------------------------------------------------------------------------------------------
// DNSBL reply filters, stripped headers.

/** Why a postscreen reply filter (syntax already checked) can never match as meant, or undefined. */
export function replyFilterProblem(filter: string): string | undefined {
  const octets = filter.match(/\[[^\]]*\]|[^.[\]]+/g) ?? [];
  for (const [i, octet] of octets.entries()) {
    const where = `octet ${i + 1} (${octet})`;
    const range = /^\[(\d+)\.\.(\d+)\]$/.exec(octet);
    const numbers = (range ? [range[1]!, range[2]!] : octet.replace(/[[\]]/g, "").split(";")).map(Number);
    const over = numbers.find((n) => n > 255);
    if (over !== undefined) return `${where}: ${over} is over 255, and no reply address has it`;
    if (range && numbers[0]! > numbers[1]!) return `${where}: the range is empty (${numbers[0]} > ${numbers[1]}); write [${numbers[1]}..${numbers[0]}]`;
  }
  return undefined;
}

const replyFilters = check(["dnsbl"], ({ dnsbl }) =>
  dnsbl.sites.flatMap((site, i) => {
    const problem = site.replyFilter === undefined ? undefined : replyFilterProblem(site.replyFilter);
    return problem ? [issue(["dnsbl", "sites", i, "replyFilter"], site.replyFilter, problem)] : [];
  }),
);

/**
 * Headers submitted mail cannot lose. From and Date are the two fields RFC 5322 (3.6) requires;
 * Message-ID is one it expects and large receivers refuse mail without; MIME-Version,
 * Content-Type and Content-Transfer-Encoding say how to read the body (RFC 2045), and without
 * them attachments and non-ASCII text turn into garbage; Received includes the trace header
 * Postfix adds itself (RFC 5321 4.4, and its loop detection counts them) — hiding the user's
 * address in it is privacy.hideClientIpInReceived. DKIM-Signature is not here: Postfix applies
 * these checks to the message as submitted, not to the signature OpenDKIM adds.
 */
export const REQUIRED_HEADERS: ReadonlyMap<string, string> = new Map([
  ["from", "RFC 5322 requires it (3.6): it names the author, and DMARC judges the mail by it"],
  ["date", "RFC 5322 requires it (3.6)"],
  ["message-id", "RFC 5322 expects it (3.6.4), and large receivers refuse mail without one"],
  ["mime-version", "it says the body is MIME (RFC 2045); without it attachments and non-ASCII text are unreadable"],
  ["content-type", "it says how to read the body (RFC 2045); without it attachments and non-ASCII text are unreadable"],
  ["content-transfer-encoding", "it says how the body is encoded (RFC 2045); without it base64 and quoted-printable parts are unreadable"],
  [
    "received",
    "it is the trace of the mail (RFC 5321 4.4), the one Postfix adds included, and Postfix's loop detection counts it; to hide the user's address use privacy.hideClientIpInReceived",
  ],
]);

const strippedHeaders = check(["privacy"], ({ privacy }) =>
  privacy.stripHeaders.flatMap((header, i) => {
    const why = REQUIRED_HEADERS.get(header.toLowerCase());
    return why ? [issue(["privacy", "stripHeaders", i], header, `submitted mail cannot lose ${header}: ${why}; remove it from the list`)] : [];
  }),
);

// ---------------------------------------------------------------------------------------------
// Administration ports opened piecewise; acknowledgements that say something; certificates.

const adminIngress = check(["aws"], ({ aws }) => {
  if (!aws) return [];
  const { needAcknowledgement } = adminExposure(aws.extraIngress);
  return [...needAcknowledgement].map(([i, opening]) => {
    const others = opening.together.filter((j) => j !== i).map((j) => `aws.extraIngress[${j}]`);
    const how = others.length === 0 ? "this rule opens" : `together with ${someOf(others)} this rule opens`;
    return issue(
      ["aws", "extraIngress", i, "acknowledgement"],
      undefined,
      `${how} port ${opening.port} to ${count(opening.publicAddresses)} public addresses, more than a /8 (${count(2 ** 24)}): that is the internet in pieces, and needs a written reason as 0.0.0.0/0 does (or narrow the cidr to your network)`,
    );
  });
});

/** Letters that display as nothing: Hangul fillers. */
const INVISIBLE_LETTERS = /[\u115F\u1160\u3164\uFFA0]/u;

/** Visible letters and digits of a text. */
export function visibleLetters(text: string): number {
  let n = 0;
  for (const char of text) if (/[\p{L}\p{N}]/u.test(char) && !INVISIBLE_LETTERS.test(char)) n += 1;
  return n;
}

/** The least visible letters and digits of a written reason. */
export const MIN_ACKNOWLEDGEMENT_LETTERS = 10;

function acknowledgementIssue(path: PathSegment[], text: string | undefined): PlatformIssue[] {
  if (text === undefined) return [];
  const letters = visibleLetters(text);
  return letters >= MIN_ACKNOWLEDGEMENT_LETTERS
    ? []
    : [
        issue(
          path,
          text,
          `expected a written reason with at least ${MIN_ACKNOWLEDGEMENT_LETTERS} visible letters or digits; this one has ${letters} (blanks, punctuation, zero-width and other invisible characters do not count)`,
        ),
      ];
}

const tlsAcknowledgements = check(["tls"], ({ tls }) => [
  ...acknowledgementIssue(["tls", "legacyAcknowledgement"], tls.legacyAcknowledgement),
  ...acknowledgementIssue(["tls", "custom", "weakCipherAcknowledgement"], tls.custom?.weakCipherAcknowledgement),
]);

const awsAcknowledgements = check(["aws"], ({ aws }) =>
  aws ? aws.extraIngress.flatMap((rule, i) => acknowledgementIssue(["aws", "extraIngress", i, "acknowledgement"], rule.acknowledgement)) : [],
);

/** Directories every local user may write to (sticky or not): a certificate there can be replaced by anyone on the host. */
export const WORLD_WRITABLE_DIRECTORIES: readonly string[] = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue"];

const certificateDirectory = check(["tls"], ({ tls }) => {
  const normal = `/${tls.certificateDirectory
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/")}`;
  const under = WORLD_WRITABLE_DIRECTORIES.find((d) => normal === d || normal.startsWith(`${d}/`));
  if (!under) return [];
  return [
    issue(
      ["tls", "certificateDirectory"],
      tls.certificateDirectory,
      `${under} is writable by every local user, so anyone on the host could place or replace the private keys and certificates the mail services present (and a reboot may empty it); use a directory only root writes, such as /etc/letsencrypt/live`,
    ),
  ];
});

/** Every check of this module, in the order cross-checks.ts runs them. */
export const SEMANTIC_CHECKS: readonly SemanticCheck[] = [
  addressesPerInterface,
  tags,
  configBucket,
  dkimKeys,
  reportTxt,
  rolePolicies,
  hostNamesOfOtherGroups,
  nestedZones,
  tlsaPins,
  outboundTls,
  replyFilters,
  strippedHeaders,
  adminIngress,
  tlsAcknowledgements,
  awsAcknowledgements,
  certificateDirectory,
];
