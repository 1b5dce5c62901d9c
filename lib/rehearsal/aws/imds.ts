/**
 * The EC2 instance metadata service (IMDS) of the rehearsed instance, with the instance's
 * `http_tokens = "required"`: IMDSv2 only. A session token comes from `PUT /latest/api/token`
 * (TTL 1–21600 seconds); every read without a valid token is answered 401, as IMDSv1 requests
 * are on such an instance; requests carrying `X-Forwarded-For` are refused, as real IMDS refuses
 * them (a proxy forwarding them could leak credentials). One server may stand in for several
 * instances at once, as EC2's metadata address does for every instance: it answers each caller as
 * the instance whose private address the request comes from (a token is good only for the instance
 * it was issued to). JSON documents are formatted the way EC2
 * writes them (`"Key" : value`, two-space indent), since some clients have been known to parse
 * them loosely. Paths: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
 */
import { closeServer, listenOn } from "../listening";
import { randomBytes } from "crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "http";
import type { AddressInfo } from "net";
import type { CallLog } from "./call-log";
import type { RoleCredentials } from "./credentials";
import { isoSeconds } from "./http-exchange";

/** What the instance's metadata says about it. */
export interface InstanceMetadata {
  readonly accountId: string;
  readonly instanceId: string;
  readonly instanceType: string;
  readonly amiId: string;
  readonly region: string;
  readonly availabilityZone: string;
  readonly privateIp: string;
  readonly roleName: string;
  readonly instanceProfileArn: string;
  readonly instanceProfileId: string;
  readonly userData: string;
  /** When the instance started (identity document `pendingTime`). */
  readonly launchedAt: Date;
  /**
   * The instance's network interfaces, by MAC address, with the public addresses associated to
   * their private ones (`network/interfaces/macs/<mac>/ipv4-associations/<public>` → private).
   * @default [] - no interface listed
   */
  readonly networkInterfaces?: readonly NetworkInterfaceMetadata[];
}

/** One network interface in the metadata. */
export interface NetworkInterfaceMetadata {
  /** MAC address, lowercase, colon-separated. */
  readonly mac: string;
  /** Public IPv4 → the private IPv4 it is associated with (Elastic IPs). */
  readonly ipv4Associations: Readonly<Record<string, string>>;
}

/** One instance the server answers for, when it answers for several. */
export interface ImdsInstance {
  readonly metadata: InstanceMetadata;
  /** The role credentials to deliver to this instance (the ones the endpoints accept from it). */
  readonly credentials: () => RoleCredentials;
  /** The private addresses its requests come from (the addresses of its interface). */
  readonly addresses: readonly string[];
}

/** Where the IMDS stand-in listens and what it hands out. */
export interface ImdsOptions {
  /** The address to bind: 169.254.169.254 in a rehearsal; a loopback address in tests. */
  readonly address: string;
  /** 80 in a rehearsal; 0 picks a free port. */
  readonly port: number;
  /**
   * The role credentials to deliver, when the server is built for one instance's metadata (they
   * are the ones the endpoints accept). Unused with a list of instances, which carry their own.
   */
  readonly credentials?: () => RoleCredentials;
  readonly log?: CallLog;
  readonly now?: () => Date;
}

const MAX_TTL_SECONDS = 21600;

/** EC2's JSON style: `"Key" : value`, two-space indent. */
export function ec2Json(document: Readonly<Record<string, string | null>>): string {
  const lines = Object.entries(document).map(([k, v]) => `  ${JSON.stringify(k)} : ${v === null ? "null" : JSON.stringify(v)}`);
  return `{\n${lines.join(",\n")}\n}`;
}

/** An IMDSv2-only metadata server. */
export class ImdsServer {
  private server?: Server;
  /** Token → when it expires and the instance it was issued to. */
  private readonly tokens = new Map<string, { expires: number; instance: ImdsInstance }>();
  private readonly now: () => Date;
  private readonly instances: readonly ImdsInstance[];

