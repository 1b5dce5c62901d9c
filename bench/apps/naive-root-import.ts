/**
 * Baseline: the naive cdktf app, as `cdktf init --template=typescript` sets it up and the
 * provider's README shows it: the provider imported from its package root, one construct per
 * record set, run by ts-node (which type-checks on every synth). The one file allowed a root
 * import (see test/unit/deep-imports.test.ts).
 */
import { App, TerraformStack } from "cdktf";
import * as aws from "@cdktf/provider-aws";
import { benchInput } from "./platform-input";
import { recordsPerConstruct } from "./records-per-construct";

const app = new App();
const stack = new TerraformStack(app, "bench");
new aws.provider.AwsProvider(stack, "aws", { region: "eu-central-1" });
recordsPerConstruct(stack, benchInput(), { Route53Zone: aws.route53Zone.Route53Zone, Route53Record: aws.route53Record.Route53Record });
app.synth();
