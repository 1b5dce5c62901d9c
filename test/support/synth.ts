/** Synthesize the example platform (optionally changed) in a test stack. */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailPlatform } from "../../lib/constructs/mail-platform";
import type { PlatformInput } from "../../lib/model/schema";
import { exampleInput } from "./example";

/** A synthesized test stack. */
export interface Synthesized {
  /** cdk.tf.json text, for cdktf's matchers. */
  readonly text: string;
  /** cdk.tf.json parsed. */
  readonly json: TerraformJson;
  /** The platform construct. */
  readonly platform: MailPlatform;
  /** The stack. */
  readonly stack: TerraformStack;
}

/** The parts of cdk.tf.json the tests read. */
export interface TerraformJson {
  locals?: Record<string, unknown>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; description?: string }>;
}

/** Build the example stack (optionally changed) without synthesizing it. */
export function exampleStack(change?: (input: PlatformInput) => void): { stack: TerraformStack; platform: MailPlatform } {
  const input = exampleInput();
  change?.(input);
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  const platform = new MailPlatform(stack, "mail", { platform: input });
  return { stack, platform };
}

/** Synthesize the example stack (optionally changed). */
export function synthExample(change?: (input: PlatformInput) => void): Synthesized {
  const { stack, platform } = exampleStack(change);
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as TerraformJson, platform, stack };
}

/** All resources of one type, as a list. */
export function resources(json: TerraformJson, type: string): Record<string, unknown>[] {
  return Object.values(json.resource[type] ?? {});
}

/** The Terraform addresses (type.name) of every resource. */
export function resourceAddresses(json: TerraformJson): string[] {
  return Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
}

/** A Route53 record set as Terraform creates it: one instance of a data-driven record resource. */
export interface Route53RecordInstance {
  /** Terraform address, e.g. `aws_route53_record.mail_dns_records-mx_0176A9A6["acme.example"]`. */
  readonly address: string;
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  /** Zone name the record is written to. */
  readonly zone: string;
  /** `zone_id` as Terraform receives it: a given id, or a reference to the created zone instance. */
  readonly zone_id: string;
  readonly records: string[];
}

/** The expressions MailDns synthesizes; anything else is a change this helper must learn. */
const FOR_EACH = /^\$\{\{ for key, val in flatten\(\[ for key, val in local\.([\w-]+): \[ for entry in split\(" ", val\) : \{ name = split\("=", entry\)\[0\], zone = key, values = split\("=", entry\)\[1\] \} \]\]\): val\.name => val \}\}$/;
const RECORDS = /^\$\{local\.([\w-]+)\[each\.value\.values\]\}$/;
const ZONE_ID = /^\$\{local\.([\w-]+)\[each\.value\.zone\]\}$/;
const ZONE_IDS = /^\$\{merge\(local\.([\w-]+), \{ for key, val in aws_route53_zone\.([\w-]+): key => val\.zone_id \}\)\}$/;

/**
 * Every record instance of the synthesized data-driven record resources, expanded the way
 * Terraform expands their `for_each` (the expressions are checked to be exactly the ones
 * MailDns writes, so a change of shape fails here instead of being misread).
 */
export function route53Records(json: TerraformJson): Route53RecordInstance[] {
  const locals = json.locals ?? {};
  const local = (name: string) => {
    if (!(name in locals)) throw new Error(`no local ${name}`);
    return locals[name];
  };
  const zoneIdOf = (zoneIdsLocal: string, zone: string): string => {
    const ids = local(zoneIdsLocal);
    if (typeof ids === "object" && ids !== null) return (ids as Record<string, string>)[zone]!;
    const merged = ZONE_IDS.exec(String(ids));
    if (!merged) throw new Error(`unexpected zone id map ${String(ids)}`);
    const given = local(merged[1]!) as Record<string, string>;
    if (zone in given) return given[zone]!;
    const created = json.resource.aws_route53_zone?.[merged[2]!]?.for_each as Record<string, unknown> | undefined;
    if (!created || !(zone in created)) throw new Error(`zone ${zone} is neither given nor created`);
    return `\${aws_route53_zone.${merged[2]}["${zone}"].zone_id}`;
  };
  return Object.entries(json.resource.aws_route53_record ?? {}).flatMap(([logicalId, resource]) => {
    const forEach = FOR_EACH.exec(String(resource.for_each));
    const records = RECORDS.exec(String(resource.records));
    const zoneId = ZONE_ID.exec(String(resource.zone_id));
    if (!forEach || !records || !zoneId || resource.name !== "${each.value.name}") throw new Error(`aws_route53_record.${logicalId} is not in the data-driven shape`);
    const valueSets = local(records[1]!) as Record<string, string[]>;
    const byZone = local(forEach[1]!) as Record<string, string>;
    // As Terraform's split(" ", …) and split("=", …) read each zone's "name=key name=key".
    return Object.entries(byZone).flatMap(([zone, entries]) =>
      entries.split(" ").map((entry) => entry.split("=") as [string, string]).map(([name, key]) => ({
        address: `aws_route53_record.${logicalId}["${name}"]`,
        name,
        type: String(resource.type),
        ttl: Number(resource.ttl),
        zone,
        zone_id: zoneIdOf(zoneId[1]!, zone),
        records: valueSets[key]!,
      })),
    );
  });
}

/**
 * Parse a JSON document (an IAM policy) that holds Terraform interpolations: each `${…}` becomes
 * `<ref:…>` with its inner quotes as `'`, so the document parses and the references stay readable.
 */
export function parseJsonWithReferences(text: string): any {
  return JSON.parse(text.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => `<ref:${inner.replace(/"/g, "'")}>`));
}

/**
 * The text Terraform makes of a string that must hold no interpolation: `$${` and `%%{` become
 * `${` and `%{`; an unescaped `${` or `%{` throws (Terraform would evaluate it).
 */
export function terraformLiteralValue(template: string): string {
  const unescaped = /(^|[^$])\$\{|(^|[^%])%\{/.exec(template.replace(/\$\$\{|%%\{/g, ""));
  if (unescaped) throw new Error(`unescaped template sequence near ${JSON.stringify(template.slice(Math.max(0, unescaped.index - 40), unescaped.index + 40))}`);
  return template.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
