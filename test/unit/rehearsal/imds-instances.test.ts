/**
 * One IMDS stand-in for several instances (a rehearsal of several hosts): each caller is answered
 * as the instance whose private address the request comes from, a token works only for the
 * instance it was issued to, and a caller that is no instance is refused.
 */
import { request } from "http";
import { CallLog } from "../../../lib/rehearsal/aws/call-log";
import { issueRoleCredentials } from "../../../lib/rehearsal/aws/credentials";
import { ImdsServer, type ImdsInstance, type InstanceMetadata } from "../../../lib/rehearsal/aws/imds";
import { testInstanceMetadata } from "../../support/instance-metadata";

const launchedAt = new Date("2026-12-01T10:00:00Z");

function instance(host: string, instanceId: string, address: string): ImdsInstance {
  const metadata: InstanceMetadata = testInstanceMetadata({
    instanceId,
    privateIp: address,
    roleName: `acme-mail-${host}`,
    instanceProfileArn: `arn:aws:iam::123456789012:instance-profile/acme-mail-${host}`,
    userData: `#cloud-config\n# ${host}\n`,
    launchedAt,
  });
  const credentials = issueRoleCredentials(launchedAt);
  return { metadata, credentials: () => credentials, addresses: [address] };
}

// Loopback stands for the hosts' private addresses: all of 127/8 reaches lo.
const mx1 = instance("mx1", "i-0aaaaaaaaaaaaaaa1", "127.0.0.2");
const mx2 = instance("mx2", "i-0bbbbbbbbbbbbbbb2", "127.0.0.3");
const log = new CallLog();
const imds = new ImdsServer([mx1, mx2], { address: "127.0.0.1", port: 0, log, now: () => new Date() });

beforeAll(() => imds.start());
afterAll(() => imds.stop());

function call(from: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${imds.url}${path}`, { method, headers, localAddress: from, agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function token(from: string): Promise<string> {
  const reply = await call(from, "PUT", "/latest/api/token", { "X-aws-ec2-metadata-token-ttl-seconds": "60" });
  expect(reply.status).toBe(200);
  return reply.body;
}

test("each instance reads its own identity, role and user data", async () => {
  for (const { addresses, metadata } of [mx1, mx2]) {
    const from = addresses[0]!;
    const headers = { "X-aws-ec2-metadata-token": await token(from) };
    expect((await call(from, "GET", "/latest/meta-data/instance-id", headers)).body).toBe(metadata.instanceId);
    expect((await call(from, "GET", "/latest/meta-data/iam/security-credentials/", headers)).body).toBe(metadata.roleName);
    expect((await call(from, "GET", "/latest/user-data", headers)).body).toBe(metadata.userData);
  }
});

test("each instance gets its own role credentials, not the other's", async () => {
  const keyOf = async (from: string, role: string) =>
    (
      JSON.parse((await call(from, "GET", `/latest/meta-data/iam/security-credentials/${role}`, { "X-aws-ec2-metadata-token": await token(from) })).body) as {
        AccessKeyId: string;
      }
    ).AccessKeyId;
  expect(await keyOf("127.0.0.2", "acme-mail-mx1")).toBe(mx1.credentials().accessKeyId);
  expect(await keyOf("127.0.0.3", "acme-mail-mx2")).toBe(mx2.credentials().accessKeyId);
  expect(mx1.credentials().accessKeyId).not.toBe(mx2.credentials().accessKeyId);
  // mx2 cannot name mx1's role to get its credentials.
  const stolen = await call("127.0.0.3", "GET", "/latest/meta-data/iam/security-credentials/acme-mail-mx1", {
    "X-aws-ec2-metadata-token": await token("127.0.0.3"),
  });
  expect(stolen.status).toBe(404);
});

test("a token is good only for the instance it was issued to", async () => {
  const mx1Token = await token("127.0.0.2");
  expect((await call("127.0.0.3", "GET", "/latest/meta-data/instance-id", { "X-aws-ec2-metadata-token": mx1Token })).status).toBe(401);
  expect((await call("127.0.0.2", "GET", "/latest/meta-data/instance-id", { "X-aws-ec2-metadata-token": mx1Token })).status).toBe(200);
});

test("a caller that is no instance is refused with 403, and the log says which instance asked", async () => {
  const stranger = await call("127.0.0.4", "PUT", "/latest/api/token", { "X-aws-ec2-metadata-token-ttl-seconds": "60" });
  expect(stranger.status).toBe(403);
  expect(stranger.body).toMatch(/127\.0\.0\.4 is no instance of this world/);
  expect(log.calls.filter((c) => c.status === 200).every((c) => /\(instance i-0(a{15}1|b{15}2)\)$/.test(c.reason))).toBe(true);
});

test("a server for several instances needs at least one", () => {
  expect(() => new ImdsServer([], { address: "127.0.0.1", port: 0 })).toThrow(/at least one instance/);
});
