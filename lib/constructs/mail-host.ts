/**
 * One mail host: a Debian instance (13 by default, or 12) with one network interface carrying every group
 * address, an Elastic IP per group address, and user data that installs the rendered files. Everything
 * about the host is read from the plan (its placement and the AWS settings from `plan.spec.aws`, its
 * configuration bundle rendered from the plan), so no two props can disagree.
 */
import { Construct } from "constructs";
import { DataAwsAmi, DataAwsEip, Eip, EipAssociation, Instance, NetworkInterface, SsmAssociation } from "../cdk/aws";
import { UserError } from "../errors";
import type { AwsHostSpec, AwsSpec } from "../model/deployment-schema";
import type { HostPlan, Plan } from "../plan/types";
import { HOST_OS_FACTS } from "../catalogue/host-os";
import { certificateNames } from "../model/certificate-names";
import { encodeUserData, renderCloudConfig } from "../rollout/bootstrap/user-data";
import { renderHost, type HostFiles } from "../render/host-files";
import { APPLY_SCRIPT_PATH } from "../rollout/script-paths";
import type { Bundle } from "../rollout/bundle";
import { productionBundle } from "../rollout/production-bundle";
import type { MailConfigStore } from "./mail-config-store";
import { HostRole } from "./host-role";
import { DATA_VOLUME_TAG, MailDataVolume } from "./mail-data-volume";

/** The AWS account that publishes Debian's official AMIs. */
export const DEBIAN_AMI_OWNER = "136693071363";

/** Properties of {@link MailHost}. */
export interface MailHostProps {
  /**
   * The plan of a deployable platform (`plan(parsePlatform(input, source, { deployable: true }))`):
   * the host's placement and the platform's AWS settings (tags, adopted Elastic IPs, ACME account)
   * are read from its `spec.aws`.
   */
  readonly plan: Plan;
  /** Name of the host in the plan (`plan.hosts[].name`). */
  readonly hostName: string;
  /** Security groups of the network interface (e.g. a MailFirewall's). */
  readonly securityGroupIds: readonly string[];
  /**
   * Route53 zone ids the host may write ACME challenges to (its certificate names' zones). When
   * they do not fit its role's policy size, the role names every hosted zone instead, for
   * challenge names that begin like the host's certificate names (see HostRole).
   */
  readonly zoneIds: readonly string[];
  /**
   * The bucket the host's configuration bundle is published to: the host renders its files from
   * the plan, builds its bundle and publishes it there, and its role may read its own bundles only.
   */
  readonly configStore: MailConfigStore;
}

/** The public side of one group address on this host. */
export interface GroupAddressResources {
  /** Group name. */
  readonly group: string;
  /** Private IP on the network interface. */
  readonly privateIp: string;
  /** Allocation id of the Elastic IP (new or adopted). */
  readonly allocationId: string;
  /** The public IP (a Terraform reference until deploy). */
  readonly publicIp: string;
  /** The new Elastic IP, when not adopted (escape hatch). */
  readonly eip?: Eip;
  /** The association with the network interface and private IP. */
  readonly association: EipAssociation;
}

/** One mail host. */
export class MailHost extends Construct {
  /** This host's part of the plan. */
  readonly host: HostPlan;
  /** The files rendered for this host (what its bundle installs). */
  readonly renderedFiles: HostFiles;
  /** The host's configuration bundle, as published. */
  readonly bundle: Bundle;
  /** Where the bundle is published (s3:// URL). */
  readonly bundleUrl: string;
  /** The EC2 instance (escape hatch: `instance.addOverride(...)`). */
  readonly instance: Instance;
  /** The network interface carrying every group address. */
  readonly networkInterface: NetworkInterface;
  /** Instance role and profile. */
  readonly role: HostRole;
  /** Per group address: Elastic IP and association, in group order. */
  readonly addresses: readonly GroupAddressResources[];
  /** The cloud-config document before compression (what the host runs at first boot). */
  readonly cloudConfig: string;
  /** The mail data volume (queue and mailboxes). */
  readonly dataVolume: MailDataVolume;
  /** Applies each new configuration bundle on the running host (SSM Run Command). */
  readonly rollout: SsmAssociation;

