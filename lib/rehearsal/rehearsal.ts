/**
 * A deploy rehearsal: what `cdktf deploy` would create for one host, or several hosts of the
 * platform at once, booted for real. The platform is synthesized as a user's app would synthesize
 * it; each host's user data is taken from cdk.tf.json as Terraform would send it; each host boots
 * as a system container of its own whose every call to AWS, ACME and Debian reaches a stand-in
 * under the real name; the stand-ins answer as AWS would, refusing what the synthesized instance
 * role of the calling host does not allow. Hosts booted together share the stand-ins (one account,
 * one bucket, one DNS) and reach each other's private addresses as in the VPC.
 */
import { UserError } from "../errors";
import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "fs";
import { join, resolve } from "path";
import { MailConfigStore } from "../constructs/mail-config-store";
import { USERS_SYNC_SCRIPT_PATH } from "../rollout/script-paths";
import { bundleText, type Bundle } from "../rollout/bundle";
import type { PlatformInput } from "../model/schema";
import { parsePlatform } from "../validation/validate";
import { HOST_OS_FACTS } from "../catalogue/host-os";
import { plan as derivePlan } from "../plan/plan";
import type { HostPlan, Plan } from "../plan/types";
import { AcmeServer } from "./acme";
import { AwsWorld, ssmAgentBucket } from "./aws/world";
import { readDeployment } from "./aws/deployment";
import { mailboxPasswordOperatorPolicy } from "./aws/operator";
import { HostContainer, type ExecResult, type WritableLayer } from "./container";
import type { Deployment } from "./aws/deployment";
import { FirstBootError, type FirstBootOutcome, type FirstBootWait } from "./first-boot";
import { DEFAULT_IMAGE_CACHE, ensureImage, imageRecipe, type DebianRelease, type Image } from "./image";
import { RehearsedHost } from "./rehearsed-host";
import { DEBIAN_MIRROR_NAMES, MirrorForwarder } from "./mirror";
import { RehearsalNetwork, WORLD_ADDRESSES } from "./network";
import { rehearsalInput, type RehearsalSubstitutions } from "./rehearsal-model";
import { buildSsmAgentStandIn } from "./ssm-agent-stand-in";
import { REHEARSAL_STACK, synthesizePlatform } from "./synthesize";
import { WorldCa } from "./world-ca";
import { WorldDns, worldZones } from "./world-dns";
import type { BlocklistListing } from "./world-blocklists";
import { WorldRoot } from "./world-root";
import { acquireRehearsalLock, type RehearsalLock } from "./lock";

/** The name under which hosts reach the ACME stand-in (a reserved test domain). */
export const ACME_HOST_NAME = "acme.rehearsal.example";

