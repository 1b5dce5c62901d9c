/**
 * MailHost alone: one mail host in a stack you already have, with your own security group and
 * your own DNS, composed from the package root only. The host reads everything about itself from
 * the plan (placement, tags, its rendered configuration); it needs a bucket to publish its
 * configuration bundle to. Run with `npx tsx examples/mail-host-alone/main.ts`.
 */
import { App, Aspects, LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailConfigStore, MailHost, MailSecurityChecks, parsePlatform, plan, type PlatformInput } from "../../lib";

/** One group on one host. The zone is yours (no records are made here); the host writes only its ACME challenges to it. */
export const hostAlonePlatform: PlatformInput = {
  name: "solo-mail",
  hosts: [{ name: "mx1" }],
  groups: [
    {
      name: "staff",
      domains: [{ name: "example.net" }],
      addresses: [{ host: "mx1", privateIp: "10.30.0.10", hostName: "mail.example.net" }],
    },
  ],
  dns: { zones: [{ name: "example.net", route53ZoneId: "Z0EXAMPLE0000000001" }] },
  aws: {
    vpcId: "vpc-0123456789abcdef1",
    hosts: { mx1: { subnetId: "subnet-0123456789abcdef1", instanceType: "t3.small" } },
    acmeEmail: "postmaster@example.net",
    tags: { project: "mail" },
  },
};

/** Your existing security group, opened for the mail ports elsewhere. */
export const EXISTING_SECURITY_GROUP = "sg-0123456789abcdef1";

/** A stack with one MailHost, its bundle bucket and the security rule pack. */
export function hostAloneStack(scope: Construct, id = "mail-host-alone"): TerraformStack {
  const stack = new TerraformStack(scope, id);
  new LocalBackend(stack, { path: `../../../terraform.${id}.tfstate` });
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const mailPlan = plan(parsePlatform(hostAlonePlatform, "hostAlonePlatform", { deployable: true }));
  const configStore = new MailConfigStore(stack, "config", { bucketName: "solo-mail-config-example", tags: { project: "mail" } });
  new MailHost(stack, "mx1", {
    plan: mailPlan,
    hostName: "mx1",
    securityGroupIds: [EXISTING_SECURITY_GROUP],
    zoneIds: ["Z0EXAMPLE0000000001"],
    configStore,
  });
  Aspects.of(stack).add(new MailSecurityChecks());
  return stack;
}

if (require.main === module) {
  const app = new App();
  hostAloneStack(app);
  app.synth();
}
