/**
 * The AWS a rehearsed host sees: its instance metadata (IMDSv2) with role credentials, and EC2,
 * SSM, S3, Route53 and CloudWatch endpoints that accept only those credentials and authorize every
 * call against the role's policies as Terraform would have created them. Tests change the world
 * (parameters, objects, a statement removed from the role) and read the call log and the metric
 * data the hosts published.
 *
 * One other caller exists: the operator (operator.ts), whose own credentials and policies let
 * `mail-platform user` change the same SSM parameters from outside the host, as on AWS.
 *
 * A world may hold several instances of one stack (the hosts of a platform, each read from the
 * same cdk.tf.json): one account's SSM, S3, Route53 and CloudWatch, every instance's volumes, and
 * for each instance its own role session — credentials that IMDS hands only to that instance (told
 * apart by the private address its requests come from) and policies of its own role.
 */
import { AccessControl, type CallerIdentity, type Principal } from "./access";
import { CallLog, type CallRecord } from "./call-log";
import { CloudWatchStandIn, type PublishedDatum } from "./cloudwatch";
import { issueRoleCredentials, type RoleCredentials } from "./credentials";
import type { Deployment } from "./deployment";
import { Ec2StandIn } from "./ec2";
import { AwsEndpoints, endpointHostNames, type ServiceHandler, type ServiceName, type TlsMaterial } from "./endpoints";
import type { NamedPolicy } from "./iam";
import { ImdsServer, type ImdsInstance } from "./imds";
import { operatorPrincipal } from "./operator";
import { statementLabel, type PolicyDocument } from "./policy-document";
import { Route53StandIn } from "./route53";
import type { RecordSet } from "./route53-records";
import { S3StandIn, type PutObjectOptions } from "./s3";
import type { ServiceEnv } from "./service-call";
import { SsmStandIn, type PutParameterOptions } from "./ssm";

export type { CallRecord } from "./call-log";
export type { PublishedDatum } from "./cloudwatch";
export type { PutObjectOptions } from "./s3";
export type { PutParameterOptions } from "./ssm";

/** Where the world listens. */
export interface AwsWorldOptions {
  /** The IMDS stand-in: 169.254.169.254 port 80 in a rehearsal. */
  readonly imds: { readonly address: string; readonly port: number };
  /** The HTTPS endpoint of every service: port 443 in a rehearsal. */
  readonly endpoint: { readonly address: string; readonly port: number };
  /**
   * The endpoint's TLS key and certificate (PEM) covering {@link AwsWorld.hostNames}, or a
   * function that issues them for those names (called by `start()`).
   */
  readonly tls: TlsMaterial | ((hostNames: readonly string[]) => TlsMaterial);
  /** pebble-challtestsrv's management API; without it challenge records are kept, not published. */
  readonly challengeManagementUrl?: string;
  /** The operator's identity policies (see {@link AwsWorld.operatorCredentials}). @default none: the operator is allowed nothing */
  readonly operatorPolicies?: readonly NamedPolicy[];
  /** @default the system clock */
  readonly now?: () => Date;
}

/** The public bucket AWS serves the SSM agent from in a region. */
export function ssmAgentBucket(region: string): string {
  return `amazon-ssm-${region}`;
}

/** One instance's role session: its credentials and its role's policies (as a test changed them). */
class InstanceSession implements Principal {
  readonly identity: CallerIdentity;
  private readonly issued: RoleCredentials;
  private readonly original: ReadonlyMap<string, NamedPolicy>;
  policies: Map<string, NamedPolicy>;

  constructor(
    readonly deployment: Deployment,
    startedAt: Date,
  ) {
    const { role, instance, accountId } = deployment;
    this.issued = issueRoleCredentials(startedAt);
    const all = [
      ...[...role.inlinePolicies].map(([name, document]): NamedPolicy => ({ name, kind: "identity", document })),
      ...[...role.managedPolicies, ...role.customerManagedPolicies].map((m): NamedPolicy => ({ name: m.name, kind: "identity", document: m.document })),
    ];
    // IAM allows an inline and a managed policy of one name; here a name must say which policy a
    // decision or a removed statement is about.
    const twice = all.find((p, i) => all.findIndex((q) => q.name === p.name) !== i);
    if (twice) throw new Error(`role ${role.name} has two policies named ${twice.name}; the rehearsal tells policies apart by name`);
    this.original = new Map(all.map((p) => [p.name, p]));
    this.policies = new Map(this.original);
    this.identity = {
      accountId,
      sessionArn: `arn:aws:sts::${accountId}:assumed-role/${role.name}/${instance.id}`,
      roleArn: role.arn,
      userId: `${role.uniqueId}:${instance.id}`,
      instanceArn: instance.arn,
      privateIp: instance.privateIp,
    };
  }

  credentials(): RoleCredentials {
    return this.issued;
  }

  identityPolicies(): readonly NamedPolicy[] {
    return [...this.policies.values()];
  }