/** How to rehearse. */
export interface RehearsalOptions {
  /** The platform model, as the user wrote it (platform.yaml parsed, or typed props). */
  readonly input: PlatformInput;
  /** Which host to boot. @default the first host of the model */
  readonly host?: string;
  /**
   * Boot these hosts at once instead (each in its own container and network namespace, sharing
   * the stand-ins); the first is the rehearsal's primary host (`host`, `container`, `exec`, …),
   * the others are reached through `machine(name)`. Not together with `host`. @default [host]
   */
  readonly hosts?: readonly string[];
  /** The Debian release to boot (every host). @default the release of each host's `os` in the model */
  readonly release?: DebianRelease;
  /** The AWS region the stack deploys to. @default "eu-central-1" */
  readonly region?: string;
  /** Where runs keep their files. @default "/var/tmp/mail-platform-rehearsal" */
  readonly workDir?: string;
  /** Where the image is cached. @default DEFAULT_IMAGE_CACHE */
  readonly imageCache?: string;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /** Change the synthesized cdk.tf.json before anything reads it (negative controls). */
  readonly alterTerraform?: (json: TerraformJson) => void;
  /**
   * Statements of the instance role's policies the stand-ins leave out from the start, as if the
   * role lacked them (`world.restorePolicies()` puts them back, as a deploy of the fixed role
   * would). @default none
   */
  readonly withheldStatements?: ReadonlyArray<{ readonly policy: string; readonly sid: string }>;
  /** Start with the ACME server down (first boot must fail, then recover once it is up). @default false */
  readonly acmeDown?: boolean;
  /**
   * Where each host's root file system keeps what it writes (the overlay's upper layer): `memory`,
   * a tmpfs of the run; or `disk`, below `workDir`, where dpkg's syncs at the first boot's package
   * installation cost what they cost on a disk (bench:mail's time to serve measures there). The
   * data volume is a file below `workDir` either way. @default "memory"
   */
  readonly writableLayer?: WritableLayer;
  /** Attach the data volume this many seconds after boot (the primary host's). @default 0 */
  readonly volumeDelaySeconds?: number;
  /**
   * The data volume of an earlier rehearsal of the same host (its `dataVolumeFile`), to rehearse
   * an instance replacement that keeps the volume (the primary host's). @default a new, empty volume
   */
  readonly dataVolumeFile?: string;
  /**
   * Password hashes in SSM before the host boots, by mailbox address (each a mailbox of the
   * model), as `mail-platform user passwd` would have stored them. @default none
   */
  readonly passwordHashes?: Readonly<Record<string, string>>;
  /**
   * Group addresses the world's blocklists list: the public address the world gave the Elastic
   * IP associated with the group's address on a booted host (the primary by default), listed in
   * one of the model's blocklist zones, as a list lists a sender's address. What the blocklist
   * watch of the host then finds. @default none
   */
  readonly blocklistListings?: readonly BlocklistListingRequest[];
}

/** A group address a rehearsal's blocklist lists. */
export interface BlocklistListingRequest {
  readonly group: string;
  /** A blocklist zone of the model (dnsbl.sites or blocklistWatch.zones). */
  readonly zone: string;
  /** @default the primary host */
  readonly host?: string;
}

/** The parsed cdk.tf.json (as much of its shape as the rehearsal relies on). */
export type TerraformJson = Record<string, unknown> & { resource: Record<string, Record<string, Record<string, unknown>>> };

/** Seconds each phase took. */
export interface RehearsalTimings {
  image?: number;
  imageBuilt?: boolean;
  synth?: number;
  standIns?: number;
  firstBoot?: number;
  [phase: string]: number | boolean | undefined;
}

const DEFAULT_WORK_DIR = "/var/tmp/mail-platform-rehearsal";
const DATA_VOLUME_MIB = 1024;

/** A running rehearsal of one host, or of several at once. */
export class Rehearsal {
  readonly timings: RehearsalTimings = {};
  /** The synthesized stack as Terraform would receive it. */
  terraform!: TerraformJson;
  /** The rehearsal's model (the user's, with the listed substitutions). */
  input!: PlatformInput;
  substitutions!: RehearsalSubstitutions;
  /** The plan of the rehearsal's model. */
  plan!: Plan;
  world!: AwsWorld;
  acme!: AcmeServer;
  ca!: WorldCa;
  /** The booted hosts, the primary first. */
  readonly machines: RehearsedHost[] = [];
  readonly runDir: string;
  private readonly network: RehearsalNetwork;
  private dns?: WorldDns;
  /** The stand-in DNS root (its named, and the key the hosts trust); public for tests that read its query log. */
  root!: WorldRoot;
  private readonly mirror = new MirrorForwarder(WORLD_ADDRESSES.mirror);
  private lock?: RehearsalLock;
  private readonly log: (line: string) => void;

  private constructor(readonly options: RehearsalOptions) {
    const id = randomBytes(3).toString("hex");
    this.runDir = join(options.workDir ?? DEFAULT_WORK_DIR, id);
    this.network = new RehearsalNetwork(id);
    this.log = options.log ?? (() => undefined);
  }

