/**
 * The whole mail platform in one construct: firewall, hosts, DNS and the rendered Postfix and
 * Dovecot configuration, all derived from one validated model. It translates the plan into
 * resources; it decides no mail policy of its own.
 */
import { readFileSync } from "fs";
import { Construct } from "constructs";
import { Aspects, TerraformIterator, TerraformOutput } from "../cdk/core";
import { MailSecurityChecks } from "../security/aspect";
import { acknowledgeFinding } from "../security/acknowledge";
import { brandMailPlatform } from "../security/brands";
import { loadPlatformText } from "../validation/load";
import type { PlatformInput, PlatformSpec } from "../model/schema";
import { parsePlatform } from "../validation/validate";
import { plan as derivePlan } from "../plan/plan";
import type { Plan } from "../plan/types";
import type { HostFiles } from "../render/host-files";
import { MailDns, type PublicAddress } from "./mail-dns";
import { MailFirewall } from "./mail-firewall";
import { MailHost } from "./mail-host";
import { MailZones } from "./mail-zones";
import { MailConfigStore } from "./mail-config-store";
import { DataSnapshots } from "./data-snapshots";
import { BlocklistAlerts } from "./blocklist-alerts";
import { addRenderedFiles } from "./rendered-files-output";
import { certificateZones } from "../model/certificate-names";
import { validatedForSynth } from "./invalid-model-under-synth";

/** Properties of {@link MailPlatform}. */
export interface MailPlatformProps {
  /**
   * The platform model, as in `platform.yaml` (validated here; every problem is reported at
   * once in a {@link PlatformValidationError}, or under `cdktf synth` printed as a list before
   * the app exits 1). Its `dns` and `aws` sections are required.
   */
  readonly platform: PlatformInput;
  /**
   * Name of the input in error messages, e.g. the file it came from.
   * @default "the platform model"
   */
  readonly source?: string;
  /**
   * Apply the security rule pack to this platform's constructs: an unacknowledged finding (e.g.
   * an `addOverride` that turns IMDSv1 back on) fails synthesis.
   * @default true
   */
  readonly securityChecks?: boolean;
}

/** Why AWS may not deliver the platform's outbound mail yet. */
export const PORT_25_NOTE =
  "AWS blocks outbound port 25 from EC2 until the account asks for the limit to be lifted " +
  "(the 'Request to remove email sending limitations' form); until then outbound mail stays queued.";

/**
 * Models that {@link MailPlatform.fromFile} validated as deployable and hands to the constructor
 * at once; the constructor removes each as it takes it, so a model passed in later (possibly
 * changed meanwhile) is always validated.
 */
const validatedByFromFile = new WeakSet<PlatformSpec>();

/** A mail platform on AWS. */
export class MailPlatform extends Construct {
  /**
   * Read a `platform.yaml` (or `.json`) and create the platform from it.
   * @throws PlatformValidationError listing every problem of the file (under `cdktf synth`: the
   * list is printed and the app exits 1)
   */
  static fromFile(scope: Construct, id: string, path: string): MailPlatform {
    const spec = validatedForSynth(() => loadPlatformText(readFileSync(path), path, { deployable: true }));
    validatedByFromFile.add(spec);
    return new MailPlatform(scope, id, { platform: spec, source: path });
  }

  /** The validated model. */
  readonly spec: PlatformSpec;
  /** The derivation everything below is read from. */
  readonly plan: Plan;
  /** Rendered files of every host (also written next to cdk.tf.json at synth). */
  readonly renderedFiles: readonly HostFiles[];
  /** The security group. */
  readonly firewall: MailFirewall;
  /** The hosts, by host name. */
  readonly hosts: ReadonlyMap<string, MailHost>;
  /** Route53 hosted zones. */
  readonly zones: MailZones;
  /** The bucket of configuration bundles. */
  readonly configStore: MailConfigStore;
  /** Snapshot schedule of the data volumes (when configured). */
  readonly snapshots?: DataSnapshots;
  /** The security rule pack applied to this platform (undefined when switched off). */
  readonly securityChecks?: MailSecurityChecks;
  /** Route53 records and reverse names. */
  readonly dns: MailDns;
  /** The blocklist watch's alert topic, alarms and metric rights (when blocklistWatch.enabled). */
  readonly blocklistAlerts?: BlocklistAlerts;

