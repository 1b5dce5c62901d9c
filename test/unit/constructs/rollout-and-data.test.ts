/**
 * What issue "no mail lost on change" asks of the synthesized stack: a separate, encrypted,
 * attached, protected data volume (with optional snapshots); configuration changes that reach
 * the running host through a content-addressed bundle and an SSM association, never by replacing it.
 */
import { parseJsonWithReferences, resources, synthExample, type TerraformJson } from "../../support/synth";

const one = (json: TerraformJson, type: string) => {
  const list = resources(json, type);
  expect(list).toHaveLength(1);
  return list[0]!;
};

describe("mail data volume", () => {
  const { json } = synthExample();

  test("is a separate encrypted gp3 volume in the host's availability zone, tagged for the host to find", () => {
    const volume = one(json, "aws_ebs_volume");
    expect(volume).toMatchObject({
      encrypted: true,
      type: "gp3",
      size: 20,
      tags: { "mail-platform-data": "acme-mail-mx1", "mail-platform-data-of": "acme-mail" },
    });
    expect(String(volume.availability_zone)).toMatch(/^\$\{data\.aws_subnet\..*\.availability_zone\}$/);
    expect(resources(json, "aws_instance")[0]!.ebs_block_device).toBeUndefined();
  });

  test("is attached to the instance and protected from destroy by default", () => {
    const [volumeId] = Object.keys(json.resource.aws_ebs_volume!);
    const [instanceId] = Object.keys(json.resource.aws_instance!);
    expect(one(json, "aws_volume_attachment")).toMatchObject({
      device_name: "/dev/sdf",
      volume_id: `\${aws_ebs_volume.${volumeId}.id}`,
      instance_id: `\${aws_instance.${instanceId}.id}`,
      stop_instance_before_detaching: true,
    });
    expect(one(json, "aws_ebs_volume").lifecycle).toEqual({ prevent_destroy: true });
  });

  test("protection can be switched off for throw-away platforms, and snapshots switched on", () => {
    const { json: other } = synthExample((i) => (i.aws!.dataVolumes = { preventDestroy: false, snapshots: { everyHours: 12, keep: 14 } }));
    expect(one(other, "aws_ebs_volume").lifecycle).toEqual({ prevent_destroy: false });
    expect(one(other, "aws_dlm_lifecycle_policy")).toMatchObject({
      state: "ENABLED",
      policy_details: {
        resource_types: ["VOLUME"],
        target_tags: { "mail-platform-data-of": "acme-mail" },
        schedule: [{ create_rule: { interval: 12, interval_unit: "HOURS" }, retain_rule: { count: 14 }, copy_tags: true }],
      },
    });
  });
});

describe("in-place rollout", () => {
  test("a configuration change changes the bundle and the association, never the instance's replacement triggers", () => {
    const before = synthExample().json;
    const after = synthExample((i) => (i.messageSizeLimitBytes = 20_971_520)).json;
    const instanceBefore = one(before, "aws_instance");
    const instanceAfter = one(after, "aws_instance");
    // Everything that would replace the instance stays the same; user data is ignored after creation.
    for (const key of ["ami", "instance_type", "primary_network_interface", "root_block_device", "iam_instance_profile", "metadata_options"]) {
      expect(instanceAfter[key]).toEqual(instanceBefore[key]);
    }
    expect(instanceAfter.user_data_replace_on_change).toBe(false);
    expect(instanceAfter.lifecycle).toEqual({ ignore_changes: ["ami", "user_data_base64"] });
    expect(one(after, "aws_s3_object").key).not.toEqual(one(before, "aws_s3_object").key);
    expect(one(after, "aws_ssm_association").parameters).not.toEqual(one(before, "aws_ssm_association").parameters);
  });

  test("the association runs the apply script on exactly the published bundle of this host", () => {
    const { json } = synthExample();
    const key = String(one(json, "aws_s3_object").key);
    const [instanceId] = Object.keys(json.resource.aws_instance!);
    expect(one(json, "aws_ssm_association")).toMatchObject({
      name: "AWS-RunShellScript",
      association_name: "acme-mail-mx1-apply-configuration",
      targets: [{ key: "InstanceIds", values: [`\${aws_instance.${instanceId}.id}`] }],
      parameters: { commands: `/usr/local/sbin/mail-platform-apply s3://acme-mail-config-vpc-0a1b2c3d4e5f60718/${key}` },
    });
  });

  test("bundles live in a private, versioned, encrypted bucket that refuses plaintext access", () => {
    const { json } = synthExample();
    expect(one(json, "aws_s3_bucket").bucket).toBe("acme-mail-config-vpc-0a1b2c3d4e5f60718");
    expect(one(json, "aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(one(json, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(one(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = JSON.parse(String(one(json, "aws_s3_bucket_policy").policy));
    expect(policy.Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  test("the host may read only its own bundles", () => {
    const { json } = synthExample();
    const policies = resources(json, "aws_iam_role_policy").map((p) => parseJsonWithReferences(String(p.policy)));
    const read = policies.flatMap((p) => p.Statement).find((s: { Sid: string }) => s.Sid === "ReadOwnBundles");
    expect(read).toEqual({
      Sid: "ReadOwnBundles",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::acme-mail-config-vpc-0a1b2c3d4e5f60718/bundles/mx1/*",
    });
  });
});

describe("rollout ordering", () => {
  const { json } = synthExample();

  test("the association changes only after the bundle it names and the role's grants exist (SSM runs it at once)", () => {
    const association = one(json, "aws_ssm_association");
    const [objectId] = Object.keys(json.resource.aws_s3_object!);
    const grants = [
      ...Object.keys(json.resource.aws_iam_role_policy!).map((id) => `aws_iam_role_policy.${id}`),
      ...Object.keys(json.resource.aws_iam_role_policy_attachment!).map((id) => `aws_iam_role_policy_attachment.${id}`),
    ];
    expect(association.depends_on).toEqual(expect.arrayContaining([`aws_s3_object.${objectId}`, ...grants]));
    expect((association.depends_on as string[]).length).toBe(1 + grants.length);
    expect(String((association.parameters as Record<string, string>).commands)).toContain(String(one(json, "aws_s3_object").key));
  });
});
