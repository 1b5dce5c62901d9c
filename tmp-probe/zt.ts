import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailZones } from "../lib/constructs/mail-zones";
const stack = new TerraformStack(Testing.app(), "t");
new AwsProvider(stack, "aws", {});
const z = new MailZones(stack, "zones", { platform: "p", dns: { zones: [{ name: "a.example", dnssec: false }, { name: "b.example", route53ZoneId: "ZABC", dnssec: false }] } as never });
import { TerraformOutput } from "cdktf";
new TerraformOutput(stack, "o", { value: [...z.zoneIds.values()] });
console.log(Testing.synth(stack));