  constructor(scope: Construct, id: string, props: MailHostProps) {
    super(scope, id);
    const { plan } = props;
    const { host, aws, placement } = this.placement(plan, props.hostName);
    this.host = host;
    this.renderedFiles = renderHost(plan, host);
    this.bundle = productionBundle(plan, host, this.renderedFiles);
    this.bundleUrl = props.configStore.publish(host.name, this.bundle);
    const bundleObjectsArn = props.configStore.hostObjectsArn(host.name);
    const name = `${plan.spec.name}-${host.name}`;
    const tags = { ...aws.tags, Name: name };

    const secretParameters = plan.dkim.privateKeyParameters;
    // The password hashes are read only when there is a mailbox to log in to.
    const secretParameterPath = plan.accounts.mailboxes.length > 0 ? plan.accounts.passwordParameterPrefix : undefined;
    this.role = new HostRole(this, "role", {
      name,
      zoneIds: props.zoneIds,
      // They narrow the challenge names when the zones are too many to list.
      certificateNames: certificateNames(plan.spec, host.name),
      secretParameters,
      ...(secretParameterPath === undefined ? {} : { secretParameterPath }),
      bundleObjectsArn,
      tags: aws.tags,
    });

    this.networkInterface = new NetworkInterface(this, "interface", {
      subnetId: placement.subnetId,
      // The list keeps its order: the first group address is the interface's primary IP.
      privateIpListEnabled: true,
      privateIpList: host.addresses.map((a) => a.privateIp),
      securityGroups: [...props.securityGroupIds],
      description: `${name}: ${host.addresses.map((a) => `${a.group} ${a.privateIp}`).join(", ")}`,
      tags,
    });
    // Read once: each read of a resource attribute makes a new token and records a stack trace.
    const networkInterfaceId = this.networkInterface.id;

    // The data source's id names the release, so a Debian 12 host keeps its address in the state.
    const release = HOST_OS_FACTS[host.os].amiNamePrefix;
    const ami =
      placement.amiId ??
      new DataAwsAmi(this, release, {
        mostRecent: true,
        owners: [DEBIAN_AMI_OWNER],
        filter: [
          { name: "name", values: [`${release}-${placement.architecture === "arm64" ? "arm64" : "amd64"}-*`] },
          { name: "architecture", values: [placement.architecture] },
          { name: "virtualization-type", values: ["hvm"] },
          { name: "root-device-type", values: ["ebs"] },
        ],
      }).id;

    this.cloudConfig = renderCloudConfig(plan, host, aws, { bundleUrl: this.bundleUrl, dataVolumeName: name, dataVolumeTag: DATA_VOLUME_TAG });
    this.instance = new Instance(this, "instance", {
      ami,
      instanceType: placement.instanceType,
      iamInstanceProfile: this.role.instanceProfile.name,
      primaryNetworkInterface: { networkInterfaceId },
      metadataOptions: {
        // IMDSv2 only: a stolen request forwarder cannot read the role's credentials.
        httpTokens: "required",
        httpEndpoint: "enabled",
        httpPutResponseHopLimit: 1,
      },
      rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: placement.rootVolumeGiB, deleteOnTermination: true, tags },
      userDataBase64: encodeUserData(host.name, this.cloudConfig),
      // User data names the bundle of the day the host was created; later bundles arrive through
      // the rollout association. Neither a new bundle nor a newer Debian AMI replaces the host.
      userDataReplaceOnChange: false,
      tags,
      lifecycle: { ignoreChanges: ["ami", "user_data_base64"] },
    });

    this.dataVolume = new MailDataVolume(this, "data", {
      name,
      platform: plan.spec.name,
      subnetId: placement.subnetId,
      sizeGiB: placement.dataVolumeGiB,
      instanceId: this.instance.id,
      preventDestroy: aws.dataVolumes.preventDestroy,
      tags: aws.tags,
    });

    // A new bundle changes the command, and SSM runs an association again whenever it changes: at
    // once, on the running host. So the bundle it names and the rights the apply needs (a new
    // domain's zone for its certificate) must exist first; the command names neither, so Terraform
    // would otherwise be free to change the association first, and the run would fail for good.
    this.rollout = new SsmAssociation(this, "rollout", {
      name: "AWS-RunShellScript",
      associationName: `${name}-apply-configuration`,
      targets: [{ key: "InstanceIds", values: [this.instance.id] }],
      parameters: { commands: `${APPLY_SCRIPT_PATH} ${this.bundleUrl}` },
      // The rollout association runs as soon as its command changes: never before the object it names exists.
      dependsOn: [props.configStore.objects.get(host.name)!, ...this.role.grants],
    });

    this.addresses = host.addresses.map((address) => {
      const adopted = aws.adoptElasticIps.find((e) => e.host === host.name && e.group === address.group);
      const eip = adopted ? undefined : new Eip(this, `eip-${address.group}`, { domain: "vpc", tags: { ...aws.tags, Name: `${name}-${address.group}` } });
      const existing = adopted ? new DataAwsEip(this, `adopted-eip-${address.group}`, { id: adopted.allocationId }) : undefined;
      const allocationId = eip?.allocationId ?? adopted!.allocationId;
      const association = new EipAssociation(this, `eip-association-${address.group}`, {
        allocationId,
        networkInterfaceId,
        privateIpAddress: address.privateIp,
      });
      return {
        group: address.group,
        privateIp: address.privateIp,
        allocationId,
        publicIp: address.publicIp ?? eip?.publicIp ?? existing!.publicIp,
        ...(eip ? { eip } : {}),
        association,
      };
    });
  }
  /** The host's part of the plan and its placement; a UserError naming what is missing otherwise. */
  private placement(plan: Plan, hostName: string): { host: HostPlan; aws: AwsSpec; placement: AwsHostSpec } {
    const host = plan.hosts.find((h) => h.name === hostName);
    if (!host)
      throw new UserError(`hostName ${JSON.stringify(hostName)} is not a host of the plan (hosts: ${plan.hosts.map((h) => h.name).join(", ")})`, {
        path: this.node.path,
      });
    const aws = plan.spec.aws;
    if (!aws)
      throw new UserError("MailHost needs the plan of a deployable platform: this one has no aws section (validate with { deployable: true })", {
        path: this.node.path,
      });
    const placement = aws.hosts[hostName];
    if (!placement)
      throw new UserError(`the platform's aws.hosts has no placement for host ${hostName}; it needs one for every host`, { path: this.node.path });
    return { host, aws, placement };
  }
}
