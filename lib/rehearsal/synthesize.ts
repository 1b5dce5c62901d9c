/**
 * Synthesize a platform the way `cdktf synth` does for a user's app — an app, a stack, the AWS
 * provider and `MailPlatform` — and return the `cdk.tf.json` text Terraform would receive.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { App, TerraformStack } from "../cdk/core";
import { AwsProvider } from "../cdk/aws";
import { MailPlatform } from "../constructs/mail-platform";
import type { PlatformInput } from "../model/schema";

/** The stack name the rehearsal synthesizes into. */
export const REHEARSAL_STACK = "rehearsal";

/** Synthesize into `outdir`; returns the text of the stack's cdk.tf.json. */
export function synthesizePlatform(input: PlatformInput, region: string, outdir: string): string {
  const app = new App({ outdir, skipValidation: false });
  const stack = new TerraformStack(app, REHEARSAL_STACK);
  new AwsProvider(stack, "aws", { region });
  new MailPlatform(stack, "mail", { platform: input, source: "the rehearsed platform" });
  app.synth();
  return readFileSync(join(outdir, "stacks", REHEARSAL_STACK, "cdk.tf.json"), "utf8");
}
