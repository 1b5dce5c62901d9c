/**
 * A deploy rehearsal: what `cdktf deploy` would create for one host, booted for real. The
 * platform is synthesized as a user's app would synthesize it; the host's user data is taken from
 * cdk.tf.json as Terraform would send it; the host boots as a system container whose every call to
 * AWS, ACME and Debian reaches a stand-in under the real name; the stand-ins answer as AWS would,
 * refusing what the synthesized instance role does not allow.
 */
import { UserError } from "../errors";
import { execFileSync } from "child_process";
import { randomBytes } from "crypto";
import { mkdirSync, rmSync } from "fs";
import { join } from "path";
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
import { readDeployment, type Deployment } from "./aws/deployment";
import { mailboxPasswordOperatorPolicy } from "./aws/operator";
import { HostContainer, type ExecResult } from "./container";
import { waitForFirstBoot, type FirstBootOutcome, type FirstBootWait } from "./first-boot";
import { DEFAULT_IMAGE_CACHE, ensureImage, imageRecipe, type DebianRelease, type Image } from "./image";
import { DEBIAN_MIRROR_NAMES, MirrorForwarder } from "./mirror";
import { RehearsalNetwork, WORLD_ADDRESSES } from "./network";
import { rehearsalInput, type RehearsalSubstitutions } from "./rehearsal-model";
import { buildSsmAgentStandIn } from "./ssm-agent-stand-in";
import { synthesizePlatform } from "./synthesize";
import { WorldCa } from "./world-ca";
import { WorldDns, worldZones } from "./world-dns";
import { acquireRehearsalLock, type RehearsalLock } from "./lock";

/** The name under which hosts reach the ACME stand-in (a reserved test domain). */
export const ACME_HOST_NAME = "acme.rehearsal.test";

/** How to rehearse. */
export interface RehearsalOptions {
  /** The platform model, as the user wrote it (platform.yaml parsed, or typed props). */
  readonly input: PlatformInput;
  /** Which host to boot. @default the first host of the model */
  readonly host?: string;
  /** The Debian release to boot. @default the release of the host's `os` in the model */
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
  /** Start with the ACME server down (first boot must fail, then recover once it is up). @default false */
  readonly acmeDown?: boolean;
  /** Attach the data volume this many seconds after boot. @default 0 */
  readonly volumeDelaySeconds?: number;
  /**
   * The data volume of an earlier rehearsal of the same host (its `dataVolumeFile`), to rehearse
   * an instance replacement that keeps the volume. @default a new, empty volume
   */
  readonly dataVolumeFile?: string;
  /**
   * Password hashes in SSM before the host boots, by mailbox address (each a mailbox of the
   * model), as `mail-platform user passwd` would have stored them. @default none
   */
  readonly passwordHashes?: Readonly<Record<string, string>>;
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

/** A running rehearsal of one host. */
export class Rehearsal {
  readonly timings: RehearsalTimings = {};
  /** The synthesized stack as Terraform would receive it. */
  terraform!: TerraformJson;
  /** What Terraform would have created for the host, as the stand-ins serve it. */
  deployment!: Deployment;
  /** The rehearsal's model (the user's, with the listed substitutions). */
  input!: PlatformInput;
  substitutions!: RehearsalSubstitutions;
  /** The plan of the rehearsal's model. */
  plan!: Plan;
  image!: Image;
  world!: AwsWorld;
  acme!: AcmeServer;
  container!: HostContainer;
  ca!: WorldCa;
  readonly runDir: string;
  private readonly network: RehearsalNetwork;
  private dns?: WorldDns;
  private readonly mirror = new MirrorForwarder(WORLD_ADDRESSES.mirror);
  private bootedAt = 0;
  private lock?: RehearsalLock;
  private volumeTimer?: NodeJS.Timeout;
  private readonly log: (line: string) => void;

