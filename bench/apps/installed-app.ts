/**
 * Ours as a consumer's app runs it: the library compiled (`dist`, what `npm install` brings; the
 * benchmark builds it first), only this small app file through the runner's TypeScript transform.
 * The platform comes from BENCH_PLATFORM_FILE, written by the harness: a `.json` model is passed
 * as an object (as app code composing the construct would), any other file is read with
 * `MailPlatform.fromFile` (as the example's app reads its platform.yaml).
 */
import { readFileSync } from "fs";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { PlatformInput } from "../../lib/model/schema";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled package, as a consumer's node_modules holds it
const { MailPlatform } = require("../../dist/lib/constructs/mail-platform") as typeof import("../../lib/constructs/mail-platform");

const file = process.env.BENCH_PLATFORM_FILE;
if (!file) throw new Error("BENCH_PLATFORM_FILE: the platform file to synthesize");
const app = new App();
const stack = new TerraformStack(app, "bench");
new AwsProvider(stack, "aws", { region: "eu-central-1" });
if (file.endsWith(".json")) new MailPlatform(stack, "mail", { platform: JSON.parse(readFileSync(file, "utf8")) as PlatformInput });
else MailPlatform.fromFile(stack, "mail", file);
app.synth();
