/**
 * The AWS stand-ins against Debian's real clients, as the host calls them: the host's own client
 * (lib/apply/mail-platform-aws.py on Debian's boto3) and certbot's dns-route53 plugin (boto3), with
 * credentials from the IMDS stand-in only; awscli 2.9 (/usr/bin/aws) for what the stand-ins must
 * answer as AWS does beyond the host's calls (paging options, refused services, forged signatures). Each client resolves AWS's real names to the stand-in address (a private /etc/hosts) and
 * trusts the test CA (AWS_CA_BUNDLE), so the commands are the production ones, without
 * --endpoint-url. Negative controls: a statement removed from the role makes exactly the call it
 * allowed fail with AWS's AccessDenied naming the action; the users sync's paginated
 * get-parameters-by-path reads exactly the password path; requests without IMDS credentials or with
 * a forged signature are refused.
 *
 * Addresses: IMDS 127.0.77.1:80, endpoint 127.0.77.2:443, pebble-challtestsrv 127.0.77.3.
 */
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { readDeployment, type Deployment } from "../../../lib/rehearsal/aws/deployment";
import { AwsWorld, ssmAgentBucket } from "../../../lib/rehearsal/aws/world";
import { synthExample } from "../../support/synth";
import { ClientSandbox, issueCertificate, requireClients, startChallengeDns, type ClientResult } from "./aws-clients";
import { withMailboxes } from "./rehearsal-mailboxes";

const IMDS = "127.0.77.1";
const ENDPOINT = "127.0.77.2";
const CHALLENGE_DNS = "127.0.77.3";
const DKIM_KEY = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n";
const SSM_AGENT_KEY = "latest/debian_amd64/amazon-ssm-agent.deb";

let dir: string;
let deployment: Deployment;
let world: AwsWorld;
let clients: ClientSandbox;
let challengeDns: Awaited<ReturnType<typeof startChallengeDns>>;
let caFile: string;
let region: string;
let bundleUrl: string;
let bundle: Buffer;

beforeAll(async () => {
  requireClients();
  dir = mkdtempSync(join(tmpdir(), "aws-stand-ins-"));
  // The example with mailboxes: its role may read the password path.
  const synthesized = synthExample(withMailboxes);
  deployment = readDeployment(synthesized.json, "mx1", { readSource: synthesized.readSource });
  region = deployment.region;
  const [bucket] = deployment.buckets;
  bundle = bucket!.objects[0]!.body;
  bundleUrl = `s3://${bucket!.name}/${bucket!.objects[0]!.key}`;
  challengeDns = await startChallengeDns(CHALLENGE_DNS, join(dir, "challtestsrv.log"));
  const tls = (names: readonly string[]) => {
    const issued = issueCertificate(join(dir, "tls"), names);
    caFile = issued.caFile;
    return issued;
  };
  world = new AwsWorld(deployment, {
    imds: { address: IMDS, port: 80 },
    endpoint: { address: ENDPOINT, port: 443 },
    tls,
    challengeManagementUrl: challengeDns.managementUrl,
  });
  for (const parameter of ["/acme-mail/dkim/biz2026", "/acme-mail/dkim/mail2026", "/acme-mail/unrelated/secret"])
    world.putParameter(parameter, DKIM_KEY, { secure: true });
  world.putObject(ssmAgentBucket(region), SSM_AGENT_KEY, Buffer.from("!<arch>\nstand-in deb\n"), { public: true });
  await world.start();
  clients = new ClientSandbox(dir, ENDPOINT, world.hostNames(), { AWS_EC2_METADATA_SERVICE_ENDPOINT: `${world.imdsUrl}/`, AWS_CA_BUNDLE: caFile });
});

