/**
 * The blocklist watch's metric against the CloudWatch stand-in, published as the host publishes it:
 * the host's own client (lib/apply/mail-platform-aws.py on Debian's boto3, `put-metric-data
 * <namespace> <json>`, the watch's call verbatim, region and credentials from the IMDS stand-in
 * only) resolving `monitoring.<region>.amazonaws.com` to the stand-in and trusting the test CA, as
 * aws-stand-ins.test.ts runs its clients. The example is synthesized with the watch on, so the host
 * role has the customer managed policy `acme-mail-blocklist-metrics` through its attachment.
 * Negative controls: another namespace is refused by the policy's `cloudwatch:namespace`
 * condition; a world read from the same synthesis without the attachment refuses the host's own
 * namespace; a datum CloudWatch rejects and a forged signature are refused; nothing refused is
 * kept.
 *
 * Addresses: the world as synthesized, IMDS 127.0.78.1:80 and endpoint 127.0.78.2:443; the world
 * without the attachment, 127.0.78.3 and 127.0.78.4.
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { readDeployment, type Deployment } from "../../../lib/rehearsal/aws/deployment";
import { AwsWorld } from "../../../lib/rehearsal/aws/world";
import { withBlocklistWatch, withoutCustomerPolicyAttachments } from "../../support/blocklist-watch-model";
import { synthExample, type Synthesized, type TerraformJson } from "../../support/synth";
import { ClientSandbox, issueCertificate, requireClients, type ClientResult } from "./aws-clients";

const NAMESPACE = "MailPlatform/acme-mail/Blocklists";
const OTHER_NAMESPACE = "MailPlatform/other-mail/Blocklists";
const DIMENSIONS = [
  { Name: "Host", Value: "mx1" },
  { Name: "Group", Value: "business" },
];
const LISTED = [{ MetricName: "Listed", Dimensions: DIMENSIONS, Value: 1, Unit: "Count" }];

/** A started world with clients that reach it. */
interface Running {
  readonly deployment: Deployment;
  readonly world: AwsWorld;
  readonly clients: ClientSandbox;
}

let dir: string;
let granted: Running | undefined;
let detached: Running | undefined;

/** A world of host mx1 read from `json`, listening on its own two addresses, with its own CA. */
async function startWorld(name: string, json: TerraformJson, readSource: Synthesized["readSource"], imds: string, endpoint: string): Promise<Running> {
  const deployment = readDeployment(json, "mx1", { readSource });
  let caFile = "";
  const world = new AwsWorld(deployment, {
    imds: { address: imds, port: 80 },
    endpoint: { address: endpoint, port: 443 },
    tls: (names) => {
      const issued = issueCertificate(join(dir, name, "tls"), names);
      caFile = issued.caFile;
      return issued;
    },
  });
  await world.start();
  const clients = new ClientSandbox(join(dir, name), endpoint, world.hostNames(), {
    AWS_EC2_METADATA_SERVICE_ENDPOINT: `${world.imdsUrl}/`,
    AWS_CA_BUNDLE: caFile,
  });
  return { deployment, world, clients };
}

beforeAll(async () => {
  requireClients();
  dir = mkdtempSync(join(tmpdir(), "cloudwatch-stand-in-"));
  const { json: watched, readSource } = synthExample(withBlocklistWatch);
  granted = await startWorld("granted", watched, readSource, "127.0.78.1", "127.0.78.2");
  detached = await startWorld("detached", withoutCustomerPolicyAttachments(watched), readSource, "127.0.78.3", "127.0.78.4");
});