  constructor(scope: Construct, id: string, props: MailPlatformProps) {
    super(scope, id);
    brandMailPlatform(this);
    const source = props.source ?? "the platform model";
    // A model fromFile has just validated (deployable) is taken as it is, not validated a second
    // time: the first validation's user data check renders and compresses every host's first-boot
    // script, and the second would do it all again to find the same nothing.
    const handedOver = validatedByFromFile.delete(props.platform as PlatformSpec);
    this.spec = handedOver ? (props.platform as PlatformSpec) : validatedForSynth(() => parsePlatform(props.platform, source, { deployable: true }));
    const { aws, dns } = this.spec;
    // Both are required by the deployable validation above.
    if (!aws || !dns) throw new Error("internal error: a deployable platform without aws or dns section");
    this.plan = derivePlan(this.spec);

    this.firewall = new MailFirewall(this, "firewall", { plan: this.plan, vpcId: aws.vpcId, tags: aws.tags });

    this.zones = new MailZones(this, "zones", { dns, platform: this.spec.name, tags: aws.tags });
    // Each host may write ACME challenges to the zones of its own certificate names only.
    const acmeZones = new Map(this.plan.hosts.map((host) => [host.name, certificateZones(this.spec, host.name)]));

    // Claimed before the hosts publish their bundles beside it, so that a second platform of this
    // name in the stack is refused as such.
    addRenderedFiles(this, this.spec.name, () => this.renderedFiles);
    this.configStore = new MailConfigStore(this, "config", { bucketName: aws.configBucket ?? `${this.spec.name}-config-${aws.vpcId}`, tags: aws.tags });
    const hosts = new Map<string, MailHost>();
    for (const host of this.plan.hosts) {
      hosts.set(
        host.name,
        new MailHost(this, `host-${host.name}`, {
          plan: this.plan,
          hostName: host.name,
          securityGroupIds: [this.firewall.securityGroup.id],
          zoneIds: acmeZones.get(host.name)!.map((zone) => this.zones.zoneId(zone)),
          configStore: this.configStore,
        }),
      );
    }
    // Each host rendered its own files (what its bundle installs); the platform writes them all.
    this.renderedFiles = [...hosts.values()].map((host) => host.renderedFiles);
    const snapshots = aws.dataVolumes.snapshots;
    if (snapshots) {
      this.snapshots = new DataSnapshots(this, "snapshots", {
        platform: this.spec.name,
        everyHours: snapshots.everyHours,
        keep: snapshots.keep,
        tags: aws.tags,
      });
    }
    this.hosts = hosts;

    const publicAddresses: PublicAddress[] = [...hosts.entries()].flatMap(([host, resources]) =>
      resources.addresses.map((a) => ({ host, group: a.group, publicIp: a.publicIp, allocationId: a.allocationId })),
    );
    this.dns = new MailDns(this, "dns", { plan: this.plan, publicAddresses, zones: this.zones });
    if (this.spec.blocklistWatch.enabled) {
      this.blocklistAlerts = new BlocklistAlerts(this, "blocklist-alerts", {
        plan: this.plan,
        addresses: publicAddresses,
        hostRoleNames: [...hosts.values()].map((host) => host.role.role.name),
        tags: aws.tags,
      });
    }
    this.addOutputs(publicAddresses);
    // What the operator settings of the model weaken, acknowledged there with a written reason.
    for (const [ruleId, reason] of [
      ...Object.entries(this.spec.postfix?.acknowledgements ?? {}),
      ...Object.entries(this.spec.dovecot?.acknowledgements ?? {}),
    ]) {
      if (reason !== undefined) acknowledgeFinding(this, ruleId, reason);
    }
    if (props.securityChecks ?? true) {
      this.securityChecks = new MailSecurityChecks();
      Aspects.of(this).add(this.securityChecks);
    }
  }

  private addOutputs(publicAddresses: readonly PublicAddress[]): void {
    const hostNameOf = (host: string, group: string) => this.plan.hosts.find((h) => h.name === host)!.addresses.find((a) => a.group === group)!.hostName;
    // Readable, stable output names (`<platform>-public-ips`) instead of hashed construct paths.
    const name = (suffix: string) => `${this.spec.name}-${suffix}`;
    new TerraformOutput(this, "public-ips", {
      description: "Public IP of every group address, keyed by host name",
      value: Object.fromEntries(publicAddresses.map((a) => [hostNameOf(a.host, a.group), a.publicIp])),
    }).overrideLogicalId(name("public-ips"));
    new TerraformOutput(this, "host-names", {
      description: "Host names per group (A, PTR, HELO, MX target)",
      value: Object.fromEntries(this.spec.groups.map((g) => [g.name, g.addresses.map((a) => a.hostName)])),
    }).overrideLogicalId(name("host-names"));
    // Names, by record type, read from the created resources: Terraform computes the list, so
    // ten thousand domains add no data to the synthesized output.
    new TerraformOutput(this, "dns-records", {
      description: "DNS records created: owner names by record type",
      value: Object.fromEntries([...this.dns.records].map(([type, resource]) => [type, TerraformIterator.fromResources(resource).keys()])),
    }).overrideLogicalId(name("dns-records"));
    if (this.blocklistAlerts) {
      new TerraformOutput(this, "blocklist-alert-topic", {
        description: "SNS topic of the blocklist alarms (subscribe to it)",
        value: this.blocklistAlerts.topic.arn,
      }).overrideLogicalId(name("blocklist-alert-topic"));
    }
    new TerraformOutput(this, "port-25-note", { description: "Outbound SMTP on AWS", value: PORT_25_NOTE }).overrideLogicalId(name("port-25-note"));
  }
}
