/**
 * A synthesized stack in a form worth snapshotting. In `cdk.tf.json` a host's user data is one
 * base64 line of gzip, and its configuration bundle is a JSON file beside it that the S3 object
 * names as `source`, so a one-line Postfix change would be an unreadable diff or none at all.
 * Here both are decoded into text, one file per entry, and the stack refers to them by name; IAM
 * and bucket policy documents (JSON in a string) are shown parsed. A one-line change is a
 * one-line snapshot diff.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { gunzipSync } from "zlib";
import type { TerraformStack } from "../cdk/core";
import { synthesizedStack, type SynthesizedStack } from "./synthesized";
import { stackFile } from "../constructs/rendered-files-output";
import { BUNDLE_FORMAT } from "../rollout/bundle";

/** A configuration bundle with its files as readable text. */
export interface ReadableBundle {
  /** Content hash of the bundle. */
  readonly id: string;
  readonly platform: string;
  readonly host: string;
  /** File contents by absolute path on the host; the mode is in the key, e.g. `/etc/postfix/main.cf (0644)`. */
  readonly files: Readonly<Record<string, string>>;
  /** Everything else the bundle carries (validate, reload and start commands, listeners, …). */
  readonly steps: Readonly<Record<string, unknown>>;
}

/** The readable form of a synthesized stack. */
export interface ReadableSynth {
  /**
   * `cdk.tf.json` with user data replaced by references to the entries below (bundles are named by their `source`),
   * and policy documents (`policy`, `assume_role_policy`) parsed from their JSON strings.
   */
  readonly stack: SynthesizedStack;
  /** Decoded user data (the cloud-config text) by Terraform address of the instance. */
  readonly userData: Readonly<Record<string, string>>;
  /** Decoded bundles by Terraform address of the S3 object (when the options say where their files are). */
  readonly bundles: Readonly<Record<string, ReadableBundle>>;
}

interface BundleJson {
  format: string;
  id: string;
  platform: string;
  host: string;
  files: { path: string; mode: string; content: string }[];
  [step: string]: unknown;
}

function decodeUserData(base64: string): string {
  const bytes = Buffer.from(base64, "base64");
  // MailPlatform gzips user data (EC2 and cloud-init accept gzip); other instances may not.
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
}

/** Attributes that hold a JSON policy document as a string. */
const POLICY_ATTRIBUTES = new Set(["policy", "assume_role_policy"]);

function parsedPolicy(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value; // a reference or template: shown as written
  }
}

/** Where {@link readableSynth} finds the files that S3 objects upload (`source`). */
export interface ReadableSynthOptions {
  /**
   * The stack that was synthesized: its bundles are taken from the constructs, as after
   * `Testing.synth(stack)`, which writes no files.
   */
  readonly stack?: TerraformStack;
  /** The stack's synthesized directory (`cdktf.out/stacks/<stack>`), as after `cdktf synth` or `Testing.fullSynth`. */
  readonly stackDir?: string;
}

function sourceText(source: string, options: ReadableSynthOptions): string | undefined {
  if (options.stack) return stackFile(options.stack, source);
  if (options.stackDir) return readFileSync(join(options.stackDir, source), "utf8");
  return undefined;
}

function readableBundle(content: string): ReadableBundle | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return undefined;
  }
  const bundle = parsed as BundleJson;
  if (typeof bundle !== "object" || bundle === null || bundle.format !== BUNDLE_FORMAT) return undefined;
  const { format: _format, id, platform, host, files, ...steps } = bundle;
  return { id, platform, host, files: Object.fromEntries(files.map((f) => [`${f.path} (${f.mode})`, f.content])), steps };
}

/**
 * Decode every instance's user data and every configuration bundle of a synthesized stack.
 * Bundles are files beside `cdk.tf.json`: pass `options.stack` or `options.stackDir` to have them
 * decoded; without either, `bundles` is empty and the stack shows each bundle's `source` path and
 * content-hash `key` (which still changes with every change of a bundle).
 *
 * @param synthesized what `Testing.synth(stack)` returns (text or parsed), or a `cdk.tf.json`
 * @param options where the bundle files are. @default {} (bundles not decoded)
 * @example
 * expect(readableSynth(Testing.synth(stack), { stack })).toMatchSnapshot();
 */
export function readableSynth(synthesized: string | object, options: ReadableSynthOptions = {}): ReadableSynth {
  const json = synthesizedStack(synthesized);
  const userData: Record<string, string> = {};
  const bundles: Record<string, ReadableBundle> = {};
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [type, byName] of Object.entries(json.resource)) {
    resource[type] = {};
    for (const [name, body] of Object.entries(byName)) {
      const address = `${type}.${name}`;
      const copy: Record<string, unknown> = { ...body };
      for (const attribute of POLICY_ATTRIBUTES) if (attribute in copy) copy[attribute] = parsedPolicy(copy[attribute]);
      if (type === "aws_instance" && typeof body.user_data_base64 === "string") {
        userData[address] = decodeUserData(body.user_data_base64);
        copy.user_data_base64 = `<decoded in userData["${address}"]>`;
      }
      const source = type === "aws_s3_object" && typeof body.source === "string" ? sourceText(body.source, options) : undefined;
      const bundle = source === undefined ? undefined : readableBundle(source);
      if (bundle) bundles[address] = bundle;
      resource[type][name] = copy;
    }
  }
  return { stack: { ...json, resource }, userData, bundles };
}
