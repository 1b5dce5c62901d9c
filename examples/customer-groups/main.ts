/**
 * The seed scenario deployed from its platform.yaml: two customer groups (business, private)
 * on one host. `cdktf synth` (top-level cdktf.json) runs this file.
 */
import { join } from "path";
import { App, LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailPlatform, PlatformValidationError } from "../../lib";

/** The example stack: the AWS provider and the platform read from platform.yaml. */
export function customerGroupsStack(scope: Construct, id = "customer-groups"): TerraformStack {
  const stack = new TerraformStack(scope, id);
  // Relative to the stack's directory (cdktf.out/stacks/<id>): the state stays in the project
  // root, and cdk.tf.json names no path of this machine. Pipelines use a remote backend instead.
  new LocalBackend(stack, { path: `../../../terraform.${id}.tfstate` });
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  MailPlatform.fromFile(stack, "mail", join(__dirname, "platform.yaml"));
  return stack;
}

if (require.main === module) {
  try {
    const app = new App();
    customerGroupsStack(app);
    app.synth();
  } catch (error) {
    // An invalid platform.yaml is the user's to fix: show the problem list, not a stack trace.
    if (!(error instanceof PlatformValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
