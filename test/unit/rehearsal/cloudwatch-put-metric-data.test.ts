/**
 * CloudWatch's PutMetricData as the stand-in reads it: the query protocol's parameters as Debian's
 * botocore serializes them, CloudWatch's limits and error codes, and the stand-in itself behind a
 * verified signature — authorized by the blocklist watch's real policy
 * (lib/constructs/blocklist-alerts.ts) through the `cloudwatch:namespace` condition key, gzip
 * bodies accepted as CloudWatch accepts them, and nothing kept of a refused call.
 */
import { gzipSync } from "zlib";
import { blocklistMetricsPolicy } from "../../../lib/constructs/blocklist-alerts";
import { AccessControl, type CallerIdentity } from "../../../lib/rehearsal/aws/access";
import { CallLog } from "../../../lib/rehearsal/aws/call-log";
import { CloudWatchStandIn } from "../../../lib/rehearsal/aws/cloudwatch";
import { MetricDataError, parsePutMetricData } from "../../../lib/rehearsal/aws/cloudwatch-metric-data";
import { issueRoleCredentials, type RoleCredentials } from "../../../lib/rehearsal/aws/credentials";
import { formParameters, type AwsRequest } from "../../../lib/rehearsal/aws/http-exchange";
import { parsePolicyDocument } from "../../../lib/rehearsal/aws/policy-document";
import { signSigV4 } from "../../../lib/rehearsal/aws/sigv4";

const REGION = "eu-central-1";
const ACCOUNT = "123456789012";
const NOW = new Date("2026-03-02T10:00:00Z");
const NAMESPACE = "MailPlatform/acme-mail/Blocklists";
const HOST = `monitoring.${REGION}.amazonaws.com`;

/** The host's call (`put-metric-data <namespace> '[{"MetricName":"Listed",…}]'`) as botocore 1.29 serializes it. */
const HOST_CALL =
  "Action=PutMetricData&Version=2010-08-01&Namespace=MailPlatform%2Facme-mail%2FBlocklists&MetricData.member.1.MetricName=Listed" +
  "&MetricData.member.1.Dimensions.member.1.Name=Host&MetricData.member.1.Dimensions.member.1.Value=mx1" +
  "&MetricData.member.1.Dimensions.member.2.Name=Group&MetricData.member.1.Dimensions.member.2.Value=business" +
  "&MetricData.member.1.Value=1&MetricData.member.1.Unit=Count";

