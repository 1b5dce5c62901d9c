/**
 * Reading what Terraform would have created from the synthesized example: deterministic made-up
 * ids with AWS's shapes, every reference in the role's policies (inline and customer managed, and
 * the attachments naming them) and the rollout command resolved against them, bundles byte for byte as S3 would store them, and a refusal naming any reference
 * that cannot be resolved.
 */
import { blocklistMetricsPolicy } from "../../../lib/constructs/blocklist-alerts";
import { readDeployment } from "../../../lib/rehearsal/aws/deployment";
import { parsePolicyDocument } from "../../../lib/rehearsal/aws/policy-document";
import { AwsWorld } from "../../../lib/rehearsal/aws/world";
import { withBlocklistWatch, withoutCustomerPolicyAttachments } from "../../support/blocklist-watch-model";
import { parseJsonWithReferences, synthExample, synthExampleAfresh, type Synthesized, type TerraformJson } from "../../support/synth";

const synthesized = synthExample();
const json = synthesized.json;
/** Read a synthesis's host, or a changed copy of its document with the synthesis's bundle files. */
const readHost = (doc: Synthesized | TerraformJson, files: Synthesized = synthesized, host = "mx1") =>
  "readSource" in doc ? readDeployment(doc.json, host, { readSource: doc.readSource }) : readDeployment(doc, host, { readSource: files.readSource });
const deployment = readHost(synthesized);

/** A deep copy of the document with one inline policy's text changed. */
function withPolicy(change: (policy: string) => string): TerraformJson {
  const copy = structuredClone(json);
  const policies = copy.resource.aws_iam_role_policy!;
  const [name] = Object.keys(policies).filter((n) => n.includes("acme-dns"));
  policies[name!]!.policy = change(String(policies[name!]!.policy));
  return copy;
}

describe("the host's resources", () => {
  test("the instance has a made-up id of EC2's shape, the same on every reading", () => {
    expect(deployment).toMatchObject({ accountId: "123456789012", region: "eu-central-1", platform: "acme-mail", host: "mx1" });
    expect(deployment.instance).toMatchObject({ name: "acme-mail-mx1", instanceType: "t3.small", availabilityZone: "eu-central-1a", privateIp: "10.0.1.11" });
    expect(deployment.instance.id).toMatch(/^i-0[0-9a-f]{16}$/);
    expect(deployment.instance.arn).toBe(`arn:aws:ec2:eu-central-1:123456789012:instance/${deployment.instance.id}`);
    const again = readHost(synthExampleAfresh());
    expect(again.instance.id).toBe(deployment.instance.id);
    expect(again.dataVolume.id).toBe(deployment.dataVolume.id);
    expect(again.zones).toEqual(deployment.zones);
  });

  test("the data volume is attached to the instance and carries the tags the setup script filters on", () => {
    expect(deployment.dataVolume.id).toMatch(/^vol-0[0-9a-f]{16}$/);
    expect(deployment.dataVolume).toMatchObject({
      sizeGiB: 20,
      volumeType: "gp3",
      encrypted: true,
      availabilityZone: "eu-central-1a",
      tags: { "mail-platform-data": "acme-mail-mx1", "mail-platform-data-of": "acme-mail" },
      attachment: { instanceId: deployment.instance.id, device: "/dev/sdf" },
    });
    expect(deployment.volumes.map((v) => v.attachment.device)).toEqual(["/dev/xvda", "/dev/sdf"]);
    expect(deployment.volumes[0]!.tags).toEqual({ Name: "acme-mail-mx1" });
  });

  test("the created zones get made-up ids of Route53's shape", () => {
    expect(deployment.zones.map((z) => z.name)).toEqual(["acme-corp.example", "acme-family.example", "acme-home.example", "acme-shop.example"]);
    for (const zone of deployment.zones) expect(zone).toMatchObject({ id: expect.stringMatching(/^Z0[0-9A-Z]{19}$/), created: true });
    expect(new Set(deployment.zones.map((z) => z.id)).size).toBe(4);
  });

  test("a zone the model gives by id keeps that id", () => {
    const given = readHost(synthExample((i) => (i.dns!.zones![1]!.route53ZoneId = "Z05512345GIVENZONEID")));
    expect(given.zones.find((z) => z.name === "acme-shop.example")).toEqual({ name: "acme-shop.example", id: "Z05512345GIVENZONEID", created: false });
    expect(JSON.stringify(given.role.inlinePolicies.get("acme-dns-01"))).toContain("arn:aws:route53:::hostedzone/Z05512345GIVENZONEID");
  });

  test("the user data is cloud-init's, decoded from base64 and gzip", () => {
    expect(deployment.instance.userData.startsWith("#cloud-config\n")).toBe(true);
    expect(deployment.instance.userData).toContain("mail-platform-setup");
  });
});

