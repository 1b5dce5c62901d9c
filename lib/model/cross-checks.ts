/**
 * Relations between fields that the schema alone cannot express.
 *
 * Each check names the top-level sections it reads. A check runs whenever those sections
 * are valid on their own, even if some other section has errors, so one run reports as many
 * problems as can be known at once.
 */
import type { analyseCipherString as AnalyseCipherString } from "../tls/cipher-string";
import { isDeprecatedProtocol, type TlsProfileName } from "../tls/profiles";
import { checkAws, checkDnsRecordInputs, checkDnsZones } from "./deployment-checks";
import { clientAutoconfigNames, mtaStsNames } from "./certificate-names";
import { issue, type PathSegment, type PlatformIssue } from "./issues";
import { ACCOUNTS_CHECKS } from "./accounts-checks";
import { CONTENT_FILTER_CHECKS } from "./content-filter-checks";
import { SENDING_LIMITS_CHECKS } from "./sending-limits-checks";
import { BLOCKLIST_WATCH_CHECKS } from "./blocklist-watch-checks";
import { OPERATOR_SETTINGS_CHECKS } from "./operator-settings-checks";
import { SEMANTIC_CHECKS, type SemanticCheck } from "./semantic-checks";
import { DomainSchema, GroupAddressSchema, GroupSchema, PlatformSchema, type PlatformSpec } from "./schema";

type SectionName = keyof PlatformSpec;

/**
 * The OpenSSL cipher analysis, loaded when a custom cipher string is first judged: it brings the
 * measured cipher tables of every OS, the largest module of the library, which a platform on the
 * named profiles never reads (every synthesis and validation would load it otherwise).
 */
const analyseCipherString: typeof AnalyseCipherString = (...args) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on first use only; see above
  (require("../tls/cipher-string") as typeof import("../tls/cipher-string")).analyseCipherString(...args);

interface CrossCheck<K extends SectionName> {
  readonly sections: readonly K[];
  readonly run: (spec: Pick<PlatformSpec, K>) => PlatformIssue[];
}

function check<K extends SectionName>(sections: readonly K[], run: CrossCheck<K>["run"]): CrossCheck<SectionName> {
  return { sections, run } as unknown as CrossCheck<SectionName>;
}

/** Report every value that occurs more than once, at each occurrence after the first. */
function duplicates<T>(
  entries: ReadonlyArray<{ value: T; path: PathSegment[] }>,
  key: (value: T) => string,
  describe: (value: T, firstPath: string) => string,
): PlatformIssue[] {
  const first = new Map<string, PathSegment[]>();
  const found: PlatformIssue[] = [];
  for (const entry of entries) {
    const k = key(entry.value);
    const seen = first.get(k);
    if (seen) found.push(issue(entry.path, entry.value, describe(entry.value, pathText(seen))));
    else first.set(k, entry.path);
  }
  return found;
}