const parse = (query: string) => parsePutMetricData(formParameters(query), NOW);
/** The host's call with parameters replaced (`undefined` removes one) or added. */
const changed = (changes: Record<string, string | undefined>) => {
  const params = formParameters(HOST_CALL);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) params.delete(key);
    else params.set(key, value);
  }
  return params;
};
const refusal = (params: ReadonlyMap<string, string>) => {
  try {
    parsePutMetricData(params, NOW);
  } catch (error) {
    if (error instanceof MetricDataError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("the request was accepted");
};

describe("the query parameters of PutMetricData", () => {
  test("the host's call reads as its one datum: name, dimensions in order, value, unit, standard resolution", () => {
    expect(parse(HOST_CALL)).toEqual({
      namespace: NAMESPACE,
      metricData: [
        {
          metricName: "Listed",
          dimensions: [
            { name: "Host", value: "mx1" },
            { name: "Group", value: "business" },
          ],
          unit: "Count",
          storageResolution: 60,
          value: 1,
        },
      ],
    });
  });

  test("several data, by member number; Values with Counts (1 each when none), statistic sets, time stamps, high resolution, no unit", () => {
    const { metricData } = parse(
      "Action=PutMetricData&Version=2010-08-01&Namespace=N" +
        "&MetricData.member.2.MetricName=B&MetricData.member.2.Values.member.1=0.5&MetricData.member.2.Values.member.2=2e-05" +
        "&MetricData.member.2.Counts.member.1=3&MetricData.member.2.Counts.member.2=1" +
        "&MetricData.member.1.MetricName=A&MetricData.member.1.Value=-7.25&MetricData.member.1.Timestamp=2026-03-02T09:30:00.250000Z" +
        "&MetricData.member.1.StorageResolution=1&MetricData.member.1.Dimensions=" +
        "&MetricData.member.3.MetricName=C&MetricData.member.3.Values.member.1=4" +
        "&MetricData.member.4.MetricName=D&MetricData.member.4.StatisticValues.SampleCount=2&MetricData.member.4.StatisticValues.Sum=3" +
        "&MetricData.member.4.StatisticValues.Minimum=1&MetricData.member.4.StatisticValues.Maximum=2&MetricData.member.4.Unit=Seconds",
    );
    expect(metricData).toEqual([
      { metricName: "A", dimensions: [], timestamp: new Date("2026-03-02T09:30:00.250Z"), unit: "None", storageResolution: 1, value: -7.25 },
      {
        metricName: "B",
        dimensions: [],
        unit: "None",
        storageResolution: 60,
        values: [
          { value: 0.5, count: 3 },
          { value: 2e-5, count: 1 },
        ],
      },
      { metricName: "C", dimensions: [], unit: "None", storageResolution: 60, values: [{ value: 4, count: 1 }] },
      { metricName: "D", dimensions: [], unit: "Seconds", storageResolution: 60, statisticValues: { sampleCount: 2, sum: 3, minimum: 1, maximum: 2 } },
    ]);
  });

  test("missing parameters are named as CloudWatch names them", () => {
    expect(refusal(changed({ Namespace: undefined }))).toEqual({ code: "MissingParameter", message: "The parameter Namespace is required." });
    expect(refusal(formParameters("Action=PutMetricData&Version=2010-08-01&Namespace=N&MetricData="))).toEqual({
      code: "MissingParameter",
      message: "The parameter MetricData is required.",
    });
    expect(refusal(changed({ "MetricData.member.1.MetricName": undefined }))).toMatchObject({
      message: "The parameter MetricData.member.1.MetricName is required.",
    });
    expect(refusal(changed({ "MetricData.member.1.Dimensions.member.2.Value": undefined }))).toMatchObject({
      message: "The parameter MetricData.member.1.Dimensions.member.2.Value is required.",
    });
    expect(refusal(changed({ "MetricData.member.1.StatisticValues.Sum": "1", "MetricData.member.1.Value": undefined }))).toMatchObject({
      code: "MissingParameter",
      message: "The parameter MetricData.member.1.StatisticValues.SampleCount is required.",
    });
  });

  test("values CloudWatch rejects: NaN, infinities (as Python writes them), beyond ±2^360, below 2^-360 but not zero", () => {
    for (const value of ["nan", "NaN", "inf", "-inf", "Infinity", "1e109", "-1e109", "1e-109", "", "0x10", "1,5"])
      expect(refusal(changed({ "MetricData.member.1.Value": value }))).toEqual({
        code: "InvalidParameterValue",
        message: `The value ${value} for parameter MetricData.member.1.Value is invalid.`,
      });
    for (const value of ["0", "-0.0", "1e108", "8.6e-109"])
      expect(parse(HOST_CALL.replace("Value=1&", `Value=${value}&`)).metricData[0]!.value).toBe(Number(value));
  });

  test("Value, Values and StatisticValues: exactly one; Counts as many as Values; at most 150 values", () => {
    expect(refusal(changed({ "MetricData.member.1.Values.member.1": "2" }))).toEqual({
      code: "InvalidParameterCombination",
      message: "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both.",
    });
    expect(refusal(changed({ "MetricData.member.1.Value": undefined }))).toMatchObject({ code: "InvalidParameterCombination" });
    const values = { "MetricData.member.1.Value": undefined, "MetricData.member.1.Values.member.1": "2", "MetricData.member.1.Values.member.2": "3" };
    expect(refusal(changed({ ...values, "MetricData.member.1.Counts.member.1": "1" }))).toEqual({
      code: "InvalidParameterValue",
      message: "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.",
    });
    // A gap in the numbering is a missing member, not a shorter list.
    expect(refusal(changed({ ...values, "MetricData.member.1.Counts.member.2": "1" }))).toEqual({
      code: "MissingParameter",
      message: "The parameter MetricData.member.1.Counts.member.1 is required.",
    });
    const many = Object.fromEntries(Array.from({ length: 151 }, (_, i) => [`MetricData.member.1.Values.member.${i + 1}`, String(i)]));
    expect(refusal(changed({ "MetricData.member.1.Value": undefined, ...many }))).toMatchObject({
      message: "The collection MetricData.member.1.Values must not have a size greater than 150.",
    });
  });

  test("units outside the enum, names too long, and the namespace's pattern are model constraints (ValidationError)", () => {
    expect(refusal(changed({ "MetricData.member.1.Unit": "Counts" }))).toEqual({
      code: "ValidationError",
      message: expect.stringMatching(
        /^1 validation error detected: Value 'Counts' at 'metricData\.1\.member\.unit' failed to satisfy constraint: Member must satisfy enum value set: \[Seconds, .*, Count, .*None\]$/,
      ),
    });
    expect(refusal(changed({ "MetricData.member.1.MetricName": "x".repeat(256) })).message).toContain(
      "at 'metricData.1.member.metricName' failed to satisfy constraint: Member must have length less than or equal to 255",
    );
    expect(refusal(changed({ "MetricData.member.1.Dimensions.member.2.Value": "v".repeat(1025) })).message).toContain(
      "at 'metricData.1.member.dimensions.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 1024",
    );
    expect(refusal(changed({ Namespace: ":x" }))).toMatchObject({ code: "ValidationError" });
  });

  test("AWS/ namespaces, non-ASCII or blank dimensions, more than 30 dimensions and 1000 data are refused", () => {
    expect(refusal(changed({ Namespace: "AWS/EC2" }))).toEqual({
      code: "InvalidParameterValue",
      message: "The value AWS/EC2 for parameter Namespace is invalid.",
    });
    expect(refusal(changed({ "MetricData.member.1.Dimensions.member.1.Value": "mx1 – east" }))).toEqual({
      code: "InvalidParameterValue",
      message: "The value mx1 – east for parameter MetricData.member.1.Dimensions.member.1.Value is invalid.",
    });
    expect(refusal(changed({ "MetricData.member.1.Dimensions.member.1.Name": " " })).code).toBe("InvalidParameterValue");
    expect(refusal(changed({ "MetricData.member.1.Dimensions.member.1.Name": ":Host" })).code).toBe("InvalidParameterValue");
    const dimensions = Object.fromEntries(
      Array.from({ length: 31 }, (_, i) => [
        [`MetricData.member.1.Dimensions.member.${i + 1}.Name`, `d${i}`],
        [`MetricData.member.1.Dimensions.member.${i + 1}.Value`, "v"],
      ]).flat(),
    );
    expect(refusal(changed(dimensions)).message).toBe("The collection MetricData.member.1.Dimensions must not have a size greater than 30.");
    const data = Object.fromEntries(
      Array.from({ length: 1001 }, (_, i) => [
        [`MetricData.member.${i + 1}.MetricName`, "m"],
        [`MetricData.member.${i + 1}.Value`, "1"],
      ]).flat(),
    );
    expect(refusal(changed(data)).message).toBe("The collection MetricData must not have a size greater than 1000.");
  });

  test("time stamps: ISO 8601, from two weeks ago to two hours ahead", () => {
    const at = (timestamp: string) => changed({ "MetricData.member.1.Timestamp": timestamp });
    expect(parsePutMetricData(at("2026-02-16T10:00:01Z"), NOW).metricData[0]!.timestamp).toEqual(new Date("2026-02-16T10:00:01Z"));
    expect(refusal(at("2026-02-16T09:59:59Z")).message).toBe("The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.");
    expect(refusal(at("2026-03-02T12:00:01Z")).message).toBe(
      "The parameter MetricData.member.1.Timestamp must specify a time no more than two hours in the future.",
    );
    expect(refusal(at("1772445600")).message).toBe("The value 1772445600 for parameter MetricData.member.1.Timestamp is invalid.");
  });

  test("a parameter this reader does not know is refused, not dropped", () => {
    expect(refusal(changed({ "EntityMetricData.member.1.Entity.KeyAttributes.entry.1.key": "Type" })).message).toBe(
      "The parameter EntityMetricData.member.1.Entity.KeyAttributes.entry.1.key is not emulated by the rehearsal.",
    );
    expect(refusal(changed({ "MetricData.member.1.Dimensions.member.1.Label": "x" })).message).toContain("Dimensions.member.1.Label is not emulated");
    expect(refusal(changed({ "MetricData.member.1.StatisticValues.Median": "1" })).message).toContain("StatisticValues.Median is not emulated");
  });
});

const instance: CallerIdentity = {
  accountId: ACCOUNT,
  sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/acme-mail-mx1/i-0abc`,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/acme-mail-mx1`,
  userId: "AROAHOSTROLEEXAMPLE:i-0abc",
  instanceArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0abc`,
  privateIp: "10.0.1.11",
};
const credentials = issueRoleCredentials(NOW);
const metricsPolicy = {
  name: "acme-mail-blocklist-metrics",
  kind: "identity" as const,
  document: parsePolicyDocument(blocklistMetricsPolicy(NAMESPACE), "acme-mail-blocklist-metrics"),
};

function standIn(policies = [metricsPolicy]) {
  const log = new CallLog();
  const access = new AccessControl({ identity: instance, credentials: () => credentials, identityPolicies: () => policies, now: () => NOW });
  return { log, cloudwatch: new CloudWatchStandIn({ access, log, region: REGION, accountId: ACCOUNT, now: () => NOW }) };
}

/** A signed query-protocol POST, as botocore sends it (gzip-encoded with `gzip`, signed over the compressed bytes as botocore signs it). */
function request(form: string, signWith: RoleCredentials = credentials, options: { gzip?: boolean; service?: string } = {}): AwsRequest {
  const amzDate = NOW.toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const parts = {
    method: "POST",
    path: "/",
    query: "",
    body: options.gzip ? gzipSync(form) : Buffer.from(form),
    headers: [
      ["host", HOST],
      ["content-type", "application/x-www-form-urlencoded; charset=utf-8"],
      ...(options.gzip ? [["content-encoding", "gzip"]] : []),
      ["x-amz-date", amzDate],
      ["x-amz-security-token", signWith.sessionToken],
    ] as [string, string][],
  };
  const authorization = signSigV4(parts, signWith, { region: REGION, service: options.service ?? "monitoring", uriStyle: "standard", amzDate });
  return { ...parts, headers: [...parts.headers, ["authorization", authorization]], host: HOST, remoteAddress: "10.0.1.11", secure: true, received: NOW };
}

describe("the CloudWatch stand-in", () => {
  test("the host's call into its namespace is allowed by the blocklist metrics policy, answered in CloudWatch's XML, and its datum kept", async () => {
    const { cloudwatch, log } = standIn();
    const reply = await cloudwatch.handle(request(HOST_CALL));
    expect(reply.status).toBe(200);
    expect(String(reply.body)).toMatch(
      /^<\?xml version="1\.0"\?>\n<PutMetricDataResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/PutMetricDataResponse>$/,
    );
    expect(cloudwatch.data()).toEqual([
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
        publisher: instance.sessionArn,
        receivedAt: NOW,
      },
    ]);
    expect(log.calls).toEqual([
      expect.objectContaining({
        service: "cloudwatch",
        action: "cloudwatch:PutMetricData",
        resource: "*",
        principal: instance.sessionArn,
        decision: "allowed",
        reason: `allowed by acme-mail-blocklist-metrics/PublishBlocklistMetricsOnly; 1 datum into ${NAMESPACE}`,
        status: 200,
      }),
    ]);
  });

  test("another namespace is denied with AccessDenied naming the action, and nothing is kept", async () => {
    const { cloudwatch, log } = standIn();
    const reply = await cloudwatch.handle(request(HOST_CALL.replace("acme-mail%2FBlocklists", "other-mail%2FBlocklists")));
    expect(reply.status).toBe(403);
    expect(String(reply.body)).toContain(
      `<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: ${instance.sessionArn} is not authorized to perform: cloudwatch:PutMetricData because no identity-based policy allows the cloudwatch:PutMetricData action</Message></Error><RequestId>`,
    );
    expect(cloudwatch.data()).toEqual([]);
    expect(log.firstDenied()).toMatchObject({ service: "cloudwatch", action: "cloudwatch:PutMetricData", code: "AccessDenied", status: 403 });
  });

  test("without the policy the host's own namespace is denied too", async () => {
    const { cloudwatch } = standIn([]);
    expect((await cloudwatch.handle(request(HOST_CALL))).status).toBe(403);
    expect(cloudwatch.data()).toEqual([]);
  });

  test("a gzip-encoded body, signed as sent, is inflated and read", async () => {
    const { cloudwatch } = standIn();
    expect((await cloudwatch.handle(request(HOST_CALL, credentials, { gzip: true }))).status).toBe(200);
    expect(cloudwatch.data().map((d) => [d.metricName, d.value])).toEqual([["Listed", 1]]);
  });

  test("a request CloudWatch would refuse is answered with its code in the query protocol's error, logged as an error, and nothing kept", async () => {
    const { cloudwatch, log } = standIn();
    const reply = await cloudwatch.handle(request(HOST_CALL.replace("Value=1", "Value=nan")));
    expect(reply.status).toBe(400);
    expect(String(reply.body)).toContain(
      "<Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>The value nan for parameter MetricData.member.1.Value is invalid.</Message></Error>",
    );
    expect(cloudwatch.data()).toEqual([]);
    expect(log.calls.at(-1)).toMatchObject({ action: "cloudwatch:PutMetricData", decision: "error", code: "InvalidParameterValue" });
  });

  test("signatures: another secret, or a scope for another service, is refused before anything is read", async () => {
    const { cloudwatch, log } = standIn();
    const forged = await cloudwatch.handle(request(HOST_CALL, { ...credentials, secretAccessKey: "not-the-secret" }));
    expect(forged.status).toBe(403);
    expect(String(forged.body)).toContain("<Code>SignatureDoesNotMatch</Code>");
    const otherService = await cloudwatch.handle(request(HOST_CALL, credentials, { service: "ec2" }));
    expect(otherService.status).toBe(403);
    expect(cloudwatch.data()).toEqual([]);
    expect(log.calls.map((c) => [c.action, c.decision])).toEqual([
      ["cloudwatch:PutMetricData", "denied"],
      ["cloudwatch:PutMetricData", "denied"],
    ]);
  });

  test("other actions are answered with InvalidAction and logged", async () => {
    const { cloudwatch, log } = standIn();
    const reply = await cloudwatch.handle(request("Action=ListMetrics&Version=2010-08-01"));
    expect(reply.status).toBe(400);
    expect(String(reply.body)).toContain("<Code>InvalidAction</Code>");
    expect(log.calls.at(-1)).toMatchObject({ action: "cloudwatch:ListMetrics", decision: "error", code: "InvalidAction" });
  });
});