describe("the network interface and its Elastic IPs", () => {
  test("the ENI carries both group addresses, with a made-up id and a MAC of EC2's shape", () => {
    const eni = deployment.networkInterface;
    expect(eni.id).toMatch(/^eni-0[0-9a-f]{16}$/);
    expect(eni.mac).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(eni.privateIps).toEqual(["10.0.1.11", "10.0.1.12"]);
  });

  test("each group address has the Elastic IP its association names, with a public address of its own, the same on every reading", () => {
    const eips = deployment.networkInterface.elasticIps;
    expect(eips.map((e) => e.privateIp)).toEqual(["10.0.1.11", "10.0.1.12"]);
    for (const eip of eips)
      expect(eip).toMatchObject({ allocationId: expect.stringMatching(/^eipalloc-0[0-9a-f]{16}$/), publicIp: expect.stringMatching(/^203\.0\.113\.\d+$/) });
    expect(new Set(eips.map((e) => e.publicIp)).size).toBe(2);
    expect(readHost(synthExampleAfresh()).networkInterface).toEqual(deployment.networkInterface);
  });

  test("an adopted Elastic IP keeps its allocation id; the created one gets a made-up id", () => {
    const adopted = readHost(synthExample((i) => (i.aws!.adoptElasticIps = [{ host: "mx1", group: "business", allocationId: "eipalloc-0123456789abcdef0" }])));
    const [business, privateGroup] = adopted.networkInterface.elasticIps;
    expect(business).toMatchObject({ allocationId: "eipalloc-0123456789abcdef0", privateIp: "10.0.1.11" });
    expect(privateGroup!.allocationId).not.toBe("eipalloc-0123456789abcdef0");
    expect(business!.publicIp).not.toBe(privateGroup!.publicIp);
  });

  test("an association naming an address the interface does not have is refused", () => {
    const copy = structuredClone(json);
    const [name] = Object.keys(copy.resource.aws_eip_association!);
    copy.resource.aws_eip_association![name!]!.private_ip_address = "10.0.1.99";
    expect(() => readHost(copy)).toThrow(/10\.0\.1\.99 is not an address of the interface eni-0/);
  });
});

