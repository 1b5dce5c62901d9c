/**
 * IAM policy documents as typed data. AWS accepts a single value wherever a list is allowed
 * (`"Action": "s3:GetObject"`); documents are normalised to lists once, here, so the evaluator
 * reads one shape. Anything the evaluator would not understand is refused with its place in the
 * document, never dropped: a dropped `Condition` or `NotResource` would silently widen a grant.
 */

/** A value in a `Condition` block (IAM accepts strings, numbers and booleans). */
export type ConditionValue = string | number | boolean;

/** `Condition`: operator → condition key → allowed values. */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, readonly ConditionValue[]>>>>;

/** `Principal` / `NotPrincipal` of a resource-based policy: `"*"` or type → identifiers. */
export type PolicyPrincipal = "*" | Readonly<Record<string, readonly string[]>>;

/** One statement, normalised. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: PolicyPrincipal;
  readonly NotPrincipal?: PolicyPrincipal;
  readonly Action?: readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource?: readonly string[];
  readonly NotResource?: readonly string[];
  readonly Condition?: ConditionBlock;
}

/** A policy document, normalised. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: readonly PolicyStatement[];
}

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => typeof v === "string"))
    throw new Error(`${where}: expected a string or a non-empty list of strings (received: ${JSON.stringify(value)})`);
  return list as string[];
}

function principal(value: unknown, where: string): PolicyPrincipal {
  if (value === "*") return "*";
  if (!isRecord(value)) throw new Error(`${where}: expected "*" or an object (received: ${JSON.stringify(value)})`);
  return Object.fromEntries(Object.entries(value).map(([type, ids]) => [type, stringList(ids, `${where}.${type}`)]));
}

function condition(value: unknown, where: string): ConditionBlock {
  if (!isRecord(value)) throw new Error(`${where}: expected an object (received: ${JSON.stringify(value)})`);
  return Object.fromEntries(
    Object.entries(value).map(([operator, keys]) => {
      if (!isRecord(keys)) throw new Error(`${where}.${operator}: expected an object of condition keys (received: ${JSON.stringify(keys)})`);
      return [
        operator,
        Object.fromEntries(
          Object.entries(keys).map(([key, values]) => {
            const list = Array.isArray(values) ? values : [values];
            if (!list.every((v) => ["string", "number", "boolean"].includes(typeof v)))
              throw new Error(`${where}.${operator}.${key}: values must be strings, numbers or booleans (received: ${JSON.stringify(values)})`);
            return [key, list as ConditionValue[]];
          }),
        ),
      ];
    }),
  );
}

function statement(value: unknown, where: string): PolicyStatement {
  if (!isRecord(value)) throw new Error(`${where}: expected an object (received: ${JSON.stringify(value)})`);
  const unknownKeys = Object.keys(value).filter((k) => !STATEMENT_KEYS.has(k));
  if (unknownKeys.length > 0) throw new Error(`${where}: unknown statement element(s) ${unknownKeys.join(", ")}`);
  if (value.Effect !== "Allow" && value.Effect !== "Deny")
    throw new Error(`${where}.Effect: expected "Allow" or "Deny" (received: ${JSON.stringify(value.Effect)})`);
  if ((value.Action === undefined) === (value.NotAction === undefined)) throw new Error(`${where}: exactly one of Action and NotAction is required`);
  if (value.Resource !== undefined && value.NotResource !== undefined) throw new Error(`${where}: Resource and NotResource are mutually exclusive`);
  if (value.Sid !== undefined && typeof value.Sid !== "string") throw new Error(`${where}.Sid: expected a string`);
  return {
    ...(value.Sid !== undefined ? { Sid: value.Sid as string } : {}),
    Effect: value.Effect,
    ...(value.Principal !== undefined ? { Principal: principal(value.Principal, `${where}.Principal`) } : {}),
    ...(value.NotPrincipal !== undefined ? { NotPrincipal: principal(value.NotPrincipal, `${where}.NotPrincipal`) } : {}),
    ...(value.Action !== undefined ? { Action: stringList(value.Action, `${where}.Action`) } : {}),
    ...(value.NotAction !== undefined ? { NotAction: stringList(value.NotAction, `${where}.NotAction`) } : {}),
    ...(value.Resource !== undefined ? { Resource: stringList(value.Resource, `${where}.Resource`) } : {}),
    ...(value.NotResource !== undefined ? { NotResource: stringList(value.NotResource, `${where}.NotResource`) } : {}),
    ...(value.Condition !== undefined ? { Condition: condition(value.Condition, `${where}.Condition`) } : {}),
  };
}

/**
 * Parse and normalise a policy document (JSON text or a parsed object).
 * @param where names the document in errors, e.g. `inline policy acme-dns-01`
 */
export function parsePolicyDocument(input: unknown, where: string): PolicyDocument {
  const value = typeof input === "string" ? (JSON.parse(input) as unknown) : input;
  if (!isRecord(value)) throw new Error(`${where}: expected a JSON object`);
  const statements = Array.isArray(value.Statement) ? value.Statement : [value.Statement];
  if (value.Statement === undefined || statements.length === 0) throw new Error(`${where}: no Statement`);
  return {
    ...(typeof value.Version === "string" ? { Version: value.Version } : {}),
    ...(typeof value.Id === "string" ? { Id: value.Id } : {}),
    Statement: statements.map((s, i) => statement(s, `${where}: Statement[${i}]`)),
  };
}

/** How a statement is named in reports: its Sid, or `#<index>` when it has none. */
export function statementLabel(statement: PolicyStatement, index: number): string {
  return statement.Sid ?? `#${index}`;
}