  /** Build (or take) the images, synthesize, start the stand-ins and boot the host(s). */
  static async start(options: RehearsalOptions): Promise<Rehearsal> {
    const rehearsal = new Rehearsal(options);
    try {
      await rehearsal.prepare();
    } catch (error) {
      await rehearsal.stop();
      throw error;
    }
    return rehearsal;
  }

  private timed<T>(phase: string, work: () => T): T {
    const started = Date.now();
    const result = work();
    this.timings[phase] = (Date.now() - started) / 1000;
    return result;
  }

  /** The names of the hosts to boot, the primary first. */
  get hostNames(): readonly string[] {
    const { host, hosts } = this.options;
    if (hosts !== undefined) return hosts;
    return [host ?? this.options.input.hosts[0]!.name];
  }

  /** The primary host's name in the model. */
  get host(): string {
    return this.hostNames[0]!;
  }

  /** A booted host by name. */
  machine(name: string): RehearsedHost {
    const machine = this.machines.find((m) => m.name === name);
    if (!machine) throw new UserError(`host ${name} is not booted in this rehearsal (booted: ${this.machines.map((m) => m.name).join(", ") || "none"})`);
    return machine;
  }

  private get primary(): RehearsedHost {
    const primary = this.machines[0];
    if (!primary) throw new Error("the rehearsal has not booted its host");
    return primary;
  }

  /** The primary host's container. */
  get container(): HostContainer {
    return this.primary.container;
  }

  /** What Terraform would have created for the primary host, as the stand-ins serve it. */
  get deployment(): Deployment {
    return this.primary.deployment;
  }

  /** The image the primary host boots. */
  get image(): Image {
    return this.primary.image;
  }