afterAll(async () => {
  await Promise.all([granted?.world.stop(), detached?.world.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The watch's call, verbatim: no --region (the instance's, from IMDS). */
const putMetricData = (running: Running, namespace: string, data: unknown, env: Record<string, string> = {}) =>
  running.clients.run(
    ["/usr/bin/python3", join(__dirname, "..", "..", "..", "lib", "apply", "mail-platform-aws.py"), "put-metric-data", namespace, JSON.stringify(data)],
    env,
  );
const ok = (result: ClientResult) => {
  if (result.status !== 0) throw new Error(`client failed (${result.status}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
};
const lastCall = (running: Running, action: string) => [...running.world.calls].reverse().find((c) => c.action === action);
const session = (running: Running) => `arn:aws:sts::123456789012:assumed-role/acme-mail-mx1/${running.deployment.instance.id}`;
const denial = (running: Running) =>
  `mail-platform-aws put-metric-data: An error occurred (AccessDenied) when calling the PutMetricData operation: User: ${session(running)} is not authorized to perform: cloudwatch:PutMetricData because no identity-based policy allows the cloudwatch:PutMetricData action`;

describe("the host's metric with the role as synthesized", () => {
  test("put-metric-data into the platform's namespace succeeds; the world holds the data point; the attached policy allowed it", async () => {
    const { world } = granted!;
    world.clearCalls();
    expect(ok(await putMetricData(granted!, NAMESPACE, LISTED))).toBe("");
    expect(world.metricData()).toEqual([
      {
        namespace: NAMESPACE,
        metricName: "Listed",
        dimensions: [
          { name: "Host", value: "mx1" },
          { name: "Group", value: "business" },
        ],
        value: 1,
        unit: "Count",
        storageResolution: 60,
        publisher: session(granted!),
        receivedAt: expect.any(Date),
      },
    ]);
    expect(world.calls.filter((c) => c.service === "cloudwatch")).toEqual([
      expect.objectContaining({
        action: "cloudwatch:PutMetricData",
        resource: "*",
        principal: session(granted!),
        decision: "allowed",
        reason: `allowed by acme-mail-blocklist-metrics/PublishBlocklistMetricsOnly; 1 datum into ${NAMESPACE}`,
        status: 200,
      }),
    ]);
    // The client asked IMDS for the region and the role's credentials, and nothing else answered it.
    expect(world.calls.some((c) => c.service === "imds" && c.action === "GET /latest/meta-data/placement/region")).toBe(true);
  });

  test("the same into another namespace is refused with AccessDenied naming cloudwatch:PutMetricData (exit 1), and nothing is kept", async () => {
    const { world } = granted!;
    const before = world.metricData().length;
    const refused = await putMetricData(granted!, OTHER_NAMESPACE, LISTED);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(denial(granted!));
    expect(world.metricData(OTHER_NAMESPACE)).toEqual([]);
    expect(world.metricData()).toHaveLength(before);
    expect(lastCall(granted!, "cloudwatch:PutMetricData")).toMatchObject({ decision: "denied", code: "AccessDenied", status: 403 });
  });

  test("the policy's statement removed, the platform's own namespace is refused as well", async () => {
    const { world } = granted!;
    world.removeStatement("acme-mail-blocklist-metrics", "PublishBlocklistMetricsOnly");
    try {
      const refused = await putMetricData(granted!, NAMESPACE, LISTED);
      expect(refused.status).toBe(1);
      expect(refused.stderr.trim()).toBe(denial(granted!));
    } finally {
      world.restorePolicies();
    }
  });

  test("a datum CloudWatch rejects (a unit outside its set) fails with CloudWatch's error, and nothing is kept", async () => {
    const { world } = granted!;
    const before = world.metricData().length;
    const refused = await putMetricData(granted!, NAMESPACE, [{ ...LISTED[0], Unit: "Counts" }]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      "An error occurred (ValidationError) when calling the PutMetricData operation: 1 validation error detected: Value 'Counts' at 'metricData.1.member.unit' failed to satisfy constraint",
    );
    expect(world.metricData()).toHaveLength(before);
  });

  test("the issued key and token with another secret are refused as a signature mismatch, and nothing is kept", async () => {
    const { world } = granted!;
    const before = world.metricData().length;
    const { accessKeyId, sessionToken } = world.roleCredentials;
    const forged = { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: "not-the-secret-not-the-secret-not-the-se", AWS_SESSION_TOKEN: sessionToken };
    const refused = await putMetricData(granted!, NAMESPACE, LISTED, forged);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("An error occurred (SignatureDoesNotMatch) when calling the PutMetricData operation");
    expect(world.metricData()).toHaveLength(before);
    expect(lastCall(granted!, "cloudwatch:PutMetricData")).toMatchObject({ decision: "denied", code: "SignatureDoesNotMatch" });
  });
});

describe("negative control: the same synthesis with the policy attached to no role", () => {
  test("the role has no customer managed policy, and put-metric-data into the platform's namespace is refused (exit 1)", async () => {
    const { world, deployment } = detached!;
    expect(deployment.role.customerManagedPolicies).toEqual([]);
    expect(granted!.deployment.role.customerManagedPolicies.map((p) => p.name)).toEqual(["acme-mail-blocklist-metrics"]);
    const refused = await putMetricData(detached!, NAMESPACE, LISTED);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(denial(detached!));
    expect(world.metricData()).toEqual([]);
    expect(world.firstDenied()).toMatchObject({
      service: "cloudwatch",
      action: "cloudwatch:PutMetricData",
      principal: session(detached!),
      code: "AccessDenied",
    });
  });
});
