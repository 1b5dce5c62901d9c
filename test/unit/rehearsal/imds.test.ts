/**
 * The IMDS stand-in enforces the instance's `http_tokens = "required"`: IMDSv2 session tokens
 * only (IMDSv1 reads are 401), token TTLs of 1–21600 seconds that expire, X-Forwarded-For refused;
 * and it serves the paths the host's scripts and botocore read, in EC2's formats.
 */
import { request } from "http";
import { CallLog } from "../../../lib/rehearsal/aws/call-log";
import { issueRoleCredentials } from "../../../lib/rehearsal/aws/credentials";
import { ImdsServer, type InstanceMetadata } from "../../../lib/rehearsal/aws/imds";
import { testInstanceMetadata } from "../../support/instance-metadata";

const METADATA: InstanceMetadata = testInstanceMetadata();

let clock = new Date("2026-12-01T10:00:00Z");
const credentials = issueRoleCredentials(clock);
const log = new CallLog();
const imds = new ImdsServer(METADATA, { address: "127.0.0.1", port: 0, credentials: () => credentials, log, now: () => clock });

beforeAll(() => imds.start());
afterAll(() => imds.stop());

function call(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  server: ImdsServer = imds,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function token(ttl = "21600"): Promise<string> {
  const reply = await call("PUT", "/latest/api/token", { "X-aws-ec2-metadata-token-ttl-seconds": ttl });
  expect(reply.status).toBe(200);
  return reply.body;
}

describe("IMDSv2 only", () => {
  test("refuses reads without a token (IMDSv1) with 401, and logs them as denied", async () => {
    expect((await call("GET", "/latest/meta-data/instance-id")).status).toBe(401);
    expect((await call("GET", "/latest/meta-data/iam/security-credentials/acme-mail-mx1")).status).toBe(401);
    expect(log.firstDenied()).toMatchObject({ service: "imds", action: "GET /latest/meta-data/instance-id", decision: "denied", status: 401 });
  });

  test("issues a token for a TTL of 1 to 21600 seconds, and answers reads that carry it", async () => {
    const reply = await call("PUT", "/latest/api/token", { "X-aws-ec2-metadata-token-ttl-seconds": "600" });
    expect(reply.headers["x-aws-ec2-metadata-token-ttl-seconds"]).toBe("600");
    expect((await call("GET", "/latest/meta-data/instance-id", { "X-aws-ec2-metadata-token": reply.body })).body).toBe("i-0123456789abcdef0");
    for (const ttl of ["0", "21601", "ten"]) expect((await call("PUT", "/latest/api/token", { "X-aws-ec2-metadata-token-ttl-seconds": ttl })).status).toBe(400);
    expect((await call("PUT", "/latest/api/token")).status).toBe(400);
  });

  test("refuses an unknown token, and a token after its TTL", async () => {
    expect((await call("GET", "/latest/meta-data/instance-id", { "X-aws-ec2-metadata-token": "forged" })).status).toBe(401);
    const short = await token("1");
    clock = new Date(clock.getTime() + 1500);
    expect((await call("GET", "/latest/meta-data/instance-id", { "X-aws-ec2-metadata-token": short })).status).toBe(401);
  });

  test("refuses requests carrying X-Forwarded-For, token request included", async () => {
    expect((await call("PUT", "/latest/api/token", { "X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "203.0.113.9" })).status).toBe(403);
    const t = await token();
    expect((await call("GET", "/latest/meta-data/instance-id", { "X-aws-ec2-metadata-token": t, "X-Forwarded-For": "203.0.113.9" })).status).toBe(403);
  });
});

describe("metadata", () => {
  test("placement, address and identity, with the trailing slash awscli asks for the zone with", async () => {
    const t = { "X-aws-ec2-metadata-token": await token() };
    expect((await call("GET", "/latest/meta-data/placement/region", t)).body).toBe("eu-central-1");
    expect((await call("GET", "/latest/meta-data/placement/availability-zone/", t)).body).toBe("eu-central-1a");
    expect((await call("GET", "/latest/meta-data/local-ipv4", t)).body).toBe("10.0.1.11");
    expect(JSON.parse((await call("GET", "/latest/dynamic/instance-identity/document", t)).body)).toMatchObject({
      accountId: "123456789012",
      instanceId: "i-0123456789abcdef0",
      region: "eu-central-1",
      privateIp: "10.0.1.11",
    });
    expect((await call("GET", "/latest/user-data", t)).body).toBe("#cloud-config\n");
  });

  test("role credentials in EC2's exact format, the role listed under security-credentials/", async () => {
    const t = { "X-aws-ec2-metadata-token": await token() };
    expect((await call("GET", "/latest/meta-data/iam/security-credentials/", t)).body).toBe("acme-mail-mx1");
    const document = (await call("GET", "/latest/meta-data/iam/security-credentials/acme-mail-mx1", t)).body;
    expect(document).toBe(
      [
        "{",
        '  "Code" : "Success",',
        '  "LastUpdated" : "2026-12-01T10:00:00Z",',
        '  "Type" : "AWS-HMAC",',
        `  "AccessKeyId" : "${credentials.accessKeyId}",`,
        `  "SecretAccessKey" : "${credentials.secretAccessKey}",`,
        `  "Token" : "${credentials.sessionToken}",`,
        '  "Expiration" : "2026-12-01T16:00:00Z"',
        "}",
      ].join("\n"),
    );
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(JSON.parse((await call("GET", "/latest/meta-data/iam/info", t)).body)).toMatchObject({
      Code: "Success",
      InstanceProfileArn: METADATA.instanceProfileArn,
    });
  });

  test("404 for paths it does not serve, other roles included", async () => {
    const t = { "X-aws-ec2-metadata-token": await token() };
    expect((await call("GET", "/latest/meta-data/iam/security-credentials/other-role", t)).status).toBe(404);
    expect((await call("GET", "/latest/meta-data/spot/instance-action", t)).status).toBe(404);
  });
});

describe("network interfaces, as EC2 lists an instance's Elastic IPs", () => {
  const withAddresses = new ImdsServer(
    testInstanceMetadata({
      networkInterfaces: [
        { mac: "0a:1b:2c:3d:4e:5f", ipv4Associations: { "198.51.100.10": "10.0.1.11", "198.51.100.20": "10.0.1.12" } },
        { mac: "0a:1b:2c:3d:4e:60", ipv4Associations: {} },
      ],
    }),
    { address: "127.0.0.1", port: 0, credentials: () => credentials, now: () => clock },
  );
  beforeAll(() => withAddresses.start());
  afterAll(() => withAddresses.stop());

  /** A read with a token of this server (a token of the other server is refused: 401). */
  const read = async (path: string) => {
    const ttl = { "X-aws-ec2-metadata-token-ttl-seconds": "60" };
    const own = (await call("PUT", "/latest/api/token", ttl, withAddresses)).body;
    const other = (await call("PUT", "/latest/api/token", ttl)).body;
    expect((await call("GET", path, { "X-aws-ec2-metadata-token": other }, withAddresses)).status).toBe(401);
    return call("GET", path, { "X-aws-ec2-metadata-token": own }, withAddresses);
  };

  test("lists the interfaces by MAC, the public addresses of each, and the private address each is associated with", async () => {
    expect((await read("/latest/meta-data/")).body.split("\n")).toContain("network/");
    expect((await read("/latest/meta-data/network/interfaces/macs/")).body).toBe("0a:1b:2c:3d:4e:5f/\n0a:1b:2c:3d:4e:60/");
    expect((await read("/latest/meta-data/network/interfaces/macs/0a:1b:2c:3d:4e:5f/ipv4-associations/")).body).toBe("198.51.100.10\n198.51.100.20");
    expect((await read("/latest/meta-data/network/interfaces/macs/0a:1b:2c:3d:4e:5f/ipv4-associations/198.51.100.20")).body).toBe("10.0.1.12");
    expect((await read("/latest/meta-data/network/interfaces/macs/0a:1b:2c:3d:4e:5f/local-ipv4s")).body).toBe("10.0.1.11\n10.0.1.12");
    // EC2 has no ipv4-associations/ on an interface without a public address.
    expect((await read("/latest/meta-data/network/interfaces/macs/0a:1b:2c:3d:4e:60/ipv4-associations/")).status).toBe(404);
  });

  test("an instance without interfaces in its metadata lists no network/ (as before)", async () => {
    const session = await token();
    expect((await call("GET", "/latest/meta-data/", { "X-aws-ec2-metadata-token": session })).body.split("\n")).not.toContain("network/");
  });
});