  /**
   * @param served one instance's metadata (served to every caller, with `options.credentials`),
   *   or several instances, each served to the requests from its own addresses only (any other
   *   caller is refused with 403)
   */
  constructor(
    served: InstanceMetadata | readonly ImdsInstance[],
    private readonly options: ImdsOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    if (isInstanceList(served)) {
      if (served.length === 0) throw new Error("an IMDS stand-in needs at least one instance");
      this.instances = served;
    } else {
      const credentials = options.credentials;
      if (!credentials) throw new Error("an IMDS stand-in for one instance's metadata needs options.credentials");
      this.instances = [{ metadata: served, credentials, addresses: [] }];
    }
  }

  /** The instance a request comes from: the only one, or the one whose address sent it. */
  private instanceOf(remoteAddress: string | undefined): ImdsInstance | undefined {
    if (this.instances.length === 1) return this.instances[0];
    const address = (remoteAddress ?? "").replace(/^::ffff:/, "");
    return this.instances.find((i) => i.addresses.includes(address));
  }

  /** The base URL, e.g. `http://169.254.169.254:80` (valid once started). */
  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    return `http://${this.options.address}:${address?.port ?? this.options.port}`;
  }

  /** Listen. */
  async start(): Promise<void> {
    const server = createServer((request, response) => this.handle(request, response));
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

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? "/").split("?")[0]!;
    const instance = this.instanceOf(request.socket.remoteAddress);
    const { status, body, headers } = instance
      ? this.answer(instance, request.method ?? "GET", path, request.headers)
      : { status: 403, body: `Forbidden: ${request.socket.remoteAddress ?? "?"} is no instance of this world`, headers: undefined };
    response.writeHead(status, { "Content-Type": "text/plain", Server: "EC2ws", "Content-Length": Buffer.byteLength(body), ...headers });
    response.end(request.method === "HEAD" ? undefined : body);
    const said = status === 200 ? "served" : body.split("\n")[0]!;
    // With several instances, the log tells which one asked.
    const reason = this.instances.length > 1 && instance ? `${said} (instance ${instance.metadata.instanceId})` : said;
    this.options.log?.record({
      at: this.now(),
      service: "imds",
      action: `${request.method} ${path}`,
      decision: status === 200 ? "allowed" : status === 401 || status === 403 ? "denied" : "error",
      reason,
      status,
    });
  }

  private answer(
    instance: ImdsInstance,
    method: string,
    path: string,
    headers: IncomingMessage["headers"],
  ): { status: number; body: string; headers?: Record<string, string> } {
    if (headers["x-forwarded-for"] !== undefined) return { status: 403, body: "Forbidden: requests with X-Forwarded-For are refused" };
    if (method === "PUT") {
      if (path !== "/latest/api/token") return { status: 403, body: "Forbidden" };
      const ttlText = headers["x-aws-ec2-metadata-token-ttl-seconds"];
      const ttl = typeof ttlText === "string" && /^\d+$/.test(ttlText) ? Number(ttlText) : Number.NaN;
      if (!(ttl >= 1 && ttl <= MAX_TTL_SECONDS)) return { status: 400, body: "Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be 1 to 21600" };
      const now = this.now().getTime();
      for (const [known, issued] of this.tokens) if (issued.expires <= now) this.tokens.delete(known);
      const token = randomBytes(42).toString("base64");
      this.tokens.set(token, { expires: now + ttl * 1000, instance });
      return { status: 200, body: token, headers: { "X-Aws-Ec2-Metadata-Token-Ttl-Seconds": String(ttl) } };
    }
    if (method !== "GET" && method !== "HEAD") return { status: 405, body: "Method Not Allowed" };
    const token = headers["x-aws-ec2-metadata-token"];
    const issued = typeof token === "string" ? this.tokens.get(token) : undefined;
    // http_tokens = required: no token (IMDSv1), an unknown or an expired token, or another
    // instance's, are all 401.
    if (issued === undefined || issued.expires <= this.now().getTime() || issued.instance !== instance)
      return { status: 401, body: "Unauthorized: IMDSv2 session token required" };
    const body = this.read(instance, path);
    return body === undefined ? { status: 404, body: "Not Found" } : { status: 200, body };
  }

  /** The content at a path (trailing slash tolerated on leaves, as EC2 does), or undefined. */
  private read(instance: ImdsInstance, path: string): string | undefined {
    const m = instance.metadata;
    const credentials = instance.credentials();
    const leaves: Record<string, () => string> = {
      "/latest/meta-data/instance-id": () => m.instanceId,
      "/latest/meta-data/instance-type": () => m.instanceType,
      "/latest/meta-data/ami-id": () => m.amiId,
      "/latest/meta-data/local-ipv4": () => m.privateIp,
      "/latest/meta-data/local-hostname": () => `ip-${m.privateIp.replace(/\./g, "-")}.${m.region}.compute.internal`,
      "/latest/meta-data/hostname": () => `ip-${m.privateIp.replace(/\./g, "-")}.${m.region}.compute.internal`,
      "/latest/meta-data/placement/region": () => m.region,
      "/latest/meta-data/placement/availability-zone": () => m.availabilityZone,
      "/latest/meta-data/iam/info": () =>
        ec2Json({
          Code: "Success",
          LastUpdated: isoSeconds(credentials.issuedAt),
          InstanceProfileArn: m.instanceProfileArn,
          InstanceProfileId: m.instanceProfileId,
        }),
      [`/latest/meta-data/iam/security-credentials/${m.roleName}`]: () =>
        ec2Json({
          Code: "Success",
          LastUpdated: isoSeconds(credentials.issuedAt),
          Type: "AWS-HMAC",
          AccessKeyId: credentials.accessKeyId,
          SecretAccessKey: credentials.secretAccessKey,
          Token: credentials.sessionToken,
          Expiration: isoSeconds(credentials.expiration),
        }),
      "/latest/dynamic/instance-identity/document": () =>
        ec2Json({
          accountId: m.accountId,
          architecture: "x86_64",
          availabilityZone: m.availabilityZone,
          billingProducts: null,
          devpayProductCodes: null,
          marketplaceProductCodes: null,
          imageId: m.amiId,
          instanceId: m.instanceId,
          instanceType: m.instanceType,
          kernelId: null,
          pendingTime: isoSeconds(m.launchedAt),
          privateIp: m.privateIp,
          ramdiskId: null,
          region: m.region,
          version: "2017-09-30",
        }),
      "/latest/user-data": () => m.userData,
    };
    const directories: Record<string, string[]> = {};
    for (const nic of m.networkInterfaces ?? []) {
      const base = `/latest/meta-data/network/interfaces/macs/${nic.mac}/`;
      const publics = Object.keys(nic.ipv4Associations);
      directories[base] = ["ipv4-associations/", "local-ipv4s", "mac"];
      leaves[`${base}mac`] = () => nic.mac;
      leaves[`${base}local-ipv4s`] = () => [...new Set(Object.values(nic.ipv4Associations))].join("\n");
      // EC2 has no ipv4-associations/ on an interface without a public address: 404.
      if (publics.length > 0) directories[`${base}ipv4-associations/`] = publics;
      for (const [publicIp, privateIp] of Object.entries(nic.ipv4Associations)) leaves[`${base}ipv4-associations/${publicIp}`] = () => privateIp;
    }
    const network = (m.networkInterfaces ?? []).length > 0;
    Object.assign(directories, {
      "/latest/": ["dynamic", "meta-data", "user-data"],
      "/latest/meta-data/": [
        "ami-id",
        "hostname",
        "iam/",
        "instance-id",
        "instance-type",
        "local-hostname",
        "local-ipv4",
        ...(network ? ["network/"] : []),
        "placement/",
      ],
      ...(network
        ? {
            "/latest/meta-data/network/": ["interfaces/"],
            "/latest/meta-data/network/interfaces/": ["macs/"],
            "/latest/meta-data/network/interfaces/macs/": (m.networkInterfaces ?? []).map((nic) => `${nic.mac}/`),
          }
        : {}),
      "/latest/meta-data/iam/": ["info", "security-credentials/"],
      "/latest/meta-data/iam/security-credentials/": [m.roleName],
      "/latest/meta-data/placement/": ["availability-zone", "region"],
      "/latest/dynamic/": ["instance-identity/"],
      "/latest/dynamic/instance-identity/": ["document"],
    });
    const leaf = leaves[path] ?? leaves[path.replace(/\/$/, "")];
    if (leaf) return leaf();
    const listing = directories[path] ?? directories[`${path}/`];
    return listing?.join("\n");
  }
}

function isInstanceList(served: InstanceMetadata | readonly ImdsInstance[]): served is readonly ImdsInstance[] {
  return Array.isArray(served);
}