afterAll(async () => {
  await world?.stop();
  await challengeDns?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => world.restorePolicies());

const aws = (args: string[], env: Record<string, string> = {}) => clients.run(["/usr/bin/aws", ...args], env);
/** The setup script's data-volume lookup, verbatim. */
/** The host's AWS client, run by Debian's Python as its shebang names it. */
const hostClient = (args: string[], env: Record<string, string> = {}) =>
  clients.run(["/usr/bin/python3", join(__dirname, "..", "..", "..", "lib", "apply", "mail-platform-aws.py"), ...args], env);
const describeDataVolume = (tag = "acme-mail-mx1") => hostClient(["--region", region, "data-volume", deployment.instance.id, "mail-platform-data", tag]);
/** The setup script's DKIM key fetch, verbatim. */
const getSecret = (name = "/acme-mail/dkim/biz2026") => hostClient(["--region", region, "get-parameter", name]);
/** The apply script's bundle fetch, verbatim (no --region). */
const copyBundle = (target: string) => hostClient(["s3-get", bundleUrl, target]);
const certbot = (args: string[]) => clients.run(["/usr/bin/python3", join(__dirname, "certbot-route53.py"), ...args]);
const ok = (result: ClientResult) => {
  if (result.status !== 0) throw new Error(`client failed (${result.status}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
};
const lastCall = (action: string) => [...world.calls].reverse().find((c) => c.action === action);

describe("the host's calls with its role's credentials", () => {
  test("describe-volumes finds the data volume by the setup script's two filters", async () => {
    expect(ok(await describeDataVolume()).trim()).toBe(deployment.dataVolume.id);
    expect(lastCall("ec2:DescribeVolumes")).toMatchObject({
      decision: "allowed",
      resource: "*",
      reason: "allowed by read-own-configuration/FindOwnDataVolume; 1 volume(s)",
      principal: `arn:aws:sts::123456789012:assumed-role/acme-mail-mx1/${deployment.instance.id}`,
    });
    expect(ok(await describeDataVolume("acme-mail-mx2")).trim()).toBe("None");
  });

  test("get-parameter returns the SecureString decrypted, and the ciphertext without --with-decryption", async () => {
    expect(ok(await getSecret())).toBe(`${DKIM_KEY}\n`);
    expect(lastCall("ssm:GetParameter")).toMatchObject({
      decision: "allowed",
      resource: `arn:aws:ssm:${region}:123456789012:parameter/acme-mail/dkim/biz2026`,
    });
    const raw = JSON.parse(ok(await aws(["ssm", "get-parameter", "--region", region, "--name", "/acme-mail/dkim/biz2026"]))) as {
      Parameter: { Type: string; Value: string };
    };
    expect(raw.Parameter.Type).toBe("SecureString");
    expect(raw.Parameter.Value).not.toContain("PRIVATE KEY");
  });

  test("s3-get without --region fetches the bundle byte for byte (the client takes the region from IMDS)", async () => {
    world.clearCalls();
    const target = join(dir, "bundle.json");
    ok(await copyBundle(target));
    expect(readFileSync(target).equals(bundle)).toBe(true);
    expect(world.calls.some((c) => c.service === "imds" && c.action === "GET /latest/meta-data/placement/region" && c.decision === "allowed")).toBe(true);
    expect(world.calls.filter((c) => c.service === "s3").map((c) => [c.action, c.decision, c.reason])).toEqual([
      ["s3:GetObject", "allowed", "allowed by read-own-configuration/ReadOwnBundles"],
    ]);
  });

  test("an SDK that guessed the wrong region is redirected to the bucket's and still gets the bundle", async () => {
    const target = join(dir, "bundle-redirected.json");
    ok(await aws(["s3", "cp", "--only-show-errors", bundleUrl, target], { AWS_REGION: "us-east-1" }));
    expect(readFileSync(target).equals(bundle)).toBe(true);
    expect(world.calls.some((c) => c.code === "PermanentRedirect" && c.status === 301)).toBe(true);
  });

  test("the SSM agent package comes unsigned from AWS's public regional bucket; the bundle does not", async () => {
    const url = `https://s3.${region}.amazonaws.com/${ssmAgentBucket(region)}/${SSM_AGENT_KEY}`;
    const agent = await clients.run(["curl", "-sf", "--cacert", caFile, url]);
    expect(ok(agent)).toBe("!<arch>\nstand-in deb\n");
    expect(lastCall("s3:GetObject")).toMatchObject({ decision: "allowed", reason: "public object, anonymous caller" });
    const [bucket] = deployment.buckets;
    const unsigned = await clients.run(["curl", "-s", "--cacert", caFile, `https://${bucket!.name}.s3.${region}.amazonaws.com/${bucket!.objects[0]!.key}`]);
    expect(unsigned.stdout).toContain("<Code>AccessDenied</Code>");
  });

  test("certbot's Route53 calls publish the challenge in pebble-challtestsrv and clean it up", async () => {
    world.clearCalls();
    const name = "_acme-challenge.mail.acme-corp.example";
    const result = JSON.parse(ok(await certbot(["challenge", name, "validation-token-1", CHALLENGE_DNS, String(challengeDns.dnsPort)]))) as {
      change: string;
      during: string[];
      after: string[];
    };
    expect(result).toMatchObject({ change: expect.stringMatching(/^\/change\/C[0-9A-Z]{20}$/), during: ["validation-token-1"], after: [] });
    expect(world.calls.filter((c) => c.service === "route53").map((c) => [c.action, c.decision])).toEqual([
      ["route53:ListHostedZones", "allowed"],
      ["route53:ChangeResourceRecordSets", "allowed"],
      ["route53:GetChange", "allowed"],
      ["route53:ListHostedZones", "allowed"],
      ["route53:ChangeResourceRecordSets", "allowed"],
    ]);
    const zone = deployment.zones.find((z) => z.name === "acme-corp.example")!;
    expect(lastCall("route53:ChangeResourceRecordSets")).toMatchObject({
      resource: `arn:aws:route53:::hostedzone/${zone.id}`,
      reason: expect.stringContaining("allowed by acme-dns-01/AcmeChallengeRecordsOnly"),
    });
    expect(world.recordSets("acme-corp.example")).toEqual([]);
  });

  test("ListHostedZones pages through every zone with boto3's paginator", async () => {
    const listed = JSON.parse(ok(await certbot(["zones", "1"]))) as { pages: number; zones: string[] };
    expect(listed.pages).toBe(4);
    expect([...listed.zones].sort()).toEqual(deployment.zones.map((z) => `${z.name}.`));
  });
});

