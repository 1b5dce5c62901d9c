/**
 * Reading a synthesized cdk.tf.json the way Terraform would apply it, for the parts a rehearsal
 * needs: resources by type, literal values, and the references between them resolved against the
 * identifiers AWS would have assigned. Any reference this reader cannot resolve is an error that
 * names it and where it appeared — a `${…}` is never passed through to a stand-in.
 */
import { evaluateTemplate } from "./terraform-template";

/** Evaluates a value of cdk.tf.json, naming it by `where` in errors. */
export type Evaluate = (value: unknown, where: string) => string;

/** A resource body as cdk.tf.json holds it. */
export type ResourceBody = Readonly<Record<string, unknown>>;

/** `${type.name.attr}` or `${type.name["key"].attr}` (data sources: `${data.type.name.attr}`). */
export interface Reference {
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
  readonly key?: string;
  readonly attribute: string;
}

const REFERENCE = /^(data\.)?([a-z0-9_]+)\.([\w-]+)(?:\["([^"]*)"\])?\.([a-z_]+)$/;

/** Parse one reference expression (the inside of `${…}`), or undefined when it is something else. */
export function parseReference(expression: string): Reference | undefined {
  const m = REFERENCE.exec(expression);
  if (!m) return undefined;
  return { data: m[1] !== undefined, type: m[2]!, name: m[3]!, ...(m[4] !== undefined ? { key: m[4] } : {}), attribute: m[5]! };
}

/** The reference a value consists of exactly (`"${aws_x.y.id}"`), or undefined. */
export function soleReference(value: unknown): Reference | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^\$\{([^}]*)\}$/.exec(value);
  return m ? parseReference(m[1]!) : undefined;
}

/** A parsed cdk.tf.json with typed access to what the rehearsal reads. */
export class TerraformDocument {
  private readonly resources: Readonly<Record<string, Readonly<Record<string, ResourceBody>>>>;
  private readonly dataSources: Readonly<Record<string, Readonly<Record<string, ResourceBody>>>>;
  /** The document's `locals`. */
  readonly locals: Readonly<Record<string, unknown>>;
  private readonly providers: Readonly<Record<string, unknown>>;

  constructor(document: unknown) {
    if (typeof document !== "object" || document === null) throw new Error("cdk.tf.json: expected a JSON object");
    const d = document as Record<string, unknown>;
    this.resources = (d.resource ?? {}) as TerraformDocument["resources"];
    this.dataSources = (d.data ?? {}) as TerraformDocument["dataSources"];
    this.locals = (d.locals ?? {}) as Record<string, unknown>;
    this.providers = (d.provider ?? {}) as Record<string, unknown>;
  }

  /** Every resource of a type, by logical name. */
  all(type: string): [string, ResourceBody][] {
    return Object.entries(this.resources[type] ?? {});
  }

  /** Every data source of a type, by logical name. */
  allData(type: string): [string, ResourceBody][] {
    return Object.entries(this.dataSources[type] ?? {});
  }

  /** One resource. @throws when it is not in the document */
  get(type: string, name: string): ResourceBody {
    const body = this.resources[type]?.[name];
    if (!body) throw new Error(`cdk.tf.json has no ${type}.${name}`);
    return body;
  }

  /** The construct path cdktf recorded for a resource. */
  static path(body: ResourceBody): string {
    const meta = (body["//"] as { metadata?: { path?: string } } | undefined)?.metadata;
    return meta?.path ?? "";
  }

  /** The default (un-aliased) configuration of a provider. */
  provider(name: string): Readonly<Record<string, unknown>> {
    const list = this.providers[name];
    const configs = (Array.isArray(list) ? list : list ? [list] : []) as Record<string, unknown>[];
    const config = configs.find((c) => c.alias === undefined);
    if (!config) throw new Error(`cdk.tf.json configures no default ${name} provider`);
    return config;
  }
}

/**
 * Evaluate a string the way Terraform would, resolving each reference with `resolve`.
 * @param where names the value in errors, e.g. `aws_iam_role_policy.x.policy`
 */
export function evaluateString(value: unknown, where: string, resolve: (reference: Reference, expression: string) => string | undefined): string {
  if (typeof value !== "string") throw new Error(`${where}: expected a string (received: ${JSON.stringify(value)})`);
  return evaluateTemplate(value, (expression) => {
    const reference = parseReference(expression);
    const resolved = reference ? resolve(reference, expression) : undefined;
    if (resolved === undefined) throw new Error(`${where}: cannot resolve the Terraform reference \${${expression}}`);
    return resolved;
  });
}

/** A string that must be literal (no reference at all), with Terraform's escapes undone. */
export function literalString(value: unknown, where: string): string {
  return evaluateString(value, where, () => undefined);
}
