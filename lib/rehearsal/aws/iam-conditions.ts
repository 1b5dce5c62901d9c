/**
 * The `Condition` element of IAM policies, evaluated as AWS documents it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * and reference_policies_condition-single-vs-multi-valued-context-keys.html):
 * operators AND together, keys of one operator AND together, values of one key OR together;
 * a missing key fails a positive operator and passes a negated one (`StringNotEquals`, …);
 * `…IfExists` passes when the key is missing; `ForAllValues:` passes on a missing or empty key
 * (the well-known trap), `ForAnyValue:` fails on it. An operator, a policy variable or a use this
 * evaluator does not know is an error — never a silent match either way.
 */
import type { ConditionBlock, ConditionValue } from "./policy-document";
import { wildcardMatch } from "./wildcard";

/** A request context value: single-valued keys hold a scalar, multivalued keys a list. */
export type ContextValue = string | number | boolean | readonly string[];

/** The request context, keys as AWS names them (compared case-insensitively). */
export type RequestContext = Readonly<Record<string, ContextValue>>;

type Compare = (requestValue: string, policyValue: string) => boolean;

function toNumber(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text);
}

function toTime(text: string): number {
  // IAM accepts ISO 8601 dates and epoch seconds.
  return /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
}

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return undefined;
  return m.slice(1).reduce((acc, o) => acc * 256 + Number(o), 0);
}

function inCidr(address: string, cidr: string): boolean {
  const [base, bitsText] = cidr.includes("/") ? cidr.split("/") : [cidr, "32"];
  const a = ipv4(address);
  const b = ipv4(base!);
  const bits = Number(bitsText);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}

/** ARNs compare part by part (partition, service, region, account, resource), each with wildcards. */
function arnLike(value: string, pattern: string): boolean {
  const split = (arn: string) => {
    const parts = arn.split(":");
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const v = split(value);
  const p = split(pattern);
  return v !== undefined && p !== undefined && p.every((part, i) => wildcardMatch(part, v[i]!));
}

const numeric =
  (test: (a: number, b: number) => boolean): Compare =>
  (a, b) => {
    const x = toNumber(a);
    const y = toNumber(b);
    return !Number.isNaN(x) && !Number.isNaN(y) && test(x, y);
  };
const date =
  (test: (a: number, b: number) => boolean): Compare =>
  (a, b) => {
    const x = toTime(a);
    const y = toTime(b);
    return !Number.isNaN(x) && !Number.isNaN(y) && test(x, y);
  };

/** Base operator → comparison and whether it is the negated form. */
const OPERATORS: Readonly<Record<string, { readonly compare: Compare; readonly negated: boolean }>> = {
  StringEquals: { compare: (a, b) => a === b, negated: false },
  StringNotEquals: { compare: (a, b) => a === b, negated: true },
  StringEqualsIgnoreCase: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: true },
  StringLike: { compare: (a, b) => wildcardMatch(b, a), negated: false },
  StringNotLike: { compare: (a, b) => wildcardMatch(b, a), negated: true },
  NumericEquals: { compare: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { compare: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { compare: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { compare: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { compare: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { compare: numeric((a, b) => a >= b), negated: false },
  DateEquals: { compare: date((a, b) => a === b), negated: false },
  DateNotEquals: { compare: date((a, b) => a === b), negated: true },
  DateLessThan: { compare: date((a, b) => a < b), negated: false },
  DateLessThanEquals: { compare: date((a, b) => a <= b), negated: false },
  DateGreaterThan: { compare: date((a, b) => a > b), negated: false },
  DateGreaterThanEquals: { compare: date((a, b) => a >= b), negated: false },
  Bool: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false },
  IpAddress: { compare: inCidr, negated: false },
  NotIpAddress: { compare: inCidr, negated: true },
  ArnEquals: { compare: arnLike, negated: false },
  ArnLike: { compare: arnLike, negated: false },
  ArnNotEquals: { compare: arnLike, negated: true },
  ArnNotLike: { compare: arnLike, negated: true },
};

interface ParsedOperator {
  readonly set?: "ForAllValues" | "ForAnyValue";
  readonly base: string;
  readonly ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator {
  const m = /^(?:(ForAllValues|ForAnyValue):)?(.+?)(IfExists)?$/.exec(operator);
  const base = m?.[2];
  if (!m || !base || (base !== "Null" && !(base in OPERATORS))) throw new Error(`condition operator ${operator} is not emulated`);
  if (base === "Null" && (m[1] || m[3])) throw new Error(`condition operator ${operator} is not valid IAM`);
  return { ...(m[1] ? { set: m[1] as ParsedOperator["set"] } : {}), base, ifExists: m[3] !== undefined };
}

/** Request values of a key: undefined when absent; `multi` for list-valued keys. */
function lookup(context: ReadonlyMap<string, ContextValue>, key: string): { values: readonly string[]; multi: boolean } | undefined {
  const value = context.get(key.toLowerCase());
  if (value === undefined) return undefined;
  return Array.isArray(value) ? { values: value as readonly string[], multi: true } : { values: [String(value)], multi: false };
}

function policyValues(values: readonly ConditionValue[], where: string): string[] {
  return values.map((v) => {
    const text = String(v);
    if (text.includes("${")) throw new Error(`${where}: policy variables (${text}) are not emulated`);
    return text;
  });
}

/** One operator/key pair. */
function keyMatches(operator: string, key: string, values: readonly ConditionValue[], context: ReadonlyMap<string, ContextValue>): boolean {
  const parsed = parseOperator(operator);
  const allowed = policyValues(values, `${operator}.${key}`);
  const present = lookup(context, key);
  if (parsed.base === "Null") {
    const isAbsent = present === undefined || present.values.length === 0;
    return allowed.some((v) => (v.toLowerCase() === "true" ? isAbsent : !isAbsent));
  }
  const { compare, negated } = OPERATORS[parsed.base]!;
  const one = (requestValue: string) => {
    const hit = allowed.some((policyValue) => compare(requestValue, policyValue));
    return negated ? !hit : hit;
  };
  if (parsed.set === "ForAllValues") return present === undefined || present.values.every(one);
  if (parsed.set === "ForAnyValue") return present !== undefined && present.values.some(one);
  if (present === undefined) return parsed.ifExists || negated;
  if (present.multi)
    throw new Error(`${operator}.${key}: ${key} is multivalued; a single-valued operator on it is not emulated (use ForAllValues:/ForAnyValue:)`);
  return one(present.values[0]!);
}

/** Context keys in the case-insensitive form the evaluator reads. */
export function normaliseContext(context: RequestContext): ReadonlyMap<string, ContextValue> {
  return new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Whether a statement's whole `Condition` block holds for the request. */
export function conditionMatches(block: ConditionBlock | undefined, context: ReadonlyMap<string, ContextValue>): boolean {
  if (!block) return true;
  return Object.entries(block).every(([operator, keys]) => Object.entries(keys).every(([key, values]) => keyMatches(operator, key, values, context)));
}