describe("negative controls: a statement removed from the role", () => {
  test("ReadOwnBundles removed: the bundle fetch fails with AccessDenied on s3:GetObject, the volume lookup still works", async () => {
    world.removeStatement("read-own-configuration", "ReadOwnBundles");
    world.clearCalls();
    const copy = await copyBundle(join(dir, "denied.json"));
    expect(copy.status).not.toBe(0);
    expect(copy.stderr).toContain(
      "An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::123456789012:assumed-role/acme-mail-mx1/",
    );
    expect(copy.stderr).toContain(
      `is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::${deployment.buckets[0]!.name}/${deployment.buckets[0]!.objects[0]!.key} because no identity-based policy allows the s3:GetObject action`,
    );
    expect(world.firstDenied()).toMatchObject({ service: "s3", action: "s3:GetObject", decision: "denied", code: "AccessDenied", status: 403 });
    expect(ok(await describeDataVolume()).trim()).toBe(deployment.dataVolume.id);
  });

  test("FindOwnDataVolume removed: describe-volumes fails with UnauthorizedOperation on ec2:DescribeVolumes", async () => {
    world.removeStatement("read-own-configuration", "FindOwnDataVolume");
    const result = await describeDataVolume();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      "An error occurred (UnauthorizedOperation) when calling the DescribeVolumes operation: You are not authorized to perform this operation. User:",
    );
    expect(result.stderr).toContain("is not authorized to perform: ec2:DescribeVolumes because no identity-based policy allows the ec2:DescribeVolumes action");
  });

  test("AcmeChallengeRecordsOnly removed: finding the zone works, the challenge change fails with AccessDenied", async () => {
    world.removeStatement("acme-dns-01", "AcmeChallengeRecordsOnly");
    world.clearCalls();
    const result = await certbot(["challenge", "_acme-challenge.mail.acme-corp.example", "validation-token-2", CHALLENGE_DNS, String(challengeDns.dnsPort)]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      "An error occurred (AccessDenied) when calling the ChangeResourceRecordSets operation: User: arn:aws:sts::123456789012:assumed-role/acme-mail-mx1/",
    );
    expect(result.stderr).toContain("is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/");
    expect(world.calls.filter((c) => c.service === "route53").map((c) => [c.action, c.decision])).toEqual([
      ["route53:ListHostedZones", "allowed"],
      ["route53:ChangeResourceRecordSets", "denied"],
    ]);
  });

  test("read-own-secrets emptied: the DKIM key is still readable — AmazonSSMManagedInstanceCore grants ssm:GetParameter on every parameter, aws/ssm decrypts for all", async () => {
    world.removeStatement("read-own-secrets", "ReadOwnSecretParameters");
    world.removeStatement("read-own-secrets", "DecryptThroughSsmOnly");
    expect(ok(await getSecret())).toBe(`${DKIM_KEY}\n`);
    expect(lastCall("ssm:GetParameter")).toMatchObject({
      decision: "allowed",
      reason: expect.stringMatching(/^allowed by AmazonSSMManagedInstanceCore\/#0; kms:Decrypt allowed by key policy of alias\/aws\/ssm\//),
    });
    world.removeStatement("AmazonSSMManagedInstanceCore", "#0");
    const denied = await getSecret();
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain("An error occurred (AccessDeniedException) when calling the GetParameter operation: User:");
    expect(denied.stderr).toContain(
      "is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-central-1:123456789012:parameter/acme-mail/dkim/biz2026 because no identity-based policy allows the ssm:GetParameter action",
    );
  });

  test("with the role as synthesized, a parameter outside the host's list is refused by an explicit deny; without it, it would be readable (aws/ssm decrypts for every principal)", async () => {
    const refused = await getSecret("/acme-mail/unrelated/secret");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      "is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-central-1:123456789012:parameter/acme-mail/unrelated/secret with an explicit deny in an identity-based policy",
    );
    expect(lastCall("ssm:GetParameter")).toMatchObject({ decision: "denied" });
    world.removeStatement("no-other-parameters", "NoOtherParameters");
    expect(ok(await getSecret("/acme-mail/unrelated/secret"))).toBe(`${DKIM_KEY}\n`);
  });

  test("under a customer managed key, DecryptThroughSsmOnly decides: removed, decryption fails on kms:Decrypt", async () => {
    world.putParameter("/acme-mail/dkim/mail2026", DKIM_KEY, { secure: true, customerManagedKey: true });
    expect(ok(await getSecret("/acme-mail/dkim/mail2026"))).toBe(`${DKIM_KEY}\n`);
    expect(lastCall("ssm:GetParameter")!.reason).toContain("kms:Decrypt allowed by read-own-secrets/DecryptThroughSsmOnly");
    world.removeStatement("read-own-secrets", "DecryptThroughSsmOnly");
    const denied = await getSecret("/acme-mail/dkim/mail2026");
    expect(denied.stderr).toMatch(
      /AccessDeniedException\) when calling the GetParameter operation: User: \S+ is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-central-1:123456789012:key\/[0-9a-f-]+ because no identity-based policy allows the kms:Decrypt action \(Service: AWSKMS/,
    );
  });
});

