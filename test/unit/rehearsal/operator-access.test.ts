/**
 * The world's two callers, told apart by the credentials that signed the request: the instance
 * role's session and the operator's. Each call is authorized by its caller's policies only — the
 * operator by README's policy for `mail-platform user`, the host by its role — through the SSM
 * stand-in as the rehearsal serves it (SigV4 verified, the call logged with its principal).
 */
import { AccessControl, type CallerIdentity } from "../../../lib/rehearsal/aws/access";
import { CallLog } from "../../../lib/rehearsal/aws/call-log";
import { issueRoleCredentials, type RoleCredentials } from "../../../lib/rehearsal/aws/credentials";
import type { AwsRequest } from "../../../lib/rehearsal/aws/http-exchange";
import { mailboxPasswordOperatorPolicy, operatorPrincipal } from "../../../lib/rehearsal/aws/operator";
import { parsePolicyDocument } from "../../../lib/rehearsal/aws/policy-document";
import { signSigV4 } from "../../../lib/rehearsal/aws/sigv4";
import { SsmStandIn } from "../../../lib/rehearsal/aws/ssm";

const REGION = "eu-central-1";
const ACCOUNT = "123456789012";
const PREFIX = "/acme-mail/mail-users";
const NOW = new Date("2026-03-02T10:00:00Z");
const arn = (path: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${path}`;

const instance: CallerIdentity = {
  accountId: ACCOUNT,
  sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/mx1-role/i-0abc`,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/mx1-role`,
  userId: "AROAHOSTROLEEXAMPLE:i-0abc",
  instanceArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0abc`,
  privateIp: "10.0.1.10",
};
const instanceCredentials = issueRoleCredentials(NOW);
// The host's role may read the password path (as the construct grants), nothing else.
const rolePolicy = {
  name: "read-own-secrets",
  kind: "identity" as const,
  document: parsePolicyDocument(
    { Version: "2012-10-17", Statement: [{ Sid: "ReadMailboxPasswordPath", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: arn(PREFIX) }] },
    "read-own-secrets",
  ),
};
const operator = operatorPrincipal(ACCOUNT, [mailboxPasswordOperatorPolicy(REGION, ACCOUNT, PREFIX)], NOW);

function world() {
  const log = new CallLog();
  const access = new AccessControl({
    identity: instance,
    credentials: () => instanceCredentials,
    identityPolicies: () => [rolePolicy],
    others: () => [operator],
    now: () => NOW,
  });
  return { log, access, ssm: new SsmStandIn({ access, log, region: REGION, accountId: ACCOUNT, now: () => NOW }) };
}

/** A signed SSM JSON request, as the SDK sends it over HTTPS. */
function request(operation: string, input: Record<string, unknown>, credentials: RoleCredentials): AwsRequest {
  const amzDate = NOW.toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const parts = {
    method: "POST",
    path: "/",
    query: "",
    body: Buffer.from(JSON.stringify(input)),
    headers: [
      ["host", `ssm.${REGION}.amazonaws.com`],
      ["content-type", "application/x-amz-json-1.1"],
      ["x-amz-date", amzDate],
      ["x-amz-security-token", credentials.sessionToken],
      ["x-amz-target", `AmazonSSM.${operation}`],
    ] as [string, string][],
  };
  const authorization = signSigV4(parts, credentials, { region: REGION, service: "ssm", uriStyle: "standard", amzDate });
  return {
    ...parts,
    headers: [...parts.headers, ["authorization", authorization]],
    host: `ssm.${REGION}.amazonaws.com`,
    remoteAddress: "198.18.0.1",
    secure: true,
    received: NOW,
  };
}

const PARAMETER = `${PREFIX}/acme-corp.example/tester`;
const put = { Name: PARAMETER, Value: "{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", Type: "SecureString", Overwrite: true };

describe("the operator and the instance role in one world", () => {
  test("GIVEN the operator's credentials WHEN it puts a mailbox's hash THEN the call is the operator's, allowed by README's policy", async () => {
    const { ssm, log } = world();
    const reply = await ssm.handle(request("PutParameter", put, operator.credentials()));
    expect(reply.status).toBe(200);
    expect(ssm.get(PARAMETER)?.type).toBe("SecureString");
    expect(log.calls.at(-1)).toMatchObject({
      action: "ssm:PutParameter",
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/mail-operator/operator`,
      decision: "allowed",
      resource: arn(PARAMETER),
    });
    expect(log.calls.at(-1)!.reason).toMatch(/^allowed by mail-operator\/MailboxPasswords; kms:Encrypt allowed by key policy of alias\/aws\/ssm/);
  });

  test("the instance role does not get the operator's rights: its PutParameter is denied, naming its own session", async () => {
    const { ssm, log } = world();
    const reply = await ssm.handle(request("PutParameter", put, instanceCredentials));
    expect(reply.status).toBe(400);
    expect(JSON.parse(String(reply.body))).toMatchObject({ __type: "AccessDeniedException" });
    expect(String(reply.body)).toContain(`User: ${instance.sessionArn} is not authorized to perform: ssm:PutParameter`);
    expect(ssm.get(PARAMETER)).toBeUndefined();
    expect(log.calls.at(-1)).toMatchObject({ principal: instance.sessionArn, decision: "denied" });
  });

  test("the operator does not get the role's rights beyond its own: reading a hash back is denied, listing the path is allowed", async () => {
    const { ssm } = world();
    ssm.put(PARAMETER, put.Value, { secure: true });
    const read = await ssm.handle(request("GetParameter", { Name: PARAMETER, WithDecryption: true }, operator.credentials()));
    expect(String(read.body)).toContain(`User: arn:aws:sts::${ACCOUNT}:assumed-role/mail-operator/operator is not authorized to perform: ssm:GetParameter`);
    const list = await ssm.handle(request("GetParametersByPath", { Path: PREFIX, Recursive: true, WithDecryption: false }, operator.credentials()));
    expect(list.status).toBe(200);
    expect(String(list.body)).not.toContain(put.Value);
  });

  test("only credentials delivered to the instance carry the EC2 condition keys", () => {
    const { access } = world();
    const any = request("GetParametersByPath", {}, operator.credentials());
    expect(access.globalContext(instance, any, REGION)["ec2:SourceInstanceARN"]).toBe(instance.instanceArn);
    expect(access.globalContext(operator.identity, any, REGION)["ec2:SourceInstanceARN"]).toBeUndefined();
    expect(access.globalContext(operator.identity, any, REGION)["aws:PrincipalArn"]).toBe(`arn:aws:iam::${ACCOUNT}:role/mail-operator`);
  });
});
