/** Synthesize the example platform (optionally changed) in a test stack. */
import { Testing, TerraformStack, type App } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailPlatform } from "../../lib/constructs/mail-platform";
import type { PlatformInput } from "../../lib/model/schema";
import { exampleInput } from "./example";
import { stackFile } from "../../lib/constructs/rendered-files-output";

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
  /** A file written beside cdk.tf.json (a host's bundle, the `source` of its S3 object) by its relative path. */
  readonly readSource: (path: string) => string | undefined;
}

/** The parts of cdk.tf.json the tests read. */
export interface TerraformJson {
  locals?: Record<string, unknown>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; description?: string }>;
}

/** Build the example stack (optionally changed) without synthesizing it. */
export function exampleStack(change?: (input: PlatformInput) => void, app: App = Testing.app()): { stack: TerraformStack; platform: MailPlatform } {
  const input = exampleInput();
  change?.(input);
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  const platform = new MailPlatform(stack, "mail", { platform: input });
  return { stack, platform };
}

let unchanged: Synthesized | undefined;

/**
 * Synthesize the example stack (optionally changed). Without a change every call of a test
 * process gets the same synthesis, made once: its JSON and rendered files are deep-frozen (a test
 * that writes to them throws instead of changing what the next test reads; copy with
 * structuredClone to change), and its stack and platform must not be changed (use exampleStack()
 * or synthExampleAfresh() for a stack of your own). A change always synthesizes afresh.
 */
export function synthExample(change?: (input: PlatformInput) => void): Synthesized {
  if (change) return synthExampleAfresh(change);
  if (!unchanged) {
    const fresh = synthExampleAfresh();
    deepFreeze(fresh.json);
    deepFreeze(fresh.platform.renderedFiles);
    unchanged = Object.freeze(fresh);
  }
  return unchanged;
}

/** Synthesize the example stack (optionally changed) afresh: a new stack and a new synthesis on every call. */
export function synthExampleAfresh(change?: (input: PlatformInput) => void): Synthesized {
  const { stack, platform } = exampleStack(change);
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as TerraformJson, platform, stack, readSource: (path) => stackFile(stack, path) };
}

/** Freeze a tree of plain objects and arrays, every level of it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** All resources of one type, as a list. */
export function resources(json: TerraformJson, type: string): Record<string, unknown>[] {
  return Object.values(json.resource[type] ?? {});
}

/** The Terraform addresses (type.name) of every resource. */
export function resourceAddresses(json: TerraformJson): string[] {
  return Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
}

export { route53Records, terraformLiteralValue, type Route53RecordInstance } from "../../lib/testing";

/**
 * Parse a JSON document (an IAM policy) that holds Terraform interpolations: each `${…}` becomes
 * `<ref:…>` with its inner quotes as `'`, so the document parses and the references stay readable.
 */
export function parseJsonWithReferences(text: string): any {
  return JSON.parse(text.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => `<ref:${inner.replace(/"/g, "'")}>`));
}