describe("the users sync's read of the password hashes (get-parameters-by-path)", () => {
  const PATH = "/acme-mail/mail-users";
  const PATH_ARN = `arn:aws:ssm:eu-central-1:123456789012:parameter${PATH}`;
  const hashes = Array.from({ length: 13 }, (_, i) => [`${PATH}/acme-corp.example/user${String(i).padStart(2, "0")}`, `{ARGON2ID}hash-${i}`] as const);
  /** The users sync's call, verbatim. */
  const byPath = (path = PATH) => hostClient(["--region", region, "parameters-by-path", path]);
  /** The same action through awscli, for the paging options the sync does not use. */
  const byPathCli = (path: string, extra: string[]) =>
    aws([
      "ssm",
      "get-parameters-by-path",
      "--region",
      region,
      "--path",
      path,
      ...extra,
      "--with-decryption",
      "--query",
      "Parameters[].[Name,Value]",
      "--output",
      "json",
    ]);

  beforeAll(() => {
    for (const [name, value] of hashes) world.putParameter(name, value, { secure: true });
    world.putParameter(`${PATH}/deeper/level/user`, "{ARGON2ID}deep", { secure: true });
    world.putParameter(`${PATH}-other/x`, "{ARGON2ID}beside", { secure: true });
  });

  test("returns every parameter below the path, decrypted, in pages of at most 10 the client follows; each page authorized on the path's ARN only", async () => {
    world.clearCalls();
    const pairs = JSON.parse(ok(await byPath())) as Array<[string, string]>;
    expect(pairs).toEqual([...hashes, [`${PATH}/deeper/level/user`, "{ARGON2ID}deep"]].sort(([a], [b]) => (a < b ? -1 : 1)));
    const pages = world.calls.filter((c) => c.action === "ssm:GetParametersByPath");
    expect(pages.map((c) => [c.decision, c.resource, c.reason])).toEqual([
      ["allowed", PATH_ARN, "allowed by read-own-secrets/ReadMailboxPasswordPath"],
      ["allowed", PATH_ARN, "allowed by read-own-secrets/ReadMailboxPasswordPath"],
    ]);
  });

  test("without --recursive only the path's direct children; --page-size 3 gives more pages; a page size over 10 is refused as AWS refuses it", async () => {
    world.putParameter(`${PATH}/direct`, "{ARGON2ID}direct", { secure: true });
    expect(JSON.parse(ok(await byPathCli(PATH, [])))).toEqual([[`${PATH}/direct`, "{ARGON2ID}direct"]]);
    world.clearCalls();
    expect((JSON.parse(ok(await byPathCli(PATH, ["--recursive", "--page-size", "3"]))) as unknown[]).length).toBe(15);
    expect(world.calls.filter((c) => c.action === "ssm:GetParametersByPath").length).toBe(5);
    const tooLarge = await byPathCli(PATH, ["--recursive", "--page-size", "11"]);
    expect(tooLarge.stderr).toContain("ValidationException");
    expect(tooLarge.stderr).toContain("Member must have value less than or equal to 10");
  });

  test("exactly the path: a path above it is refused by the explicit deny, one below it and one beside it are not allowed", async () => {
    const above = await byPath("/acme-mail");
    expect(above.stderr).toContain(
      "is not authorized to perform: ssm:GetParametersByPath on resource: arn:aws:ssm:eu-central-1:123456789012:parameter/acme-mail with an explicit deny in an identity-based policy",
    );
    const below = await byPath(`${PATH}/acme-corp.example`);
    expect(below.stderr).toContain(`ssm:GetParametersByPath on resource: ${PATH_ARN}/acme-corp.example because no identity-based policy allows`);
    const beside = await byPath(`${PATH}-other`);
    expect(beside.stderr).toContain(`ssm:GetParametersByPath on resource: ${PATH_ARN}-other with an explicit deny`);
    // One parameter below the path is readable by name too (GetParameter on <path>/*).
    expect(ok(await getSecret(hashes[0]![0]))).toBe("{ARGON2ID}hash-0\n");
  });

  test("the ReadMailboxPasswordPath statement removed: the sync's call is refused, naming the action and the path", async () => {
    world.removeStatement("read-own-secrets", "ReadMailboxPasswordPath");
    const refused = await byPath();
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      `An error occurred (AccessDeniedException) when calling the GetParametersByPath operation: User: arn:aws:sts::123456789012:assumed-role/acme-mail-mx1/`,
    );
    expect(refused.stderr).toContain(`is not authorized to perform: ssm:GetParametersByPath on resource: ${PATH_ARN} because no identity-based policy allows`);
  });
});

