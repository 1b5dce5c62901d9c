/**
 * The narrow, visible adaptation from what the @cdktf/provider-aws bindings synthesize (for
 * hashicorp/aws 6.x) to what the provider in the local mirror (5.100.0) accepts, so that
 * `terraform validate` can check the stacks offline. Every change is a named entry below with its
 * reason; anything else that 5.100.0 would not know makes the adaptation throw instead of being
 * quietly dropped, and the test shows that every entry is needed.
 */
import type { ProviderSchema, SchemaBlock } from "./terraform";

/** A synthesized cdk.tf.json, parsed. */
export type TerraformDocument = Record<string, unknown>;

/** One 6.x-only attribute or block of one resource type, and how 5.100.0 says the same. */
export interface ProviderVersionDifference {
  /** `resource_type.attribute`. */
  readonly name: string;
  readonly resourceType: string;
  /** The 6.x attribute or block the bindings synthesize. */
  readonly attribute: string;
  /** The 5.x attribute or block written instead; absent when the entry only removes. */
  readonly writes?: string;
  /** The hashicorp/aws version that added `attribute`. */
  readonly since: string;
  /** Why the stacks use it and why the rewrite means the same to 5.100.0. */
  readonly why: string;
  /**
   * The value to write under `writes`, given the synthesized value of `attribute`; throws when the
   * value is not in the shape the entry knows (it must not guess). Not called when the entry only removes.
   */
  readonly rewrite: (value: unknown) => unknown;
}

/** The versions the list was derived for: the bindings' provider and the mirror's. */
export const DERIVED_FOR = { synthesized: "6.25.0", mirror: "5.100.0" } as const;

/** Every difference the synthesized stacks meet, found by running `terraform validate` on them. */
export const PROVIDER_VERSION_DIFFERENCES: readonly ProviderVersionDifference[] = [
  {
    name: "aws_instance.primary_network_interface",
    resourceType: "aws_instance",
    attribute: "primary_network_interface",
    writes: "network_interface",
    since: "6.10.0",
    why:
      "hashicorp/aws 6.10.0 added the primary_network_interface block (terraform-provider-aws#43953) and deprecated " +
      "network_interface. MailHost boots each instance on its pre-created network interface (fixed private IPs, security " +
      "groups) with it. 5.100.0 has no such block (validate: 'No argument or block type is named \"primary_network_interface\"'); " +
      "its network_interface block with device_index 0 says the same: that interface is the instance's primary one.",
    rewrite(value) {
      const block = Array.isArray(value) && value.length === 1 ? value[0] : value;
      const keys = isObject(block) ? Object.keys(block) : [];
      if (!isObject(block) || keys.join() !== "network_interface_id" || typeof block.network_interface_id !== "string") {
        throw new Error(`primary_network_interface ${JSON.stringify(value)}: this entry knows only { network_interface_id }`);
      }
      return [{ network_interface_id: block.network_interface_id, device_index: 0 }];
    },
  },
];

/** A document made acceptable to the mirror's provider, and what was done to it. */
export interface Adapted {
  readonly document: TerraformDocument;
  /** The provider version the document asked for before it was pinned. */
  readonly pinnedFrom: string;
  /** Names of the entries that changed something in this document, in list order. */
  readonly applied: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The bodies of one labelled block (`resource.<type>.<name>`): Terraform JSON allows one or a list. */
function bodies(value: unknown): Record<string, unknown>[] {
  return (Array.isArray(value) ? value : [value]).filter(isObject);
}

/** Paths (as key lists) where two JSON values differ; arrays are compared whole. */
function changedPaths(before: unknown, after: unknown, path: readonly string[] = []): string[][] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => changedPaths(before[key], after[key], [...path, key]));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [[...path]];
}

/**
 * Pin `terraform.required_providers.aws.version` to `providerVersion` and apply `differences`.
 * Throws rather than change anything else: an entry whose target is already set, a value of an
 * unknown shape, an attribute still named elsewhere (a lifecycle rule, a reference), or any change
 * outside the pinned version and the listed attributes of the resources an entry applied to.
 * The schema check of {@link adaptToMirror} is not part of this step (the test uses it alone to
 * show each entry is needed).
 */
