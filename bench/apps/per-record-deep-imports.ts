/** Baseline: one construct per record set, with deep imports of the provider. */
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { benchInput } from "./platform-input";
import { recordsPerConstruct } from "./records-per-construct";

const app = new App();
const stack = new TerraformStack(app, "bench");
new AwsProvider(stack, "aws", { region: "eu-central-1" });
recordsPerConstruct(stack, benchInput(), { Route53Zone, Route53Record });
app.synth();