describe("what the stand-ins do not emulate", () => {
  test("is refused with each service's own error and logged, never answered as a success", async () => {
    world.clearCalls();
    const results = await Promise.all([
      aws(["ec2", "describe-instances", "--region", region]),
      aws(["ssm", "describe-parameters", "--region", region]),
      aws(["route53", "get-hosted-zone", "--id", deployment.zones[0]!.id]),
      aws(["s3api", "list-objects-v2", "--region", region, "--bucket", deployment.buckets[0]!.name]),
    ]);
    expect(results.map((r) => [r.status === 0, /An error occurred \((\w+)\)/.exec(r.stderr)?.[1]])).toEqual([
      [false, "InvalidAction"],
      [false, "UnknownOperationException"],
      [false, "UnknownOperationException"],
      [false, "NotImplemented"],
    ]);
    expect(world.calls.filter((c) => c.service !== "imds").map((c) => [c.service, c.decision, c.code])).toEqual(
      expect.arrayContaining([
        ["ec2", "error", "InvalidAction"],
        ["ssm", "error", "UnknownOperationException"],
        ["route53", "error", "UnknownOperationException"],
        ["s3", "error", "NotImplemented"],
      ]),
    );
  });
});

describe("requests without the instance's credentials", () => {
  const fake = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

  test("an unsigned call is refused, and IMDSv1 is refused", async () => {
    const unsigned = await clients.run([
      "curl",
      "-s",
      "-w",
      "\n%{http_code}",
      "--cacert",
      caFile,
      "-d",
      "Action=DescribeVolumes&Version=2016-11-15",
      `https://ec2.${region}.amazonaws.com/`,
    ]);
    expect(unsigned.stdout).toContain("<Code>MissingAuthenticationToken</Code>");
    expect(unsigned.stdout.trim().endsWith("401")).toBe(true);
    const v1 = await clients.run([
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `${world.imdsUrl}/latest/meta-data/iam/security-credentials/acme-mail-mx1`,
    ]);
    expect(v1.stdout).toBe("401");
  });

  test("credentials IMDS did not issue are refused by every service in its own words", async () => {
    const refused = await Promise.all([
      aws(["ec2", "describe-volumes", "--region", region], fake),
      aws(["ssm", "get-parameter", "--region", region, "--name", "/acme-mail/dkim/biz2026"], fake),
      aws(["route53", "list-hosted-zones"], fake),
      aws(
        ["s3api", "get-object", "--region", region, "--bucket", deployment.buckets[0]!.name, "--key", deployment.buckets[0]!.objects[0]!.key, join(dir, "x")],
        fake,
      ),
    ]);
    expect(refused.map((r) => /An error occurred \((\w+)\)/.exec(r.stderr)?.[1])).toEqual([
      "AuthFailure",
      "UnrecognizedClientException",
      "InvalidClientTokenId",
      "InvalidAccessKeyId",
    ]);
  });

  test("a forged signature (the issued key and token, another secret) is refused as a signature mismatch", async () => {
    const { accessKeyId, sessionToken } = world.roleCredentials;
    const forged = { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: "not-the-secret-not-the-secret-not-the-se", AWS_SESSION_TOKEN: sessionToken };
    const refused = await Promise.all([
      aws(["ec2", "describe-volumes", "--region", region], forged),
      aws(["ssm", "get-parameter", "--region", region, "--name", "/acme-mail/dkim/biz2026"], forged),
      aws(["route53", "list-hosted-zones"], forged),
      aws(
        ["s3api", "get-object", "--region", region, "--bucket", deployment.buckets[0]!.name, "--key", deployment.buckets[0]!.objects[0]!.key, join(dir, "y")],
        forged,
      ),
    ]);
    expect(refused.map((r) => /An error occurred \((\w+)\)/.exec(r.stderr)?.[1])).toEqual([
      "SignatureDoesNotMatch",
      "InvalidSignatureException",
      "SignatureDoesNotMatch",
      "SignatureDoesNotMatch",
    ]);
    expect(world.calls.filter((c) => c.decision === "denied" && /SignatureDoesNotMatch|InvalidSignature/.test(c.code ?? "")).length).toBeGreaterThanOrEqual(4);
  });
});