describe("the role", () => {
  test("has its inline policies with every reference resolved, and the SSM managed policy", () => {
    expect([...deployment.role.inlinePolicies.keys()].sort()).toEqual(["acme-dns-01", "no-other-parameters", "read-own-configuration", "read-own-secrets"]);
    expect(deployment.role.managedPolicies.map((m) => m.arn)).toEqual(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
    expect(JSON.stringify([...deployment.role.inlinePolicies.values()])).not.toMatch(/\$\{|%\{/);
    expect(deployment.role).toMatchObject({
      name: "acme-mail-mx1",
      arn: "arn:aws:iam::123456789012:role/acme-mail-mx1",
      instanceProfile: { name: "acme-mail-mx1" },
    });
  });

  test("the ACME statement names exactly the zones' made-up ids, in the order Terraform wrote them", () => {
    const synthesizedPolicy = parseJsonWithReferences(String(Object.values(json.resource.aws_iam_role_policy!).find((p) => p.name === "acme-dns-01")!.policy));
    const expected = (synthesizedPolicy.Statement[1].Resource as string[]).map((arn) => {
      const zone = /\["([^"]+)"\]/.exec(arn.replace(/'/g, '"'))![1]!;
      return `arn:aws:route53:::hostedzone/${deployment.zones.find((z) => z.name === zone)!.id}`;
    });
    expect(deployment.role.inlinePolicies.get("acme-dns-01")!.Statement[1]).toMatchObject({ Sid: "AcmeChallengeRecordsOnly", Resource: expected });
  });
});

describe("customer managed policies (the blocklist watch's metric right)", () => {
  const watchedSynthesis = synthExample(withBlocklistWatch);
  const watched = watchedSynthesis.json;
  const readWatched = (doc: TerraformJson) => readHost(doc, watchedSynthesis);
  const METRICS_ARN = "arn:aws:iam::123456789012:policy/acme-mail-blocklist-metrics";
  /** A copy of the watched document with the metrics policy resource changed. */
  const withMetricsPolicy = (change: (policy: Record<string, unknown>) => void): TerraformJson => {
    const copy = structuredClone(watched);
    const [policy] = Object.values(copy.resource.aws_iam_policy!);
    change(policy!);
    return copy;
  };

  test("the attachment's ${aws_iam_policy.….arn} resolves to the policy's ARN, and the role has the policy as IAM holds it", () => {
    const { role } = readWatched(watched);
    expect(role.managedPolicies.map((m) => m.arn)).toEqual(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
    expect(role.customerManagedPolicies).toEqual([
      {
        arn: METRICS_ARN,
        name: "acme-mail-blocklist-metrics",
        version: "v1",
        document: parsePolicyDocument(blocklistMetricsPolicy("MailPlatform/acme-mail/Blocklists"), "metrics"),
      },
    ]);
  });

  test("without the watch there is none; without the attachment the policy exists and the role does not have it", () => {
    expect(deployment.role.customerManagedPolicies).toEqual([]);
    const detached = withoutCustomerPolicyAttachments(watched);
    expect(Object.keys(detached.resource.aws_iam_policy!)).toHaveLength(1);
    expect(readWatched(detached).role.customerManagedPolicies).toEqual([]);
  });

  test("a path is part of the ARN the attachment resolves to", () => {
    const { role } = readWatched(withMetricsPolicy((p) => (p.path = "/mail/")));
    expect(role.customerManagedPolicies.map((p) => p.arn)).toEqual(["arn:aws:iam::123456789012:policy/mail/acme-mail-blocklist-metrics"]);
  });

  test("refuses an attached policy the stack does not create, a policy without a name, and resources that attach policies otherwise", () => {
    const elsewhere = structuredClone(watched);
    const attachments = elsewhere.resource.aws_iam_role_policy_attachment!;
    const [metrics] = Object.keys(attachments).filter((n) => String(attachments[n]!.policy_arn).includes("aws_iam_policy."));
    attachments[metrics!]!.policy_arn = "arn:aws:iam::123456789012:policy/elsewhere";
    expect(() => readWatched(elsewhere)).toThrow(
      /^aws_iam_role_policy_attachment\.mail_blocklist-alerts_metrics-0_\w+: policy arn:aws:iam::123456789012:policy\/elsewhere is not created in cdk\.tf\.json/,
    );
    const unnamed = withMetricsPolicy((p) => {
      delete p.name;
      p.name_prefix = "acme-mail-blocklist-";
    });
    expect(() => readWatched(unnamed)).toThrow(/aws_iam_policy\.mail_blocklist-alerts_metrics_\w+: no name/);
    const exclusive = structuredClone(watched);
    exclusive.resource.aws_iam_policy_attachment = { all: { name: "all", roles: ["acme-mail-mx1"], policy_arn: METRICS_ARN } };
    expect(() => readWatched(exclusive)).toThrow("aws_iam_policy_attachment.all is not read by the rehearsal");
  });

  test("a world refuses a role with a customer managed policy named like one of its inline policies (its decisions name policies)", () => {
    const clash = readWatched(withMetricsPolicy((p) => (p.name = "acme-dns-01")));
    expect(clash.role.customerManagedPolicies.map((p) => p.arn)).toEqual(["arn:aws:iam::123456789012:policy/acme-dns-01"]);
    const options = { imds: { address: "127.0.0.1", port: 0 }, endpoint: { address: "127.0.0.1", port: 0 }, tls: { key: "", cert: "" } };
    expect(() => new AwsWorld(clash, options)).toThrow("role acme-mail-mx1 has two policies named acme-dns-01");
    expect(() => new AwsWorld(readWatched(watched), options)).not.toThrow();
  });
});

describe("bundles and rollout", () => {
  const [bucket] = deployment.buckets;

  test("the bucket keeps its policy (references resolved), versioning, encryption and public access block", () => {
    expect(bucket).toMatchObject({ name: "acme-mail-config-vpc-0a1b2c3d4e5f60718", versioned: true, publicAccessBlocked: true, encryption: "AES256" });
    expect(bucket!.policy!.Statement[0]).toMatchObject({
      Sid: "DenyPlaintextTransport",
      Resource: ["arn:aws:s3:::acme-mail-config-vpc-0a1b2c3d4e5f60718", "arn:aws:s3:::acme-mail-config-vpc-0a1b2c3d4e5f60718/*"],
    });
  });

  test("each bundle object is the file Terraform uploads (its `source` beside cdk.tf.json), byte for byte, under its content hash", () => {
    const [synthesizedObject] = Object.values(json.resource.aws_s3_object!);
    const [object] = bucket!.objects;
    expect(object!.body.toString("utf8")).toBe(synthesized.readSource(String(synthesizedObject!.source)));
    // The rendered configuration holds `${…}` of its own (Postfix, shell): a file's bytes are not a template.
    expect(object!.body.toString("utf8")).toContain("${");
    expect(object!.body.toString("utf8")).not.toContain("$${");
    expect(object!.contentType).toBe("application/json");
    const parsed = JSON.parse(object!.body.toString("utf8")) as { id: string; host: string };
    expect(object!.key).toBe(`bundles/mx1/${parsed.id}.json`);
    expect(parsed.host).toBe("mx1");
  });

  test("the rollout association targets the instance and applies that bundle", () => {
    expect(deployment.association).toEqual({
      name: "acme-mail-mx1-apply-configuration",
      documentName: "AWS-RunShellScript",
      commands: `/usr/local/sbin/mail-platform-apply s3://${bucket!.name}/${bucket!.objects[0]!.key}`,
      instanceIds: [deployment.instance.id],
    });
  });
});

describe("refusals", () => {
  test("fails on a reference it cannot resolve, naming the reference and where it is", () => {
    const unknownResource = withPolicy((p) => p.replace('"Resource":"*"', '"Resource":"${aws_lambda_function.x.arn}"'));
    expect(() => readHost(unknownResource)).toThrow(
      /aws_iam_role_policy\.mail_host-mx1_role_acme-dns_\w+\.policy: cannot resolve the Terraform reference \$\{aws_lambda_function\.x\.arn\}/,
    );
    const unknownZone = withPolicy((p) => p.replace('["acme-corp.example"]', '["unknown.example"]'));
    expect(() => readHost(unknownZone)).toThrow(
      /cannot resolve the Terraform reference \$\{aws_route53_zone\.mail_zones_created_\w+\["unknown\.example"\]\.zone_id\}/,
    );
  });

  test("fails on a template directive rather than passing it through", () => {
    expect(() => readHost(withPolicy((p) => p.replace('"Version"', '"%{ if true }Version%{ endif }"')))).toThrow("Terraform template directive");
  });

  test("fails on an object whose file is not beside cdk.tf.json, and on a document read without its files", () => {
    const moved = structuredClone(json);
    const [name] = Object.keys(moved.resource.aws_s3_object!);
    moved.resource.aws_s3_object![name!]!.source = "elsewhere/mx1.bundle.json";
    expect(() => readHost(moved)).toThrow(`aws_s3_object.${name}.source: no file elsewhere/mx1.bundle.json beside cdk.tf.json`);
    expect(() => readDeployment(json, "mx1")).toThrow(`aws_s3_object.${name}.source: no file mail-platform/acme-mail/mx1.bundle.json beside cdk.tf.json`);
  });

  test("fails on a host that is not in the document, listing the hosts", () => {
    expect(() => readHost(json, synthesized, "mx9")).toThrow("host mx9 is not in cdk.tf.json (hosts found: mx1)");
  });
});
