/**
 * Helpers for testing stacks that contain a MailPlatform, alongside cdktf's `Testing` matchers:
 * the DNS records as data and a readable form of the stack for snapshots.
 */
export { route53Records, type Route53RecordInstance } from "./route53-records";
export { readableSynth, type ReadableSynth, type ReadableBundle, type ReadableSynthOptions } from "./readable-synth";
export { synthesizedStack, type SynthesizedStack } from "./synthesized";
export { terraformLiteralValue } from "../constructs/terraform-literal";
