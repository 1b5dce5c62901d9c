/**
 * The rehearsal's SSM stand-in as an operator's workstation reaches it: plain HTTP on loopback
 * (the SDK is pointed at it with AWS_ENDPOINT_URL_SSM), SigV4 checked against credentials issued
 * here, and every call authorized against the operator's identity policies, which a test may
 * replace to show a refusal.
 */
import { createServer, type Server } from "http";
import type { AddressInfo } from "net";
import { AccessControl } from "../../lib/rehearsal/aws/access";
import { CallLog } from "../../lib/rehearsal/aws/call-log";
import { issueRoleCredentials, type RoleCredentials } from "../../lib/rehearsal/aws/credentials";
import { readRequest } from "../../lib/rehearsal/aws/http-exchange";
import type { NamedPolicy } from "../../lib/rehearsal/aws/iam";
import { closeServer, listenOn } from "../../lib/rehearsal/listening";
import { parsePolicyDocument } from "../../lib/rehearsal/aws/policy-document";
import { SsmStandIn } from "../../lib/rehearsal/aws/ssm";

export const OPERATOR_ACCOUNT = "123456789012";

/** An identity policy of the operator. */
export function operatorPolicy(name: string, statements: readonly Record<string, unknown>[]): NamedPolicy {
  return { name, kind: "identity", document: parsePolicyDocument({ Version: "2012-10-17", Statement: statements }, name) };
}

/** A running stand-in. */
export interface OperatorSsm {
  readonly ssm: SsmStandIn;
  readonly log: CallLog;
  readonly url: string;
  readonly credentials: RoleCredentials;
  /** The operator's policies from now on. */
  setPolicies(policies: readonly NamedPolicy[]): void;
  /** Environment variables that point the AWS SDK (and the aws command) at the stand-in with the operator's credentials. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** Start the stand-in on `address` (a free port). */
export async function startOperatorSsm(region: string, address: string, policies: readonly NamedPolicy[]): Promise<OperatorSsm> {
  let current = [...policies];
  const log = new CallLog();
  const now = () => new Date();
  const credentials = issueRoleCredentials(now());
  const access = new AccessControl({
    identity: {
      accountId: OPERATOR_ACCOUNT,
      sessionArn: `arn:aws:sts::${OPERATOR_ACCOUNT}:assumed-role/mail-operator/alice`,
      roleArn: `arn:aws:iam::${OPERATOR_ACCOUNT}:role/mail-operator`,
      userId: "AROAOPERATOREXAMPLE:alice",
      instanceArn: "",
      privateIp: "",
    },
    credentials: () => credentials,
    identityPolicies: () => current,
    now,
  });
  const ssm = new SsmStandIn({ access, log, region, accountId: OPERATOR_ACCOUNT, now });
  const server: Server = createServer((message, response) => {
    readRequest(message, now())
      .then((request) => ssm.handle(request))
      .catch((error: unknown) => ({ status: 500, headers: { "Content-Type": "text/plain" }, body: `stand-in failure: ${(error as Error).message}` }))
      .then((reply) => {
        const body = typeof reply.body === "string" ? Buffer.from(reply.body, "utf8") : reply.body;
        response.writeHead(reply.status, { ...reply.headers, "Content-Length": String(body.length) });
        response.end(body);
      });
  });
  await listenOn(server, 0, address);
  const url = `http://${address}:${(server.address() as AddressInfo).port}`;
  return {
    ssm,
    log,
    url,
    credentials,
    setPolicies: (next) => (current = [...next]),
    env: () => ({
      AWS_ENDPOINT_URL_SSM: url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      AWS_REGION: region,
      AWS_EC2_METADATA_DISABLED: "true",
    }),
    stop: () => closeServer(server),
  };
}
