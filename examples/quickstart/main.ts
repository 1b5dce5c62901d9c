/**
 * Quickstart: one customer group on one host, composed in code with typed props (no YAML),
 * plus an escape hatch on the instance. Run with `npx tsx examples/quickstart/main.ts`.
 */
import { App, LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailPlatform, type PlatformInput } from "../../lib";

/** The platform of a small company: its own domain, one host, defaults everywhere else. */
export const quickstartPlatform: PlatformInput = {
  name: "example-mail",
  hosts: [{ name: "mx1" }],
  groups: [
    {
      name: "staff",
      domains: [{ name: "example.org" }],
      addresses: [{ host: "mx1", privateIp: "10.20.0.10", hostName: "mail.example.org" }],
    },
  ],
  dns: { zones: [{ name: "example.org", route53ZoneId: "Z0EXAMPLE0000000000" }] },
  aws: {
    vpcId: "vpc-0123456789abcdef0",
    hosts: { mx1: { subnetId: "subnet-0123456789abcdef0", instanceType: "t4g.small", architecture: "arm64" } },
    acmeEmail: "postmaster@example.org",
    tags: { project: "mail" },
  },
};

/** The quickstart stack. */
export function quickstartStack(scope: Construct, id = "quickstart"): TerraformStack {
  const stack = new TerraformStack(scope, id);
  new LocalBackend(stack, { path: `../../../terraform.${id}.tfstate` });
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const mail = new MailPlatform(stack, "mail", { platform: quickstartPlatform });
  // Escape hatch: anything the constructs do not model is one override away.
  mail.hosts.get("mx1")!.instance.addOverride("credit_specification.cpu_credits", "standard");
  return stack;
}

if (require.main === module) {
  const app = new App();
  quickstartStack(app);
  app.synth();
}