  restore(): void {
    this.policies = new Map(this.original);
  }
}

/** The AWS stand-ins for the deployed hosts of one stack. */
export class AwsWorld {
  private readonly log = new CallLog();
  private readonly now: () => Date;
  private readonly sessions: readonly InstanceSession[];
  private readonly operator: Principal;
  private readonly s3: S3StandIn;
  private readonly ssm: SsmStandIn;
  private readonly route53: Route53StandIn;
  private readonly cloudwatch: CloudWatchStandIn;
  private readonly imds: ImdsServer;
  private readonly services: Readonly<Record<ServiceName, ServiceHandler>>;
  private endpoints?: AwsEndpoints;

  /** The host names the endpoint must be reachable and certified for (before the world exists). */
  static hostNames(deployment: Deployment): string[] {
    return endpointHostNames(deployment.region, [...deployment.buckets.map((b) => b.name), ssmAgentBucket(deployment.region)]);
  }

  /** The first instance's deployment (the only one in a world of one host). */
  readonly deployment: Deployment;
  /** Every instance's deployment, in the order given. */
  readonly deployments: readonly Deployment[];

  /**
   * @param deployments one host's deployment, or several hosts' of the same stack (same account,
   *   region, buckets and zones; distinct instances)
   * @param instanceAddresses with several instances: each host's private addresses (by host
   *   name), from which IMDS tells its callers apart. @default each instance's primary address
   */
  constructor(
    deployments: Deployment | readonly Deployment[],
    private readonly options: AwsWorldOptions,
    instanceAddresses: Readonly<Record<string, readonly string[]>> = {},
  ) {
    this.deployments = isDeploymentList(deployments) ? deployments : [deployments];
    const deployment = this.deployments[0];
    if (!deployment) throw new Error("an AWS world needs at least one deployment");
    for (const other of this.deployments.slice(1)) {
      if (other.accountId !== deployment.accountId || other.region !== deployment.region || other.platform !== deployment.platform)
        throw new Error(`host ${other.host} is not of the same stack as ${deployment.host} (account, region or platform differ)`);
      if (this.deployments.filter((d) => d.instance.id === other.instance.id).length > 1) throw new Error(`host ${other.host} is in the world twice`);
    }
    this.deployment = deployment;
    this.now = options.now ?? (() => new Date());
    const startedAt = this.now();
    this.sessions = this.deployments.map((d) => new InstanceSession(d, startedAt));
    const [first, ...others] = this.sessions;
    this.operator = operatorPrincipal(deployment.accountId, options.operatorPolicies ?? [], startedAt);
    const env: ServiceEnv = {
      access: new AccessControl({
        identity: first!.identity,
        credentials: () => first!.credentials(),
        identityPolicies: () => first!.identityPolicies(),
        others: () => [...others, this.operator],
        now: this.now,
      }),
      log: this.log,
      region: deployment.region,
      accountId: deployment.accountId,
      now: this.now,
    };
    this.s3 = new S3StandIn(env, deployment.buckets);
    this.ssm = new SsmStandIn(env);
    this.route53 = new Route53StandIn(env, deployment.zones, options.challengeManagementUrl);
    this.cloudwatch = new CloudWatchStandIn(env);
    // Every instance's volumes: each host finds its own by its instance id, as on EC2.
    const volumes = [...new Map(this.deployments.flatMap((d) => d.volumes).map((v) => [v.id, v])).values()];
    const ec2 = new Ec2StandIn(env, volumes, startedAt);
    this.imds = new ImdsServer(
      this.sessions.map((session): ImdsInstance => {
        const { instance, role, networkInterface } = session.deployment;
        return {
          metadata: {
            accountId: deployment.accountId,
            instanceId: instance.id,
            instanceType: instance.instanceType,
            amiId: instance.amiId,
            region: deployment.region,
            availabilityZone: instance.availabilityZone,
            privateIp: instance.privateIp,
            roleName: role.name,
            instanceProfileArn: role.instanceProfile.arn,
            instanceProfileId: role.instanceProfile.uniqueId,
            userData: instance.userData,
            launchedAt: startedAt,
            // What EC2 lists for the instance: its interface, with each EIP's public address
            // associated to the private address the stack's aws_eip_association names.
            networkInterfaces: [
              {
                mac: networkInterface.mac,
                ipv4Associations: Object.fromEntries(networkInterface.elasticIps.map((e) => [e.publicIp, e.privateIp])),
              },
            ],
          },
          credentials: () => session.credentials(),
          addresses: instanceAddresses[session.deployment.host] ?? [instance.privateIp],
        };
      }),
      { ...options.imds, log: this.log, now: this.now },
    );
    this.services = {
      ec2: (r) => ec2.handle(r),
      ssm: (r) => this.ssm.handle(r),
      s3: (r) => this.s3.handle(r),
      route53: (r) => this.route53.handle(r),
      cloudwatch: (r) => this.cloudwatch.handle(r),
    };
  }