  private constructor(readonly options: RehearsalOptions) {
    const id = randomBytes(3).toString("hex");
    this.runDir = join(options.workDir ?? DEFAULT_WORK_DIR, id);
    this.network = new RehearsalNetwork(id);
    this.log = options.log ?? (() => undefined);
  }

  /** Build (or take) the image, synthesize, start the stand-ins and boot the host. */
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

  /** The host's name in the model. */
  get host(): string {
    return this.options.host ?? this.options.input.hosts[0]!.name;
  }

  private async prepare(): Promise<void> {
    const { options } = this;
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
    if (!this.plan.hosts.some((h) => h.name === this.host))
      throw new UserError(`host ${this.host} is not in the model (hosts: ${this.plan.hosts.map((h) => h.name).join(", ")})`);
    const release = options.release ?? HOST_OS_FACTS[this.hostPlan.os].codename;
    this.image = this.timed("image", () => ensureImage(imageRecipe(release), options.imageCache ?? DEFAULT_IMAGE_CACHE, this.log));
    this.timings.imageBuilt = this.image.built;
    const started = Date.now();
    this.terraform = this.synthesize(this.input, "synth");
    this.timings.synth = (Date.now() - started) / 1000;
    this.deployment = readDeployment(this.terraform, this.host);
    await this.startWorld();
    await this.boot();
  }

  /** Synthesize a model into its own directory and parse (and optionally alter) the result. */
  private synthesize(input: PlatformInput, label: string): TerraformJson {
    const text = synthesizePlatform(input, this.options.region ?? "eu-central-1", join(this.runDir, label));
    const json = JSON.parse(text) as TerraformJson;
    this.options.alterTerraform?.(json);
    return json;
  }

  private async startWorld(): Promise<void> {
    const started = Date.now();
    const { deployment } = this;
    this.world = new AwsWorld(deployment, {
      imds: { address: WORLD_ADDRESSES.imds, port: 80 },
      endpoint: { address: WORLD_ADDRESSES.aws, port: 443 },
      tls: (names) => this.ca.issue("aws", names),
      challengeManagementUrl: this.acme.challengeManagementUrl,
      // The operator may do what README's policy for `mail-platform user` allows, on this model's password path.
      operatorPolicies: [mailboxPasswordOperatorPolicy(deployment.region, deployment.accountId, this.plan.accounts.passwordParameterPrefix)],
    });
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
    this.dns = new WorldDns(join(this.runDir, "dns"), WORLD_ADDRESSES.resolver, worldZones(this.plan, WORLD_ADDRESSES, standIns));
    await this.dns.start();
    await this.mirror.start();
    await this.world.start();
    await this.acme.start();
    if (this.options.acmeDown) await this.acme.stopPebble();
    this.timings.standIns = (Date.now() - started) / 1000;
  }

  /** The plan's entry of the rehearsed host. */
  get hostPlan(): HostPlan {
    return this.plan.hosts.find((h) => h.name === this.host)!;
  }

  private async boot(): Promise<void> {
    const { deployment } = this;
    const addresses = this.hostPlan.addresses.map((a) => a.privateIp);
    const link = this.network.attach(this.host, addresses);
    const instance = Object.values(this.terraform.resource.aws_instance ?? {}).find(
      (i) => (i.tags as Record<string, string> | undefined)?.Name === deployment.instance.name,
    );
    if (!instance) throw new Error(`no aws_instance named ${deployment.instance.name} in cdk.tf.json`);
    this.container = new HostContainer({
      imageRootfs: this.image.rootfs,
      runDir: join(this.runDir, "host"),
      link,
      // EC2's default host name of an instance: its primary private IP.
      hostName: `ip-${link.primary.replace(/\./g, "-")}`,
      instanceId: deployment.instance.id,
      // Exactly what EC2 hands the instance: cdk.tf.json's user_data_base64, decoded.
      userData: Buffer.from(String(instance.user_data_base64), "base64"),
      resolver: WORLD_ADDRESSES.resolver,
      trustedCa: this.ca.pem,
    });
    this.log(`booting ${this.host} (${deployment.instance.id}) from ${this.image.recipe.release}`);
    await this.container.boot();
    this.bootedAt = Date.now();
    const attach = () => this.container.attachVolume(deployment.dataVolume.id, DATA_VOLUME_MIB, this.options.dataVolumeFile);
    const delay = this.options.volumeDelaySeconds ?? 0;
    if (delay === 0) attach();
    else this.volumeTimer = setTimeout(attach, delay * 1000);
  }