describe("the instance's network in IMDS", () => {
  test("lists the ENI's MAC, and under it each Elastic IP's public address associated with its group's private address, as EC2 does", async () => {
    const eni = deployment.networkInterface;
    const read = async (path: string) =>
      (
        await clients.run([
          "sh",
          "-c",
          `t=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' ${world.imdsUrl}/latest/api/token) && curl -sf -H "X-aws-ec2-metadata-token: $t" ${world.imdsUrl}/latest/meta-data/${path}`,
        ])
      ).stdout;
    expect(await read("network/interfaces/macs/")).toBe(`${eni.mac}/`);
    const publics = (await read(`network/interfaces/macs/${eni.mac}/ipv4-associations/`)).split("\n");
    expect(publics.sort()).toEqual(eni.elasticIps.map((e) => e.publicIp).sort());
    const associated = await Promise.all(
      eni.elasticIps.map(async (e) => [e.publicIp, await read(`network/interfaces/macs/${eni.mac}/ipv4-associations/${e.publicIp}`)]),
    );
    expect(Object.fromEntries(associated)).toEqual(Object.fromEntries(eni.elasticIps.map((e) => [e.publicIp, e.privateIp])));
    expect(eni.elasticIps.map((e) => e.privateIp)).toEqual(["10.0.1.11", "10.0.1.12"]);
  });
});