  private async prepare(): Promise<void> {
    const { options } = this;
    const names = this.hostNames;
    if (options.host !== undefined && options.hosts !== undefined) throw new UserError("give either host or hosts, not both");
    if (names.length === 0) throw new UserError("hosts is empty: name at least one host to boot");
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) throw new UserError(`host ${twice} is named twice in hosts`);
    this.lock = await acquireRehearsalLock();
    mkdirSync(this.runDir, { recursive: true });
    this.ca = new WorldCa(join(this.runDir, "ca"));
    this.acme = new AcmeServer({
      address: WORLD_ADDRESSES.acme,
      challengeAddress: WORLD_ADDRESSES.challengeDns,
      hostName: ACME_HOST_NAME,
      tls: this.ca.issue("acme", [ACME_HOST_NAME]),
      dir: join(this.runDir, "acme"),
    });
    const model = rehearsalInput(options.input, this.acme.directoryUrl);
    this.input = model.input;
    this.substitutions = model.substitutions;
    this.plan = derivePlan(parsePlatform(this.input));
    const missing = names.find((name) => !this.plan.hosts.some((h) => h.name === name));
    if (missing !== undefined) throw new UserError(`host ${missing} is not in the model (hosts: ${this.plan.hosts.map((h) => h.name).join(", ")})`);
    const hostPlans = names.map((name) => this.plan.hosts.find((h) => h.name === name)!);
    // One image per release the hosts run, built one after the other (each build is heavy).
    const images = new Map<DebianRelease, Image>();
    this.timed("image", () => {
      for (const hostPlan of hostPlans) {
        const release = options.release ?? HOST_OS_FACTS[hostPlan.os].codename;
        if (!images.has(release)) images.set(release, ensureImage(imageRecipe(release), options.imageCache ?? DEFAULT_IMAGE_CACHE, this.log));
      }
    });
    this.timings.imageBuilt = [...images.values()].some((i) => i.built);
    const started = Date.now();
    this.terraform = this.synthesize(this.input, "synth");
    this.timings.synth = (Date.now() - started) / 1000;
    const deployments = names.map((name) => readDeployment(this.terraform, name, { readSource: this.stackFiles("synth") }));
    await this.startWorld(deployments, hostPlans);
    await this.boot(deployments, hostPlans, (hostPlan) => images.get(options.release ?? HOST_OS_FACTS[hostPlan.os].codename)!);
  }

  /** Synthesize a model into its own directory (`label`) and parse (and optionally alter) the result. */
  private synthesize(input: PlatformInput, label: string): TerraformJson {
    const text = synthesizePlatform(input, this.options.region ?? "eu-central-1", this.outdir(label));
    const json = JSON.parse(text) as TerraformJson;
    this.options.alterTerraform?.(json);
    return json;
  }

  private outdir(label: string): string {
    return join(this.runDir, label);
  }

  /** The files beside the cdk.tf.json synthesized as `label`, as Terraform (running in the stack's directory) reads them. */
  private stackFiles(label: string): (path: string) => Buffer | undefined {
    const stackDir = join(this.outdir(label), "stacks", REHEARSAL_STACK);
    return (path) => {
      const file = resolve(stackDir, path);
      return file.startsWith(`${stackDir}/`) && existsSync(file) ? readFileSync(file) : undefined;
    };
  }

  private async startWorld(deployments: readonly Deployment[], hostPlans: readonly HostPlan[]): Promise<void> {
    const started = Date.now();
    const deployment = deployments[0]!;
    this.world = new AwsWorld(
      deployments,
      {
        imds: { address: WORLD_ADDRESSES.imds, port: 80 },
        endpoint: { address: WORLD_ADDRESSES.aws, port: 443 },
        tls: (names) => this.ca.issue("aws", names),
        challengeManagementUrl: this.acme.challengeManagementUrl,
        // The operator may do what README's policy for `mail-platform user` allows, on this model's password path.
        operatorPolicies: [mailboxPasswordOperatorPolicy(deployment.region, deployment.accountId, this.plan.accounts.passwordParameterPrefix)],
      },
      // IMDS tells the instances apart by the private address a request comes from.
      Object.fromEntries(hostPlans.map((h) => [h.name, h.addresses.map((a) => a.privateIp)])),
    );
    for (const { policy, sid } of this.options.withheldStatements ?? []) this.world.removeStatement(policy, sid);
    for (const [parameter, pem] of this.substitutions.dkimPrivateKeys) this.world.putParameter(parameter, pem, { secure: true });
    for (const [address, hash] of Object.entries(this.options.passwordHashes ?? {})) this.setPasswordHash(address, hash);
    const architecture = "amd64";
    this.world.putObject(
      ssmAgentBucket(deployment.region),
      `latest/debian_${architecture}/amazon-ssm-agent.deb`,
      buildSsmAgentStandIn(this.runDir, architecture),
      { public: true },
    );

    this.network.create();
    const standIns = [
      ...this.world.hostNames().map((name) => ({ name, address: WORLD_ADDRESSES.aws })),
      ...DEBIAN_MIRROR_NAMES.map((name) => ({ name, address: WORLD_ADDRESSES.mirror })),
      { name: ACME_HOST_NAME, address: WORLD_ADDRESSES.acme },
    ];
    const zones = worldZones(this.plan, WORLD_ADDRESSES, standIns, listingsOf(this.options.blocklistListings ?? [], deployments, hostPlans));
    const worldZoneNames = zones.keys();
    this.dns = new WorldDns(join(this.runDir, "dns"), WORLD_ADDRESSES.resolver, zones);
    await this.dns.start();
    this.root = new WorldRoot(join(this.runDir, "root"), [...worldZoneNames], WORLD_ADDRESSES.resolver);
    await this.root.start();
    await this.mirror.start();
    await this.world.start();
    await this.acme.start();
    if (this.options.acmeDown) await this.acme.stopPebble();
    this.timings.standIns = (Date.now() - started) / 1000;
  }

  /** The plan's entry of the primary host. */
  get hostPlan(): HostPlan {
    return this.primary.plan;
  }

  /**
   * Attach every host to the network, then boot their containers side by side: each first boot
   * (cloud-init, packages, certificates) runs in its container while the others run theirs.
   */
  private async boot(deployments: readonly Deployment[], hostPlans: readonly HostPlan[], imageOf: (hostPlan: HostPlan) => Image): Promise<void> {
    // The ACME server's root, trusted by the hosts as Debian's CA bundle trusts Let's Encrypt's:
    // a backup MX verifies its home's certificate (`secure` in its TLS policy) against that bundle.
    // (pebble makes a new root each time it starts: with the ACME server down at boot there is none yet.)
    const acmeRoot = this.options.acmeDown ? undefined : await this.acme.issuingRoot(this.ca.pem);
    deployments.forEach((deployment, index) => {
      const hostPlan = hostPlans[index]!;
      const link = this.network.attach(
        hostPlan.name,
        hostPlan.addresses.map((a) => a.privateIp),
        deployment.networkInterface.mac,
      );
      const instance = Object.values(this.terraform.resource.aws_instance ?? {}).find(
        (i) => (i.tags as Record<string, string> | undefined)?.Name === deployment.instance.name,
      );
      if (!instance) throw new Error(`no aws_instance named ${deployment.instance.name} in cdk.tf.json`);
      const container = new HostContainer({
        imageRootfs: imageOf(hostPlan).rootfs,
        writableLayer: this.options.writableLayer ?? "memory",
        // The first host keeps the directory a one-host rehearsal always had.
        runDir: join(this.runDir, index === 0 ? "host" : `host-${hostPlan.name}`),
        link,
        // EC2's default host name of an instance: its primary private IP.
        hostName: `ip-${link.primary.replace(/\./g, "-")}`,
        instanceId: deployment.instance.id,
        // Exactly what EC2 hands the instance: cdk.tf.json's user_data_base64, decoded.
        userData: Buffer.from(String(instance.user_data_base64), "base64"),
        resolver: WORLD_ADDRESSES.resolver,
        trustedCa: this.ca.pem,
        rootTrustAnchor: this.root.trustAnchor,
        ...(acmeRoot === undefined ? {} : { acmeRoot }),
      });
      this.machines.push(new RehearsedHost(hostPlan.name, deployment, hostPlan, imageOf(hostPlan), container));
    });
    await Promise.all(
      this.machines.map(async (machine, index) => {
        this.log(`booting ${machine.name} (${machine.deployment.instance.id}) from ${machine.image.recipe.release}`);
        await machine.boot({
          sizeMiB: DATA_VOLUME_MIB,
          ...(index === 0 && this.options.dataVolumeFile !== undefined ? { existingFile: this.options.dataVolumeFile } : {}),
          ...(index === 0 && this.options.volumeDelaySeconds !== undefined ? { delaySeconds: this.options.volumeDelaySeconds } : {}),
        });
      }),
    );
  }

  /** The file behind the primary host's data volume (kept by `stop({ keepFiles: true })`). */
  get dataVolumeFile(): string | undefined {
    return this.machines[0]?.dataVolumeFile;
  }

  /** Run a command inside the primary host, as root. */
  exec(argv: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<ExecResult> {
    return this.container.exec(argv, options);
  }

  /**
   * Store a mailbox's password hash (the Dovecot password string with its scheme) in the SSM
   * stand-in as a SecureString, at the parameter the plan names for it — what `mail-platform user
   * passwd` does. The mailbox's home picks it up at its next users sync.
   */
  setPasswordHash(address: string, hash: string): void {
    const mailbox = this.plan.accounts.mailboxes.find((m) => m.address === address);
    if (!mailbox)
      throw new UserError(
        `${address} is no mailbox of the rehearsal's model (mailboxes: ${this.plan.accounts.mailboxes.map((m) => m.address).join(", ") || "none"})`,
      );
    this.world.putParameter(mailbox.passwordParameter, hash, { secure: true });
  }

  /**
   * The environment that makes the AWS SDK (e.g. `mail-platform user`) the platform's operator in
   * this world: the operator's credentials, the region, the stand-ins' CA trusted (Node reads
   * NODE_EXTRA_CA_CERTS), no instance metadata. No endpoint override: AWS's own host names
   * (`world.hostNames()`) must resolve to `WORLD_ADDRESSES.aws`, where the endpoint answers over
   * HTTPS under those names; a private /etc/hosts does that without touching this machine's.
   */
  operatorEnvironment(): Record<string, string> {
    const credentials = this.world.operatorCredentials;
    return {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      AWS_REGION: this.deployment.region,
      AWS_EC2_METADATA_DISABLED: "true",
      NODE_EXTRA_CA_CERTS: this.ca.caFile,
    };
  }

  /**
   * Run a host's users sync now and wait for it (the primary's by default). The program itself,
   * not `systemctl start` of its unit: a start while the timer's run is under way joins that run,
   * which may have read SSM before the change being tested; the program takes the sync's lock and
   * reads SSM afresh.
   */
  async syncUsers(host?: string): Promise<ExecResult> {
    return (host === undefined ? this.primary : this.machine(host)).exec([USERS_SYNC_SCRIPT_PATH]);
  }

  /**
   * Give a mailbox of the model a password: its SHA512-CRYPT hash into SSM, then the users sync
   * run on the mailbox's home (the timer would run it within its period) — on the primary host
   * when the home is not booted. Returns the address.
   */
  async addMailbox(address: string, password: string): Promise<string> {
    const hash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: `${password}\n`, encoding: "utf8" }).trim();
    this.setPasswordHash(address, `{SHA512-CRYPT}${hash}`);
    const group = this.plan.accounts.mailboxes.find((m) => m.address === address)!.group;
    const home = this.plan.placements.find((p) => p.group === group)?.home;
    const result = await this.syncUsers(this.machines.some((m) => m.name === home) ? home : undefined);
    if (result.status !== 0) throw new Error(`the users sync failed after adding ${address}: ${result.stderr.trim()}`);
    return address;
  }

  /**
   * Roll a change out as AWS would, to the primary host: synthesize the changed model, publish
   * the new bundles in the S3 stand-in (Terraform creates them before it changes the association,
   * which depends on them), then run the host's association's command from the new cdk.tf.json
   * inside the host, as SSM Run Command does.
   */
  async rollout(change: (input: PlatformInput) => void, label = "rollout"): Promise<RolloutResult> {
    const input = structuredClone(this.input);
    change(input);
    const json = this.synthesize(input, label);
    const next = readDeployment(json, this.host, { readSource: this.stackFiles(label) });
    const bucket = next.buckets.find((b) => next.association?.commands.includes(`s3://${b.name}/`));
    if (!next.association || !bucket) throw new Error("the changed stack has no rollout association naming a bundle in its bucket");
    for (const object of bucket.objects) this.world.putObject(bucket.name, object.key, object.body);
    const url = /s3:\/\/\S+/.exec(next.association.commands)![0];
    const published = bucket.objects.find((o) => `s3://${bucket.name}/${o.key}` === url);
    if (!published) throw new Error(`the association names ${url}, which the stack does not publish`);
    return { ...(await this.runAssociation(next.association.commands)), bundle: JSON.parse(published.body.toString("utf8")) as Bundle };
  }

  /**
   * Publish a given bundle (e.g. a broken one) and run the association's command for it: the
   * command the association would run had Terraform published that bundle.
   */
  async rolloutBundle(bundle: Bundle): Promise<RolloutResult> {
    const command = this.deployment.association?.commands;
    const bucket = this.deployment.buckets.find((b) => command?.includes(`s3://${b.name}/`));
    if (!command || !bucket) throw new Error("the stack has no rollout association naming a bundle in its bucket");
    const key = MailConfigStore.key(this.host, bundle);
    this.world.putObject(bucket.name, key, bundleText(bundle));
    return { ...(await this.runAssociation(command.replace(/s3:\/\/\S+/, `s3://${bucket.name}/${key}`))), bundle };
  }

  private async runAssociation(command: string): Promise<Omit<RolloutResult, "bundle">> {
    const started = Date.now();
    const result = await this.container.runAsService(command);
    return { command, status: result.status, output: `${result.stdout}${result.stderr}`, seconds: (Date.now() - started) / 1000 };
  }

  /**
   * Wait for the first-boot setup of every booted host to finish (see FirstBootWait), side by
   * side. Returns the primary host's outcome (each host's is in its `outcome`). The first host whose
   * wait fails ends the others' waits, and its FirstBootError (naming the host when there are
   * several) is thrown.
   */
  async waitForFirstBoot(wait: Omit<FirstBootWait, "context" | "host" | "abandoned">): Promise<FirstBootOutcome> {
    let failed = false;
    const several = this.machines.length > 1;
    const outcomes = await Promise.allSettled(
      this.machines.map((machine) =>
        machine
          .waitForFirstBoot({
            ...wait,
            context: () => this.deniedCalls(),
            abandoned: () => failed,
            ...(several ? { host: machine.name } : {}),
          })
          .catch((error: unknown) => {
            failed = true;
            throw error;
          }),
      ),
    );
    // The error of a host that failed on its own, not of one whose wait was abandoned for it.
    const errors = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
    const own = errors.find((e) => !(e instanceof FirstBootError && /was abandoned/.test(e.message)));
    if (own !== undefined || errors.length > 0) throw own ?? errors[0];
    for (const machine of this.machines) if (several) this.timings[`firstBoot ${machine.name}`] = machine.outcome!.seconds;
    this.timings.firstBoot = Math.max(...this.machines.map((m) => m.outcome!.seconds));
    return this.primary.outcome!;
  }

  /** The AWS calls the stand-ins refused, one per line ("" when none). */
  deniedCalls(): string {
    const denied = this.world.calls.filter((c) => c.decision === "denied");
    return denied.length === 0 ? "" : `AWS calls refused by the stand-ins:\n${denied.map((c) => `  ${c.action} on ${c.resource}: ${c.reason}`).join("\n")}`;
  }

  /** Stop everything, remove what the rehearsal added to this machine, keep nothing but the run's files. */
  async stop(options: { keepFiles?: boolean } = {}): Promise<void> {
    await Promise.all(this.machines.map((m) => m.stop().catch(() => undefined)));
    await this.world?.stop().catch(() => undefined);
    await this.acme?.stop().catch(() => undefined);
    await this.dns?.stop().catch(() => undefined);
    await this.root?.stop().catch(() => undefined);
    await this.mirror.stop().catch(() => undefined);
    this.network.destroy();
    if (!options.keepFiles) rmSync(this.runDir, { recursive: true, force: true });
    this.lock?.release();
  }
}

