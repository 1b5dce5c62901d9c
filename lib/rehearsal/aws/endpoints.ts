/**
 * The AWS endpoints of the world: one HTTPS server on one address, answering under AWS's real
 * host names (the caller points DNS at it and issues one certificate for {@link endpointHostNames}),
 * dispatching by Host (or, without one, the TLS server name) to the service stand-ins, as AWS's
 * front ends do. A host no stand-in answers for is refused and logged.
 */
import { closeServer, listenOn } from "../listening";
import { createServer, type Server } from "https";
import type { AddressInfo } from "net";
import type { CallLog } from "./call-log";
import { readRequest, type AwsReply, type AwsRequest } from "./http-exchange";
import { isS3Host } from "./s3-addressing";

/** The services answered here. */
export type ServiceName = "ec2" | "ssm" | "s3" | "route53" | "cloudwatch";

/** A service's request handler. */
export type ServiceHandler = (request: AwsRequest) => Promise<AwsReply>;

/** A TLS private key and certificate chain (PEM). */
export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
}

/** Where the endpoint listens and what it presents. */
export interface EndpointOptions extends TlsMaterial {
  /** The address to bind. */
  readonly address: string;
  /** 443 in a rehearsal; 0 picks a free port. */
  readonly port: number;
}

/** Which service a host name belongs to, in a region. */
export function serviceOfHost(host: string, region: string): ServiceName | undefined {
  if (host === `ec2.${region}.amazonaws.com`) return "ec2";
  if (host === `ssm.${region}.amazonaws.com`) return "ssm";
  // CloudWatch's endpoint keeps the service's old name.
  if (host === `monitoring.${region}.amazonaws.com`) return "cloudwatch";
  if (host === "route53.amazonaws.com") return "route53";
  return isS3Host(host) ? "s3" : undefined;
}

/**
 * Every host name the endpoint answers for: the regional EC2, SSM and CloudWatch endpoints,
 * Route53's global one, S3's global endpoint and regional ones (the world's region, and us-east-1, where SDKs
 * without a region go first and are redirected from), each known bucket's virtual-hosted names
 * (listed for hosts files, which have no wildcards), and the wildcards a certificate needs.
 */
export function endpointHostNames(region: string, buckets: readonly string[]): string[] {
  const s3 = [...new Set(["s3.amazonaws.com", `s3.${region}.amazonaws.com`, "s3.us-east-1.amazonaws.com"])];
  const virtual = buckets.flatMap((b) => s3.map((endpoint) => `${b}.${endpoint}`));
  return [
    `ec2.${region}.amazonaws.com`,
    `ssm.${region}.amazonaws.com`,
    `monitoring.${region}.amazonaws.com`,
    "route53.amazonaws.com",
    ...s3,
    ...virtual,
    ...s3.map((endpoint) => `*.${endpoint}`),
  ];
}

/** The HTTPS front end. */
export class AwsEndpoints {
  private server?: Server;

  constructor(
    private readonly options: EndpointOptions,
    private readonly region: string,
    private readonly services: Readonly<Record<ServiceName, ServiceHandler>>,
    private readonly log: CallLog,
    private readonly now: () => Date,
  ) {}

  /** The bound port (valid once started). */
  get port(): number {
    return (this.server?.address() as AddressInfo | undefined)?.port ?? this.options.port;
  }

  /** Listen. */
  async start(): Promise<void> {
    const server = createServer({ key: this.options.key, cert: this.options.cert }, (message, response) => {
      const received = this.now();
      readRequest(message, received)
        .then((request) => this.dispatch(request))
        .catch((error: unknown) => ({
          status: 500,
          headers: { "Content-Type": "text/plain" },
          body: `rehearsal endpoint failure: ${(error as Error).message}`,
        }))
        .then((reply) => {
          const body = typeof reply.body === "string" ? Buffer.from(reply.body, "utf8") : reply.body;
          const hasLength = Object.keys(reply.headers).some((h) => h.toLowerCase() === "content-length");
          response.writeHead(reply.status, { ...reply.headers, ...(hasLength ? {} : { "Content-Length": String(body.length) }) });
          response.end(message.method === "HEAD" ? undefined : body);
        });
    });
    await listenOn(server, this.options.port, this.options.address);
    this.server = server;
  }

  /** Stop listening and close open connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await closeServer(server);
  }

  private dispatch(request: AwsRequest): Promise<AwsReply> {
    const host = request.host || request.serverName || "";
    const service = serviceOfHost(host, this.region);
    if (!service) {
      this.log.record({
        at: this.now(),
        service: "endpoint",
        action: `${request.method} https://${host}${request.path}`,
        decision: "error",
        reason: `no stand-in answers for host ${JSON.stringify(host)}`,
        status: 421,
      });
      return Promise.resolve({ status: 421, headers: { "Content-Type": "text/plain" }, body: `no AWS stand-in answers for host ${host}\n` });
    }
    return this.services[service](request);
  }
}