  /** Start IMDS and the endpoint. */
  async start(): Promise<void> {
    const tls = typeof this.options.tls === "function" ? this.options.tls(this.hostNames()) : this.options.tls;
    const endpoints = new AwsEndpoints({ ...this.options.endpoint, key: tls.key, cert: tls.cert }, this.deployment.region, this.services, this.log, this.now);
    await this.imds.start();
    try {
      await endpoints.start();
    } catch (error) {
      await this.imds.stop();
      throw error;
    }
    this.endpoints = endpoints;
  }

  /** Stop both servers. */
  async stop(): Promise<void> {
    await Promise.all([this.imds.stop(), this.endpoints?.stop()]);
    this.endpoints = undefined;
  }

  /** Every host name the endpoint answers for (wildcards included, for the certificate). */
  hostNames(): string[] {
    return endpointHostNames(this.deployment.region, [...new Set([...this.s3.bucketNames(), ssmAgentBucket(this.deployment.region)])]);
  }

  /** The IMDS base URL (for `AWS_EC2_METADATA_SERVICE_ENDPOINT` in tests). */
  get imdsUrl(): string {
    return this.imds.url;
  }

  /** The endpoint's bound port (valid once started). */
  get endpointPort(): number {
    return this.endpoints?.port ?? this.options.endpoint.port;
  }

  /** The role credentials IMDS hands out to the first instance (to forge requests in negative tests). */
  get roleCredentials(): RoleCredentials {
    return this.sessions[0]!.credentials();
  }

  /** The role credentials IMDS hands out to one host's instance. */
  roleCredentialsOf(host: string): RoleCredentials {
    return this.session(host).credentials();
  }

  private session(host: string | undefined): InstanceSession {
    if (host === undefined) return this.sessions[0]!;
    const session = this.sessions.find((s) => s.deployment.host === host);
    if (!session) throw new Error(`host ${host} is not in this world (hosts: ${this.sessions.map((s) => s.deployment.host).join(", ")})`);
    return session;
  }

  /**
   * The operator's credentials: calls signed with them are the operator's session
   * (`assumed-role/mail-operator/operator`), authorized by `operatorPolicies` only.
   */
  get operatorCredentials(): RoleCredentials {
    return this.operator.credentials();
  }

  /** Store an SSM parameter (String, or SecureString with `secure`). */
  putParameter(name: string, value: string, options: PutParameterOptions = {}): void {
    this.ssm.put(name, value, options);
  }

  /** Store an S3 object; an unknown bucket is created as AWS's (another account's). */
  putObject(bucket: string, key: string, body: string | Buffer, options: PutObjectOptions = {}): void {
    this.s3.putObject(bucket, key, body, options);
  }

  /**
   * Remove one statement from one of an instance role's policies (a negative control).
   * @param policyName inline policy name, or managed policy name (`AmazonSSMManagedInstanceCore`, `acme-mail-blocklist-metrics`)
   * @param sid the statement's Sid, or `#<index>` for a statement without one
   * @param host whose role. @default the first instance's
   * @throws when there is no such host, policy or statement
   */
  removeStatement(policyName: string, sid: string, host?: string): void {
    const session = this.session(host);
    const policy = session.policies.get(policyName);
    if (!policy) throw new Error(`the role has no policy ${policyName} (policies: ${[...session.policies.keys()].join(", ")})`);
    const statements = policy.document.Statement.map((s, i) => ({ s, label: statementLabel(s, i) }));
    if (!statements.some((x) => x.label === sid))
      throw new Error(`policy ${policyName} has no statement ${sid} (statements: ${statements.map((x) => x.label).join(", ")})`);
    // Keep the labels of the remaining statements stable: unnamed ones keep their original index.
    const document: PolicyDocument = {
      ...policy.document,
      Statement: statements.filter((x) => x.label !== sid).map((x) => (x.s.Sid === undefined ? { ...x.s, Sid: x.label } : x.s)),
    };
    session.policies.set(policyName, { ...policy, document });
  }

  /** Undo every {@link removeStatement}, on every instance's role. */
  restorePolicies(): void {
    for (const session of this.sessions) session.restore();
  }

  /** Every call so far, oldest first. */
  get calls(): readonly CallRecord[] {
    return this.log.calls;
  }

  /** The first denied call, for reports. */
  firstDenied(): CallRecord | undefined {
    return this.log.firstDenied();
  }

  /** Forget the calls so far. */
  clearCalls(): void {
    this.log.clear();
  }

  /** The metric data the hosts published to CloudWatch (accepted calls only), oldest first; of one namespace when given. */
  metricData(namespace?: string): PublishedDatum[] {
    return this.cloudwatch.data(namespace);
  }

  /** The record sets changed through Route53 in a zone. */
  recordSets(zoneName: string): RecordSet[] {
    return this.route53.recordSets(zoneName);
  }
}

function isDeploymentList(deployments: Deployment | readonly Deployment[]): deployments is readonly Deployment[] {
  return Array.isArray(deployments);
}
