/**
 * Checks of a record set against the DNS and mail RFCs, run on every record set the plan
 * produces (a failure is a bug in the derivation, reported with the record). The model checks
 * the inputs that could make these fail; these checks make the guarantee explicit and testable.
 */
import { dnsNameProblem } from "../model/syntax";
import { NULL_MX, SRV_NOT_AVAILABLE, type DnsRecord, type DnsValue } from "../catalogue/dns-record-types";

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** A target name in record data: a fully qualified name with a trailing dot. */
function targetProblem(target: string): string | undefined {
  if (!target.endsWith(".")) return `target ${target} is not fully qualified (no trailing dot)`;
  const name = target.slice(0, -1);
  if (IPV4.test(name)) return `target ${target} is an IP address, not a host name`;
  const problem = dnsNameProblem(name.replace(/^_/, "x"));
  return problem ? `target ${target}: ${problem}` : undefined;
}

/** DNS lookups an SPF record costs (RFC 7208 4.6.4: include, a, mx, ptr, exists, redirect). */
export function spfLookupCount(spf: string): number {
  return spf
    .split(/\s+/)
    .slice(1)
    .filter((term) => /^[+\-~?]?(include:|a$|a:|a\/|mx$|mx:|mx\/|ptr$|ptr:|exists:)|^redirect=/.test(term)).length;
}

/** One bit per record type, for the duplicate check. */
const TYPE_BITS: Readonly<Record<DnsRecord["type"], number>> = { A: 1, MX: 2, SRV: 4, TXT: 8, TLSA: 16 };

/** Problems of a record set; empty when it is sound. */
export function checkRecords(records: readonly DnsRecord[]): string[] {
  const problems: string[] = [];
  // Record types seen per owner name, as bits: no key string per record (a million of them for
  // a provider's platform).
  const seen = new Map<string, number>();
  const aNames = new Set(records.filter((r) => r.type === "A").map((r) => r.name));
  const zones = new Set(records.map((r) => r.zone).filter((z) => z !== ""));
  // Thousands of domains point at the same few targets: judge each target once.
  const targetProblems = new Map<string, string | undefined>();
  const targetProblemOf = (target: string) => {
    if (!targetProblems.has(target)) targetProblems.set(target, targetProblem(target));
    return targetProblems.get(target);
  };
  // The plan shares one value set among all domains of a group: judge each set once per type.
  const valueProblems = new Map<DnsRecord["type"], Map<readonly DnsValue[], string[]>>();
  for (const record of records) {
    const where = `${record.name} ${record.type}`;
    const bit = TYPE_BITS[record.type];
    const types = seen.get(record.name) ?? 0;
    if ((types & bit) !== 0) problems.push(`${where}: two record sets with the same name and type`);
    seen.set(record.name, types | bit);
    const nameProblem = dnsNameProblem(record.name.includes("_") ? record.name.replace(/^_/, "x").replace(/\._/g, ".x") : record.name);
    if (nameProblem) problems.push(`${where}: owner name ${nameProblem}`);
    let ofType = valueProblems.get(record.type);
    if (!ofType) valueProblems.set(record.type, (ofType = new Map()));
    let found = ofType.get(record.values);
    if (!found) ofType.set(record.values, (found = valueSetProblems(record.type, record.values, aNames, zones, targetProblemOf)));
    for (const problem of found) problems.push(`${where}: ${problem}`);
  }
  return problems;
}

/** Problems of the values of one record set (without the record's name). */
function valueSetProblems(
  type: DnsRecord["type"],
  recordValues: readonly DnsValue[],
  aNames: ReadonlySet<string>,
  zones: ReadonlySet<string>,
  targetProblemOf: (target: string) => string | undefined,
): string[] {
  const problems: string[] = [];
  if (recordValues.length === 0) problems.push("no values");
  const values = recordValues.map((v) => v.map((p) => (typeof p === "string" ? p : "192.0.2.1")).join(""));
  switch (type) {
    case "A":
      for (const v of values) if (!IPV4.test(v)) problems.push(`${v} is not an IPv4 address`);
      break;
    case "MX": {
      const isNull = values.map((v) => v === NULL_MX);
      if (isNull.some(Boolean) && values.length > 1) problems.push("a null MX (RFC 7505) must stand alone");
      for (const v of values.filter((x) => x !== NULL_MX)) {
        const [preference, target, extra] = v.split(" ");
        if (extra !== undefined || !/^\d+$/.test(preference ?? "") || Number(preference) > 65535) problems.push(`"${v}" is not "preference target."`);
        const problem = targetProblemOf(target ?? "");
        if (problem) problems.push(problem);
        // MX targets must be names with address records, never aliases (RFC 2181 10.3).
        else if (!aNames.has(target!.slice(0, -1)) && [...zones].some((zone) => target!.slice(0, -1).endsWith(zone))) {
          problems.push(`target ${target} has no A record in the zone`);
        }
      }
      break;
    }
    case "SRV":
      for (const v of values) {
        const fields = v.split(" ");
        if (fields.length !== 4 || !fields.slice(0, 3).every((f) => /^\d+$/.test(f) && Number(f) <= 65535)) {
          problems.push(`"${v}" is not "priority weight port target" with numbers 0..65535`);
          continue;
        }
        if (v === SRV_NOT_AVAILABLE) continue;
        if (fields[2] === "0") problems.push(`port 0 is only allowed as "${SRV_NOT_AVAILABLE}" (not available)`);
        const problem = targetProblemOf(fields[3]!);
        if (problem) problems.push(problem);
      }
      break;
    case "TXT": {
      const spf = values.filter((v) => v.startsWith("v=spf1"));
      if (spf.length > 1) problems.push("more than one SPF record (receivers return permerror)");
      for (const v of spf) {
        if (/(^|\s)[+?]?all(\s|$)/.test(v)) problems.push("SPF must not end in +all or ?all");
        if (spfLookupCount(v) > 10) problems.push("SPF needs more than 10 DNS lookups (RFC 7208 4.6.4)");
      }
      for (const v of values) if (/[\x00-\x1f\x7f"\\]/.test(v)) problems.push("TXT value contains a quote, backslash or control character");
      break;
    }
    case "TLSA":
      for (const v of values) if (!/^3 1 1 [0-9a-f]{64}$/.test(v)) problems.push(`"${v}" is not "3 1 1 <sha256>"`);
      break;
  }
  return problems;
}
