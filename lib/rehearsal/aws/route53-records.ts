/**
 * Route53 record sets and change batches as Route53 validates and applies them: names compared
 * in normalised form (lower case, no trailing dot, characters outside `a-z 0-9 - _ .` as `\ooo`
 * octal escapes — the same form IAM sees in `route53:ChangeResourceRecordSetsNormalizedRecordNames`,
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html),
 * a batch applied all or nothing, and Route53's wording for refused changes.
 */
import { child, childrenNamed, parseXml } from "./xml";
import { txtValueText } from "./challenge-dns";

/** One record set. */
export interface RecordSet {
  /** Normalised name. */
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly values: readonly string[];
}

/** One change of a batch. */
export interface RecordChange {
  readonly action: "CREATE" | "DELETE" | "UPSERT";
  readonly recordSet: RecordSet;
}

/** A parsed ChangeResourceRecordSets request. */
export interface ChangeBatch {
  readonly comment?: string;
  readonly changes: readonly RecordChange[];
}

const TYPES = new Set(["A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT"]);

/** A request Route53 rejects as input (`InvalidInput`) or as a change (`InvalidChangeBatch`). */
export class RecordChangeError extends Error {
  constructor(
    readonly code: "InvalidInput" | "InvalidChangeBatch",
    message: string,
  ) {
    super(message);
  }
}

/** The normalised form of a DNS name. */
export function normalisedName(name: string): string {
  const decoded = name.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return [...decoded.toLowerCase().replace(/\.$/, "")].map((c) => (/[a-z0-9\-_.]/.test(c) ? c : `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`)).join("");
}

/** Parse a ChangeResourceRecordSetsRequest document. @throws RecordChangeError */
export function parseChangeBatch(xml: string): ChangeBatch {
  let root;
  try {
    root = parseXml(xml);
  } catch (error) {
    throw new RecordChangeError("InvalidInput", `Could not parse the request: ${(error as Error).message}`);
  }
  const batch = root.name === "ChangeResourceRecordSetsRequest" ? child(root, "ChangeBatch") : undefined;
  const changes = batch ? childrenNamed(child(batch, "Changes") ?? batch, "Change") : [];
  if (!batch || changes.length === 0)
    throw new RecordChangeError(
      "InvalidInput",
      "1 validation error detected: Value null at 'changeBatch.changes' failed to satisfy constraint: Member must not be null",
    );
  const comment = child(batch, "Comment")?.text;
  return {
    ...(comment !== undefined ? { comment } : {}),
    changes: changes.map((change, i) => {
      const action = child(change, "Action")?.text;
      const set = child(change, "ResourceRecordSet");
      if (action !== "CREATE" && action !== "DELETE" && action !== "UPSERT")
        throw new RecordChangeError("InvalidInput", `Invalid action at changes[${i}]: ${action}`);
      if (!set) throw new RecordChangeError("InvalidInput", `changes[${i}] has no ResourceRecordSet`);
      const unsupported = set.children.map((c) => c.name).filter((n) => !["Name", "Type", "TTL", "ResourceRecords"].includes(n));
      if (unsupported.length > 0)
        throw new RecordChangeError("InvalidInput", `${unsupported.join(", ")} (routing policies, alias records) are not emulated by the rehearsal`);
      const type = child(set, "Type")?.text ?? "";
      if (!TYPES.has(type)) throw new RecordChangeError("InvalidInput", `Invalid type at changes[${i}]: ${type}`);
      const ttl = Number(child(set, "TTL")?.text);
      if (!Number.isInteger(ttl) || ttl < 0)
        throw new RecordChangeError(
          "InvalidInput",
          `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=${action}, Name=${child(set, "Name")?.text}, Type=${type}, SetIdentifier=null]`,
        );
      const values = childrenNamed(child(set, "ResourceRecords") ?? set, "ResourceRecord").map((r) => child(r, "Value")?.text ?? "");
      return { action, recordSet: { name: normalisedName(child(set, "Name")?.text ?? ""), type, ttl, values } };
    }),
  };
}

const label = (set: RecordSet) => `[name='${set.name}.', type='${set.type}']`;

/**
 * Apply a batch to a zone's record sets (a copy; the zone changes only when all changes are valid).
 * @returns the new record sets, and the record sets the batch changed (deleted ones with no values)
 * @throws RecordChangeError with Route53's messages
 */
export function applyChangeBatch(
  zone: string,
  current: ReadonlyMap<string, RecordSet>,
  batch: ChangeBatch,
): { next: Map<string, RecordSet>; changed: RecordSet[] } {
  const zoneName = normalisedName(zone);
  const next = new Map(current);
  const changed: RecordSet[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const { action, recordSet } of batch.changes) {
    const key = `${recordSet.name}|${recordSet.type}`;
    if (seen.has(key)) errors.push(`The request contains an invalid set of changes for a resource record set '${recordSet.type} ${recordSet.name}.'`);
    seen.add(key);
    if (recordSet.name !== zoneName && !recordSet.name.endsWith(`.${zoneName}`))
      errors.push(`RRSet with DNS name ${recordSet.name}. is not permitted in zone ${zoneName}.`);
    if (recordSet.type === "TXT" || recordSet.type === "SPF") {
      for (const value of recordSet.values) {
        if (txtValueText(value) === undefined)
          errors.push(
            `Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${value}''`,
          );
      }
    }
    const existing = next.get(key);
    if (action === "CREATE" && existing) errors.push(`Tried to create resource record set ${label(recordSet)} but it already exists`);
    if (action === "DELETE" && !existing) errors.push(`Tried to delete resource record set ${label(recordSet)} but it was not found`);
    if (
      action === "DELETE" &&
      existing &&
      (existing.ttl !== recordSet.ttl || [...existing.values].sort().join("\n") !== [...recordSet.values].sort().join("\n"))
    ) {
      errors.push(`Tried to delete resource record set ${label(recordSet)} but the values provided do not match the current values`);
    }
    if (action === "DELETE") {
      next.delete(key);
      changed.push({ ...recordSet, values: [] });
    } else {
      next.set(key, recordSet);
      changed.push(recordSet);
    }
  }
  if (errors.length > 0) throw new RecordChangeError("InvalidChangeBatch", `[${errors.join(", ")}]`);
  return { next, changed };
}