export function applyDifferences(
  synthesized: TerraformDocument,
  providerVersion: string,
  differences: readonly ProviderVersionDifference[] = PROVIDER_VERSION_DIFFERENCES,
): Adapted {
  const document = structuredClone(synthesized);
  const providers = (document.terraform as { required_providers?: Record<string, { source?: string; version?: string }> } | undefined)?.required_providers;
  const aws = Object.entries(providers ?? {}).filter(([local, req]) =>
    ["aws", "hashicorp/aws", "registry.terraform.io/hashicorp/aws"].includes(req.source ?? local),
  );
  if (aws.length !== 1 || typeof aws[0]![1].version !== "string") {
    throw new Error(`expected exactly one hashicorp/aws requirement with a version in terraform.required_providers, found ${JSON.stringify(providers)}`);
  }
  const [awsLocal, requirement] = aws[0]!;
  const pinnedFrom = requirement.version!;
  requirement.version = providerVersion;
  const allowed: string[][] = [["terraform", "required_providers", awsLocal, "version"]];

  const applied: string[] = [];
  const resources = isObject(document.resource) ? document.resource : {};
  for (const difference of differences) {
    const byName = resources[difference.resourceType];
    let used = false;
    for (const [name, value] of Object.entries(isObject(byName) ? byName : {})) {
      for (const body of bodies(value)) {
        if (!(difference.attribute in body)) continue;
        const where = `resource.${difference.resourceType}.${name}`;
        if (difference.writes !== undefined && difference.writes in body) {
          throw new Error(`${where} sets both ${difference.attribute} and ${difference.writes}; ${difference.name} would overwrite ${difference.writes}`);
        }
        const rewritten = difference.writes === undefined ? undefined : difference.rewrite(body[difference.attribute]);
        delete body[difference.attribute];
        if (difference.writes !== undefined) body[difference.writes] = rewritten;
        allowed.push(["resource", difference.resourceType, name, difference.attribute]);
        if (difference.writes !== undefined) allowed.push(["resource", difference.resourceType, name, difference.writes]);
        used = true;
      }
    }
    if (!used) continue;
    applied.push(difference.name);
    // Still named anywhere (ignore_changes, an expression)? Then the rewrite is not the whole story.
    const rest = new RegExp(`(?<![\\w])${difference.attribute}(?![\\w])`).exec(JSON.stringify(document));
    if (rest)
      throw new Error(
        `${difference.attribute} is still named after ${difference.name} was applied, near ${JSON.stringify(JSON.stringify(document).slice(Math.max(0, rest.index - 80), rest.index + 40))}`,
      );
  }

  // Independent of the code above: the only changes are the ones listed.
  const unlisted = changedPaths(synthesized, document).filter((path) => !allowed.some((prefix) => prefix.every((key, i) => path[i] === key)));
  if (unlisted.length > 0) throw new Error(`the adaptation would change what is not on its list: ${unlisted.map((p) => p.join(".")).join(", ")}`);
  return { document, pinnedFrom, applied };
}

/** Keys Terraform itself gives meaning to in a resource or data block, not the provider. */
const META_ARGUMENTS = new Set(["count", "for_each", "provider", "depends_on", "lifecycle", "connection", "provisioner", "//"]);

/** Names in `body` that `block` does not know as arguments, walking nested blocks (not attribute values). */
function unknownNames(body: Record<string, unknown>, block: SchemaBlock, path: string, meta: ReadonlySet<string>): string[] {
  return Object.entries(body).flatMap(([key, value]) => {
    if (meta.has(key) || key === "//") return [];
    const attribute = block.attributes?.[key] as { optional?: boolean; required?: boolean } | undefined;
    // A computed-only attribute cannot be set: 6.x made some of them arguments (`region`).
    if (attribute) return attribute.optional || attribute.required ? [] : [`${path}.${key} (computed only)`];
    const nested = block.block_types?.[key];
    if (!nested) return [`${path}.${key}`];
    // A map-nested block is keyed by label; every other nesting is one body or a list of bodies.
    const inner = nested.nesting_mode === "map" && isObject(value) ? Object.values(value).flatMap(bodies) : bodies(value);
    return inner.flatMap((child) => unknownNames(child, nested.block, `${path}.${key}`, new Set()));
  });
}

/** The provider version and schema of the mirror, from the Terraform working directory. */
export interface MirrorProvider {
  readonly version: string;
  readonly schema: ProviderSchema;
}

/**
 * {@link applyDifferences} with the mirror's version, then refuse the document if it still sets a
 * resource type, data source, attribute or block the mirror's provider does not know as an
 * argument: a 6.x-only name missing from the list (add an entry, with its reason) or a mistake in
 * the constructs. Values are left to `terraform validate`.
 */
export function adaptToMirror(synthesized: TerraformDocument, mirror: MirrorProvider): Adapted {
  const adapted = applyDifferences(synthesized, mirror.version);
  const unknown: string[] = [];
  const check = (kind: "resource" | "data", schemas: ProviderSchema["resource_schemas"]) => {
    const byType = adapted.document[kind];
    for (const [type, byName] of Object.entries(isObject(byType) ? byType : {})) {
      const schema = schemas[type];
      for (const [name, value] of Object.entries(isObject(byName) ? byName : {})) {
        if (!schema) unknown.push(`${kind}.${type}.${name} (the type itself)`);
        else for (const body of bodies(value)) unknown.push(...unknownNames(body, schema.block, `${kind}.${type}.${name}`, META_ARGUMENTS));
      }
    }
  };
  check("resource", mirror.schema.resource_schemas);
  check("data", mirror.schema.data_source_schemas);
  const providers = isObject(adapted.document.provider) ? adapted.document.provider : {};
  for (const body of bodies(providers.aws)) unknown.push(...unknownNames(body, mirror.schema.provider.block, "provider.aws", new Set(["alias"])));
  if (unknown.length > 0) {
    throw new Error(
      `hashicorp/aws ${mirror.version} does not know ${unknown.join(", ")}, and no entry of the provider version differences covers it: ` +
        `if it is new in the provider the bindings target, add a documented entry to test/support/provider-version-differences.ts; otherwise it is a mistake`,
    );
  }
  return adapted;
}
