import { Testing } from "cdktf";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { route53Records } from "../../lib/testing";
import { quickstartStack } from "./main";

describe("quickstart example", () => {
  const json = JSON.parse(Testing.synth(quickstartStack(Testing.app())));

  test("deploys one Graviton host for one group, with the override applied", () => {
    expect(Testing.synth(quickstartStack(Testing.app()))).toHaveResourceWithProperties(Instance, { instance_type: "t4g.small" });
    const instance = Object.values(json.resource.aws_instance)[0] as Record<string, unknown>;
    expect(instance.credit_specification).toEqual({ cpu_credits: "standard" });
    expect(Object.values(json.data.aws_ami)[0]).toMatchObject({ filter: expect.arrayContaining([{ name: "name", values: ["debian-13-arm64-*"] }]) });
  });

  test("uses the existing zone and creates none", () => {
    expect(json.resource.aws_route53_zone).toBeUndefined();
    const mx = route53Records(json).find((r) => r.type === "MX")!;
    expect(mx).toMatchObject({ name: "example.org", zone_id: "Z0EXAMPLE0000000000", records: ["10 mail.example.org."] });
  });

  test("tags resources with the configured tags", () => {
    const instance = Object.values(json.resource.aws_instance)[0] as { tags: Record<string, string> };
    expect(instance.tags).toEqual({ project: "mail", Name: "example-mail-mx1" });
  });
});
