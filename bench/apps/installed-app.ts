/**
 * Ours as a user's app runs it: the library compiled (`dist`, what `npm install` brings), the
 * platform read from its file with `MailPlatform.fromFile` (BENCH_PLATFORM_FILE, written by the
 * bench harness). Only this small app file goes through the runner's TypeScript transform.
 */
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled package, as a consumer's node_modules holds it
const { MailPlatform } = require("../../dist/lib/constructs/mail-platform") as typeof import("../../lib/constructs/mail-platform");

const file = process.env.BENCH_PLATFORM_FILE;
if (!file) throw new Error("BENCH_PLATFORM_FILE: the platform file to synthesize");
const app = new App();
const stack = new TerraformStack(app, "bench");
new AwsProvider(stack, "aws", { region: "eu-central-1" });
MailPlatform.fromFile(stack, "mail", file);
app.synth();
