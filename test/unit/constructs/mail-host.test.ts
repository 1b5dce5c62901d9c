import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { EipAssociation } from "@cdktf/provider-aws/lib/eip-association";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { NetworkInterface } from "@cdktf/provider-aws/lib/network-interface";
import { parseJsonWithReferences, resources, synthExample, route53Records } from "../../support/synth";
import { addSecondHost } from "../../support/variants";

describe("MailHost", () => {
  test("requires IMDSv2, encrypts the root volume and attaches the instance profile", () => {
    const { text, json } = synthExample();
    expect(text).toHaveResourceWithProperties(Instance, { instance_type: "t3.small" });
    // cdktf's matcher compares nested blocks exactly; these are partial on purpose.
    expect(resources(json, "aws_instance")[0]).toMatchObject({
      metadata_options: { http_tokens: "required", http_endpoint: "enabled", http_put_response_hop_limit: 1 },
      root_block_device: { encrypted: true, volume_type: "gp3", volume_size: 20 },
    });
    const [profileName] = Object.keys(json.resource.aws_iam_instance_profile!);
    expect(resources(json, "aws_instance")[0]!.iam_instance_profile).toBe(`\${aws_iam_instance_profile.${profileName}.name}`);
  });

  test("puts every group address of the host on one network interface, first group as primary", () => {
    const { text } = synthExample();
    expect(text).toHaveResourceWithProperties(NetworkInterface, {
      subnet_id: "subnet-0a1b2c3d4e5f60718",
      private_ip_list_enabled: true,
      private_ip_list: ["10.0.1.11", "10.0.1.12"],
    });
  });

  test("creates one Elastic IP per group address, associated by interface and private IP", () => {
    const { json } = synthExample();
    expect(resources(json, "aws_eip")).toHaveLength(2);
    const associations = resources(json, "aws_eip_association").map((a) => [a.private_ip_address, a.allocation_id, a.network_interface_id]);
    expect(associations).toEqual([
      ["10.0.1.11", "${aws_eip.mail_host-mx1_eip-business_29E255AD.allocation_id}", "${aws_network_interface.mail_host-mx1_interface_11BAC192.id}"],
      ["10.0.1.12", "${aws_eip.mail_host-mx1_eip-private_E04D7CEA.allocation_id}", "${aws_network_interface.mail_host-mx1_interface_11BAC192.id}"],
    ]);
  });

  test("adopts an existing Elastic IP instead of creating one (reputation lives on the IP)", () => {
    const { json, text } = synthExample((i) => {
      i.aws!.adoptElasticIps = [{ host: "mx1", group: "business", allocationId: "eipalloc-0123456789abcdef0" }];
    });
    expect(resources(json, "aws_eip")).toHaveLength(1);
    expect(text).toHaveResourceWithProperties(EipAssociation, { allocation_id: "eipalloc-0123456789abcdef0", private_ip_address: "10.0.1.11" });
    expect(Object.values(json.data!.aws_eip!)).toEqual([{ id: "eipalloc-0123456789abcdef0" }]);
  });

  test("sets the reverse name of each Elastic IP to the group host name, after its A record", () => {
    const { json } = synthExample();
    const ptr = resources(json, "aws_eip_domain_name");
    expect(ptr.map((p) => [p.domain_name, p.allocation_id])).toEqual([
      ["mail.acme-corp.example", "${aws_eip.mail_host-mx1_eip-business_29E255AD.allocation_id}"],
      ["mail.acme-home.example", "${aws_eip.mail_host-mx1_eip-private_E04D7CEA.allocation_id}"],
    ]);
    for (const p of ptr) {
      // After the A records: the resource whose instances include this name's A record.
      const [dependency] = p.depends_on as string[];
      const logicalId = dependency!.replace(/^aws_route53_record\./, "");
      expect(json.resource.aws_route53_record![logicalId]!.type).toBe("A");
      expect(route53Records(json).some((r) => r.address.startsWith(`${dependency}[`) && r.name === p.domain_name)).toBe(true);
    }
  });

  test("looks up the newest Debian 13 AMI from Debian's account (Debian 12 when the model says so), and never replaces the host for a newer one", () => {
    const { text, json } = synthExample();
    expect(text).toHaveDataSourceWithProperties(DataAwsAmi, {
      most_recent: true,
      owners: ["136693071363"],
      filter: expect.arrayContaining([
        { name: "name", values: ["debian-13-amd64-*"] },
        { name: "architecture", values: ["x86_64"] },
      ]),
    });
    expect(resources(json, "aws_instance")[0]!.lifecycle).toEqual({ ignore_changes: ["ami", "user_data_base64"] });
    const bookworm = synthExample((i) => (i.os = "debian-12"));
    expect(bookworm.text).toHaveDataSourceWithProperties(DataAwsAmi, { filter: expect.arrayContaining([{ name: "name", values: ["debian-12-amd64-*"] }]) });
    const mixed = synthExample((i) => (i.hosts[0]!.os = "debian-12"));
    expect(Object.keys(mixed.json.data!.aws_ami!)).toEqual([expect.stringMatching(/debian-12/)]);
  });

  test("uses a given AMI id and arm64 for Graviton types", () => {
    const { json } = synthExample((i) => {
      i.aws!.hosts.mx1 = { subnetId: "subnet-0a1b2c3d4e5f60718", instanceType: "t4g.small", architecture: "arm64", amiId: "ami-0123456789abcdef0" };
    });
    expect(json.data?.aws_ami).toBeUndefined();
    expect(resources(json, "aws_instance")[0]!.ami).toBe("ami-0123456789abcdef0");
  });

  test("grants SSM and only ACME TXT challenges in the platform's zones", () => {
    const { json, text } = synthExample();
    expect(text).toHaveResourceWithProperties(IamRolePolicyAttachment, { policy_arn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
    const assume = JSON.parse(String(resources(json, "aws_iam_role")[0]!.assume_role_policy));
    expect(assume.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    const policy = parseJsonWithReferences(String(resources(json, "aws_iam_role_policy")[0]!.policy));
    const change = policy.Statement.find((s: { Action: unknown }) => s.Action === "route53:ChangeResourceRecordSets");
    // The zones of its certificate names: host names and mta-sts.<domain> (MTA-STS is on).
    expect(change.Resource).toEqual(
      ["acme-corp.example", "acme-home.example", "acme-shop.example", "acme-family.example"].map((zone) =>
        expect.stringMatching(new RegExp(`^arn:aws:route53:::hostedzone/<ref:aws_route53_zone\\.\\w+\\['${zone.replace(/\./g, "\\.")}'\\]\\.zone_id>$`)),
      ),
    );
    expect(change.Condition).toEqual({
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
      "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
    });
  });

  test("two hosts get their own instance, interface, role and addresses", () => {
    const { json } = synthExample((i) => {
      addSecondHost(i);
      i.aws!.hosts.mx2 = { subnetId: "subnet-0f1e2d3c4b5a69788" };
    });
    expect(resources(json, "aws_instance")).toHaveLength(2);
    expect(resources(json, "aws_network_interface").map((n) => n.private_ip_list)).toEqual([
      ["10.0.1.11", "10.0.1.12"],
      ["10.0.2.11", "10.0.2.12"],
    ]);
    expect(resources(json, "aws_eip")).toHaveLength(4);
    expect(resources(json, "aws_iam_role").map((r) => r.name)).toEqual(["acme-mail-mx1", "acme-mail-mx2"]);
  });

  test("exposes the provider resources as escape hatches (addOverride reaches the synthesized JSON)", () => {
    const { exampleStack } = require("../../support/synth") as typeof import("../../support/synth");
    const { Testing } = require("cdktf") as typeof import("cdktf");
    const { stack, platform } = exampleStack();
    platform.hosts.get("mx1")!.instance.addOverride("credit_specification.cpu_credits", "unlimited");
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.values(json.resource.aws_instance)[0]).toMatchObject({ credit_specification: { cpu_credits: "unlimited" } });
  });
});
