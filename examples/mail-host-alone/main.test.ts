import { readFileSync } from "fs";
import { join } from "path";
import { AnnotationMetadataEntryType, Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailConfigStore, MailHost, MailPlatform, parsePlatform, plan, UserError } from "../../lib";
import { EXISTING_SECURITY_GROUP, hostAlonePlatform, hostAloneStack } from "./main";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

describe("MailHost alone example", () => {
  const stack = hostAloneStack(Testing.app());
  const json = JSON.parse(Testing.synth(stack)) as { resource: Resources };
  const only = (type: string) => {
    const all = Object.values(json.resource[type] ?? {});
    expect(all).toHaveLength(1);
    return all[0]!;
  };

  test("imports the library from the package root only", () => {
    const source = readFileSync(join(__dirname, "main.ts"), "utf8");
    const imports = [...source.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
    expect(imports.filter((i) => i.startsWith("."))).toEqual(["../../lib"]);
  });

  test("synthesizes one host on the given security group, with no zone, record or firewall of its own", () => {
    expect(only("aws_instance")).toMatchObject({ instance_type: "t3.small", metadata_options: { http_tokens: "required" } });
    expect(only("aws_network_interface")).toMatchObject({
      security_groups: [EXISTING_SECURITY_GROUP],
      private_ip_list: ["10.30.0.10"],
      subnet_id: "subnet-0123456789abcdef1",
    });
    for (const type of ["aws_route53_zone", "aws_route53_record", "aws_security_group"]) expect(json.resource[type]).toBeUndefined();
  });

  test("passes the security rule pack", () => {
    const errors = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === AnnotationMetadataEntryType.ERROR);
    expect(errors).toEqual([]);
  });

  test("publishes its own bundle, and the rollout names it and waits for it", () => {
    const host = stack.node.findAll().find((c): c is MailHost => c instanceof MailHost)!;
    const object = only("aws_s3_object");
    expect(object.key).toBe(`bundles/mx1/${host.bundle.id}.json`);
    const association = only("aws_ssm_association") as { parameters: { commands: string }; depends_on: string[] };
    expect(association.parameters.commands).toContain(host.bundleUrl);
    expect(host.bundleUrl).toBe(`s3://solo-mail-config-example/bundles/mx1/${host.bundle.id}.json`);
    expect(association.depends_on.some((d) => d.startsWith("aws_s3_object."))).toBe(true);
  });

  test("the host alone is the host MailPlatform makes of the same model: same bundle, same rendered files", () => {
    const platformStack = new TerraformStack(Testing.app(), "platform");
    new AwsProvider(platformStack, "aws", { region: "eu-west-1" });
    const inPlatform = new MailPlatform(platformStack, "mail", { platform: hostAlonePlatform }).hosts.get("mx1")!;
    const alone = stack.node.findAll().find((c): c is MailHost => c instanceof MailHost)!;
    expect(alone.bundle).toEqual(inPlatform.bundle);
    expect(alone.renderedFiles).toEqual(inPlatform.renderedFiles);
  });

  test("a host name the plan does not have is a user error naming the hosts and the construct", () => {
    const other = new TerraformStack(Testing.app(), "other");
    const configStore = new MailConfigStore(other, "config", { bucketName: "other-bucket" });
    const mailPlan = plan(parsePlatform(hostAlonePlatform, "hostAlonePlatform", { deployable: true }));
    let caught: unknown;
    try {
      new MailHost(other, "mx9", { plan: mailPlan, hostName: "mx9", securityGroupIds: [EXISTING_SECURITY_GROUP], zoneIds: [], configStore });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).path).toBe("other/mx9");
    expect((caught as UserError).message).toContain('hostName "mx9" is not a host of the plan (hosts: mx1)');
  });
});