/** The public address of each requested listing, as the world gave the group's Elastic IP. */
function listingsOf(requests: readonly BlocklistListingRequest[], deployments: readonly Deployment[], hostPlans: readonly HostPlan[]): BlocklistListing[] {
  return requests.map((request) => {
    const index = request.host === undefined ? 0 : hostPlans.findIndex((h) => h.name === request.host);
    const hostPlan = hostPlans[index];
    if (!hostPlan) throw new UserError(`blocklistListings: host ${request.host} is not booted in this rehearsal`);
    const address = hostPlan.addresses.find((a) => a.group === request.group);
    if (!address) throw new UserError(`blocklistListings: group ${request.group} has no address on host ${hostPlan.name}`);
    const eip = deployments[index]!.networkInterface.elasticIps.find((e) => e.privateIp === address.privateIp);
    if (!eip) throw new UserError(`blocklistListings: no Elastic IP is associated with ${address.privateIp} (group ${request.group} on ${hostPlan.name})`);
    return { zone: request.zone, address: eip.publicIp };
  });
}

export type { ExecResult };

/** What a rollout did. */
export interface RolloutResult {
  /** The command SSM would run (from cdk.tf.json). */
  readonly command: string;
  /** Its exit status (the apply script's: 0 applied, 2 refused, 3 rolled back, 4 rollback failed). */
  readonly status: number | null;
  /** Its output (the apply script logs every step to stderr). */
  readonly output: string;
  readonly seconds: number;
  /** The bundle it applied (or tried to). */
  readonly bundle: Bundle;
}