function pathText(path: PathSegment[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

const uniqueHosts = check(["hosts"], (spec) =>
  duplicates(
    spec.hosts.map((h, i) => ({ value: h.name, path: ["hosts", i, "name"] })),
    (v) => v,
    (_v, first) => `host names must be unique; already used by ${first}`,
  ),
);

/**
 * A field value found in the raw input, with its path; only values valid on their own, and in
 * their normalized form (a name in A-labels), so that two spellings of one name are one value.
 */
interface FieldValue {
  value: string;
  path: PathSegment[];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

/** A field's validator: the normalized value when the raw value is valid on its own, else undefined. */
type Normalize = (value: unknown) => string | undefined;

function normalizedBy(schema: { safeParse(v: unknown): { success: true; data: unknown } | { success: false } }): Normalize {
  return (value: unknown) => {
    const result = schema.safeParse(value);
    return result.success ? String(result.data) : undefined;
  };
}

/**
 * Collect one kind of field from every group of the raw input, keeping only values that pass
 * their own validator, normalized as the validated model holds them. Uniqueness is then judged
 * even when an unrelated field of the same group is broken, so one run reports both problems.
 */
function groupFields(raw: unknown, pick: (group: unknown, g: number) => Array<{ value: unknown; path: PathSegment[] }>, normalize: Normalize): FieldValue[] {
  return asArray(field(raw, "groups")).flatMap((group, g) =>
    pick(group, g).flatMap((entry) => {
      const value = entry.value === undefined ? undefined : normalize(entry.value);
      return value === undefined ? [] : [{ value, path: entry.path }];
    }),
  );
}

function addressFields(raw: unknown, key: "privateIp" | "publicIp" | "hostName"): FieldValue[] {
  return groupFields(
    raw,
    (group, g) => asArray(field(group, "addresses")).map((address, a) => ({ value: field(address, key), path: ["groups", g, "addresses", a, key] })),
    normalizedBy(GroupAddressSchema.shape[key]),
  );
}

/** Uniqueness across groups, judged field by field on the raw input. */
function uniqueInGroups(raw: unknown): PlatformIssue[] {
  const names = groupFields(raw, (group, g) => [{ value: field(group, "name"), path: ["groups", g, "name"] }], normalizedBy(GroupSchema.shape.name));
  const domains = groupFields(
    raw,
    (group, g) => asArray(field(group, "domains")).map((domain, d) => ({ value: field(domain, "name"), path: ["groups", g, "domains", d, "name"] })),
    normalizedBy(DomainSchema.shape.name),
  );
  return [
    ...duplicates(
      names,
      (v) => v,
      (_v, first) => `group names must be unique; already used by ${first}`,
    ),
    ...duplicates(
      addressFields(raw, "privateIp"),
      (v) => v,
      (_v, first) => `each group address needs its own private IP; already used by ${first}`,
    ),
    ...duplicates(
      addressFields(raw, "publicIp"),
      (v) => v,
      (_v, first) => `each group address needs its own public IP; already used by ${first}`,
    ),
    ...duplicates(
      addressFields(raw, "hostName"),
      (v) => v,
      (_v, first) => `each address needs its own host name (one PTR per IP); already used by ${first}`,
    ),
    ...duplicates(
      domains,
      (v) => v,
      (_v, first) => `a domain belongs to exactly one group; already listed at ${first}`,
    ),
  ];
}

const oneAddressPerHost = check(["hosts", "groups"], (spec) => {
  const hostNames = new Set(spec.hosts.map((h) => h.name));
  const known = spec.hosts.map((h) => h.name).join(", ");
  const found: PlatformIssue[] = [];
  const carried = new Set<string>();
  spec.groups.forEach((group, g) => {
    const seen = new Set<string>();
    group.addresses.forEach((address, a) => {
      const path = ["groups", g, "addresses", a, "host"];
      if (!hostNames.has(address.host)) {
        found.push(issue(path, address.host, `expected one of the hosts: ${known}`));
      } else if (seen.has(address.host)) {
        found.push(issue(path, address.host, `a group has at most one address per host; "${address.host}" is listed twice`));
      }
      seen.add(address.host);
      carried.add(address.host);
    });
    if (group.home === undefined) return;
    if (!hostNames.has(group.home)) {
      found.push(issue(["groups", g, "home"], group.home, `expected one of the hosts: ${known}`));
    } else if (!seen.has(group.home)) {
      found.push(
        issue(
          ["groups", g, "home"],
          group.home,
          `the home host must carry one of the group's addresses (its mailboxes and listeners live there); the group has addresses on: ${[...seen].join(", ")}`,
        ),
      );
    }
  });
  spec.hosts.forEach((host, h) => {
    if (!carried.has(host.name)) {
      found.push(issue(["hosts", h, "name"], host.name, "every host carries at least one group's address (a host without one would serve nothing)"));
    }
  });
  return found;
});

const someService = check(["services"], (spec) =>
  Object.values(spec.services).some(Boolean) ? [] : [issue(["services"], spec.services, "expected at least one service switched on")],
);

const tlsPolicy = check(["tls", "hosts", "os"], ({ tls, hosts, os }) => {
  const found: PlatformIssue[] = [];
  const used: Array<[TlsProfileName, PathSegment[]]> = [[tls.profile, ["tls", "profile"]]];
  if (tls.clientProfile !== undefined) used.push([tls.clientProfile, ["tls", "clientProfile"]]);

  const usesCustom = used.some(([p]) => p === "custom");

  for (const [profile, path] of used) {
    if (profile === "custom" && tls.custom === undefined) {
      found.push(issue(path, profile, "the custom profile needs tls.custom (minProtocol and ciphers)"));
    }
    if (profile === "legacy-2015" && tls.legacyAcknowledgement === undefined) {
      found.push(
        issue(
          path,
          profile,
          "legacy-2015 allows TLS 1.0/1.1 (deprecated by RFC 8996); set tls.legacyAcknowledgement to a written reason, or choose intermediate",
        ),
      );
    }
  }
  if (tls.custom !== undefined && !usesCustom) {
    found.push(issue(["tls", "custom"], "(set)", "tls.custom is only read when profile or clientProfile is custom; remove it or choose custom"));
  }
  if (usesCustom && tls.custom !== undefined) {
    const { custom } = tls;
    if (isDeprecatedProtocol(custom.minProtocol) && tls.legacyAcknowledgement === undefined) {
      found.push(
        issue(
          ["tls", "custom", "minProtocol"],
          custom.minProtocol,
          "TLS 1.0/1.1 are deprecated by RFC 8996; use TLSv1.2 or set tls.legacyAcknowledgement to a written reason",
        ),
      );
    }
    // Judged by the OpenSSL of every OS the hosts run: the string must be right on each.
    const findings = analyseCipherString(
      custom.ciphers,
      hosts.map((h) => h.os ?? os),
    );
    for (const problem of findings.syntax) found.push(issue(["tls", "custom", "ciphers"], custom.ciphers, problem));
    if (findings.weak.length > 0 && custom.weakCipherAcknowledgement === undefined) {
      found.push(
        issue(
          ["tls", "custom", "ciphers"],
          custom.ciphers,
          `the cipher string can enable weak suites: ${findings.weak.join("; ")}; remove them or set tls.custom.weakCipherAcknowledgement to a written reason`,
        ),
      );
    }
    if (findings.weak.length === 0 && custom.weakCipherAcknowledgement !== undefined) {
      found.push(
        issue(["tls", "custom", "weakCipherAcknowledgement"], custom.weakCipherAcknowledgement, "no weak suite is enabled; remove the acknowledgement"),
      );
    }
  }
  // Whether tls.legacyAcknowledgement is used at all (by a profile or an outbound setting) is
  // judged in semantic-checks.ts, which reads both sections.
  return found;
});

const outboundRefs = check(["groups", "outbound", "hosts"], ({ groups, outbound }) => {
  const found: PlatformIssue[] = [];
  const groupNames = groups.map((g) => g.name);
  if (outbound.defaultGroup !== undefined && !groupNames.includes(outbound.defaultGroup)) {
    found.push(issue(["outbound", "defaultGroup"], outbound.defaultGroup, `expected one of the groups: ${groupNames.join(", ")}`));
  }
  const ownDomains = new Set(groups.flatMap((g) => g.domains.map((d) => d.name)));
  const ownHostNames = new Set(groups.flatMap((g) => g.addresses.map((a) => a.hostName)));
  for (const problem of duplicates(
    outbound.tlsRules.map((r, i) => ({ value: r.destination, path: ["outbound", "tlsRules", i, "destination"] })),
    (v) => v,
    (_v, first) => `one TLS rule per destination; already given at ${first}`,
  ))
    found.push(problem); // not push(...): the list of rules is unbounded
  outbound.tlsRules.forEach((rule, i) => {
    if (ownDomains.has(rule.destination)) {
      found.push(
        issue(
          ["outbound", "tlsRules", i, "destination"],
          rule.destination,
          "this is one of the platform's own domains (delivered locally); a TLS rule for it has no effect",
        ),
      );
    }
  });
  if (outbound.relayHost !== undefined && ownHostNames.has(outbound.relayHost.host)) {
    found.push(issue(["outbound", "relayHost", "host"], outbound.relayHost.host, "the relay host is one of the platform's own addresses (a mail loop)"));
  }
  return found;
});

const dnsbl = check(["dnsbl", "services"], ({ dnsbl, services }) => {
  const found: PlatformIssue[] = [];
  if (dnsbl.sites.length > 0 && !services.smtp) {
    found.push(
      issue(
        ["dnsbl", "sites"],
        dnsbl.sites.map((s) => s.zone),
        "DNS blocklists apply to port 25 only, and services.smtp is off; remove them or switch smtp on",
      ),
    );
  }
  found.push(
    ...duplicates(
      dnsbl.sites.map((s, i) => ({ value: s.zone, path: ["dnsbl", "sites", i, "zone"] })),
      (v) => v,
      (_v, first) => `each blocklist once; already listed at ${first}`,
    ),
  );
  const reachable = dnsbl.sites.reduce((sum, s) => sum + Math.max(0, s.weight), 0);
  if (dnsbl.sites.length > 0 && reachable < dnsbl.threshold) {
    found.push(
      issue(
        ["dnsbl", "threshold"],
        dnsbl.threshold,
        `the positive weights add up to ${reachable}, so no client can ever reach the threshold; lower it to at most ${reachable}`,
      ),
    );
  }
  return found;
});

const inboundTls = check(["groups", "services"], ({ groups, services }) => {
  if (services.smtp) return [];
  return groups.flatMap((g, gi) =>
    g.domains.flatMap((d, di) =>
      d.requireTlsInbound
        ? [
            issue(
              ["groups", gi, "domains", di, "requireTlsInbound"],
              true,
              "inbound mail arrives on port 25, and services.smtp is off; the rule would have no effect",
            ),
          ]
        : [],
    ),
  );
});

const privacy = check(["privacy"], ({ privacy }) =>
  duplicates(
    privacy.stripHeaders.map((h, i) => ({ value: h, path: ["privacy", "stripHeaders", i] })),
    (v) => v.toLowerCase(),
    (_v, first) => `header names are case-insensitive; already listed at ${first}`,
  ),
);

/**
 * A group host name must not be a name the platform publishes for something else: its A record
 * would collide with that record set (the MTA-STS policy host `mta-sts.<domain>`, the client
 * autoconfiguration hosts `autoconfig.<domain>` and `autodiscover.<domain>`).
 */
const generatedNames = check(["hosts", "groups", "dns", "services"], (spec) => {
  const generated = new Map([
    ...mtaStsNames(spec).map((name) => [name, `the MTA-STS policy host the platform publishes for ${name.slice("mta-sts.".length)}`] as const),
    ...clientAutoconfigNames(spec).map(
      (name) => [name, `a client autoconfiguration host the platform publishes for ${name.slice(name.indexOf(".") + 1)}`] as const,
    ),
  ]);
  return spec.groups.flatMap((group, g) =>
    group.addresses.flatMap((address, a) => {
      const use = generated.get(address.hostName);
      return use === undefined
        ? []
        : [issue(["groups", g, "addresses", a, "hostName"], address.hostName, `${address.hostName} is ${use}; choose another host name`)];
    }),
  );
});

const deploymentDns = check(["groups", "dns"], checkDnsZones);
const dnsRecordInputs = check(["groups", "dns", "services", "dkim"], checkDnsRecordInputs);
const deploymentAws = check(["hosts", "groups", "aws"], checkAws);

const CHECKS: ReadonlyArray<CrossCheck<SectionName>> = [
  deploymentDns,
  dnsRecordInputs,
  deploymentAws,
  uniqueHosts,
  oneAddressPerHost,
  someService,
  tlsPolicy,
  outboundRefs,
  dnsbl,
  inboundTls,
  privacy,
  generatedNames,
  ...SEMANTIC_CHECKS,
  ...OPERATOR_SETTINGS_CHECKS,
  ...ACCOUNTS_CHECKS,
  ...CONTENT_FILTER_CHECKS,
  ...SENDING_LIMITS_CHECKS,
  ...BLOCKLIST_WATCH_CHECKS,
];

/**
 * Run every cross-field check whose sections are valid in `raw`. `raw` may be invalid
 * elsewhere; sections are parsed (with defaults) independently.
 * @param renderedChecks - the checks that need the rendered configuration, which the model
 * cannot import (lib/validation/rendered-checks.ts); run after the model's own, in the same way
 * @param parsed - `PlatformSchema`'s parse of `raw`, when it succeeded: a strict object without
 * checks of its own parses each field with the field's schema, so its sections are exactly what
 * parsing each section alone gives, and they are not parsed a second time
 */
export function crossCheck(raw: unknown, renderedChecks: readonly SemanticCheck[], parsed?: PlatformSpec): PlatformIssue[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return [];
  const shape = PlatformSchema.shape;
  const parsedSections = new Map<SectionName, unknown>();
  for (const name of Object.keys(shape) as SectionName[]) {
    if (parsed) {
      parsedSections.set(name, parsed[name]);
      continue;
    }
    const result = shape[name].safeParse((raw as Record<string, unknown>)[name]);
    if (result.success) parsedSections.set(name, result.data);
  }
  const found: PlatformIssue[] = uniqueInGroups(raw);
  for (const c of [...CHECKS, ...renderedChecks]) {
    if (!c.sections.every((s) => parsedSections.has(s))) continue;
    const view = Object.fromEntries(c.sections.map((s) => [s, parsedSections.get(s)])) as Pick<PlatformSpec, SectionName>;
    for (const problem of c.run(view)) found.push(problem); // not push(...): a check may find a million problems
  }
  return found;
}
