/** Our way: one MailPlatform (data-driven records, rendered files, hosts), deep imports. */
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailPlatform } from "../../lib/constructs/mail-platform";
import { benchInput } from "./platform-input";

const app = new App();
const stack = new TerraformStack(app, "bench");
new AwsProvider(stack, "aws", { region: "eu-central-1" });
new MailPlatform(stack, "mail", { platform: benchInput() });
app.synth();