  /** The file behind the host's data volume (kept by `stop({ keepFiles: true })`). */
  get dataVolumeFile(): string | undefined {
    return this.container?.volumeFile;
  }

  /** Run a command inside the host, as root. */
  exec(argv: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<ExecResult> {
    return this.container.exec(argv, options);
  }

  /**
   * Store a mailbox's password hash (the Dovecot password string with its scheme) in the SSM
   * stand-in as a SecureString, at the parameter the plan names for it — what `mail-platform user
   * passwd` does. The host picks it up at its next users sync.
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
   * Run the host's users sync now and wait for it. The program itself, not `systemctl start` of its
   * unit: a start while the timer's run is under way joins that run, which may have read SSM before
   * the change being tested; the program takes the sync's lock and reads SSM afresh.
   */
  async syncUsers(): Promise<ExecResult> {
    return this.exec([USERS_SYNC_SCRIPT_PATH]);
  }

  /**
   * Give a mailbox of the model a password: its SHA512-CRYPT hash into SSM, then the host's users
   * sync run (the timer would run it within its period). Returns the address.
   */
  async addMailbox(address: string, password: string): Promise<string> {
    const hash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: `${password}\n`, encoding: "utf8" }).trim();
    this.setPasswordHash(address, `{SHA512-CRYPT}${hash}`);
    const result = await this.syncUsers();
    if (result.status !== 0) throw new Error(`the users sync failed after adding ${address}: ${result.stderr.trim()}`);
    return address;
  }

  /**
   * Roll a change out as AWS would: synthesize the changed model, publish the host's new bundle
   * in the S3 stand-in (Terraform creates it before it changes the association, which depends on
   * it), then run the association's command from the new cdk.tf.json inside the host, as SSM Run
   * Command does.
   */
  async rollout(change: (input: PlatformInput) => void, label = "rollout"): Promise<RolloutResult> {
    const input = structuredClone(this.input);
    change(input);
    const json = this.synthesize(input, label);
    const next = readDeployment(json, this.host);
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

  /** Wait for the first-boot setup to finish (see FirstBootWait). */
  async waitForFirstBoot(wait: Omit<FirstBootWait, "context">): Promise<FirstBootOutcome> {
    const outcome = await waitForFirstBoot(this.container, this.bootedAt, { ...wait, context: () => this.deniedCalls() });
    this.timings.firstBoot = outcome.seconds;
    return outcome;
  }

  /** The AWS calls the stand-ins refused, one per line ("" when none). */
  deniedCalls(): string {
    const denied = this.world.calls.filter((c) => c.decision === "denied");
    return denied.length === 0 ? "" : `AWS calls refused by the stand-ins:\n${denied.map((c) => `  ${c.action} on ${c.resource}: ${c.reason}`).join("\n")}`;
  }

  /** Stop everything, remove what the rehearsal added to this machine, keep nothing but the run's files. */
  async stop(options: { keepFiles?: boolean } = {}): Promise<void> {
    if (this.volumeTimer) clearTimeout(this.volumeTimer);
    await this.container?.stop().catch(() => undefined);
    await this.world?.stop().catch(() => undefined);
    await this.acme?.stop().catch(() => undefined);
    await this.dns?.stop().catch(() => undefined);
    await this.mirror.stop().catch(() => undefined);
    this.network.destroy();
    if (!options.keepFiles) rmSync(this.runDir, { recursive: true, force: true });
    this.lock?.release();
  }
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
