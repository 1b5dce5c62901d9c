/**
 * One mail host: a Debian instance (13 by default, or 12) with one network interface carrying every group
 * address, an Elastic IP per group address, and user data that installs the rendered files.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "../cdk/core";
import { DataAwsAmi, DataAwsEip, Eip, EipAssociation, Instance, NetworkInterface, SsmAssociation } from "../cdk/aws";
import type { AwsHostSpec, AwsSpec } from "../model/deployment-schema";
import type { HostPlan, Plan } from "../plan/types";
import { whenDefined } from "../plan/when";
import { HOST_OS_FACTS } from "../model/host-os";
import { encodeUserData, renderCloudConfig } from "../render/cloud-init/user-data";
import { APPLY_SCRIPT_PATH } from "../rollout/script-paths";
import type { Bundle } from "../rollout/bundle";
import { HostRole } from "./host-role";
import { DATA_VOLUME_TAG, MailDataVolume } from "./mail-data-volume";

/** The AWS account that publishes Debian's official AMIs. */
export const DEBIAN_AMI_OWNER = "136693071363";

/** Properties of {@link MailHost}. */
export interface MailHostProps {
  /** The platform plan. */
  readonly plan: Plan;
  /** Which host of the plan this is. */
  readonly host: HostPlan;
  /** AWS settings of the platform (tags, adopted Elastic IPs, ACME account). */
  readonly aws: AwsSpec;
  /** Placement of this host. */
  readonly placement: AwsHostSpec;
  /** Security groups of the network interface. */
  readonly securityGroupIds: readonly string[];
  /** Route53 zone ids the host may write ACME challenges to. */
  readonly zoneIds: readonly string[];
  /** The host's configuration bundle, already published. */
  readonly bundle: Bundle;
  /** Where it is published (s3:// URL). */
  readonly bundleUrl: string;
  /** ARN pattern of the host's bundles, for its role. */
  readonly bundleObjectsArn: string;
  /**
   * The published bundle object. The rollout association runs as soon as its command changes, so
   * it must not change before the object it names exists. @default - no ordering (publish the
   * bundle before the association is changed)
   */
  readonly bundleObject?: ITerraformDependable;
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
    const { plan, host, aws, placement } = props;
    const name = `${plan.spec.name}-${host.name}`;
    const tags = { ...aws.tags, Name: name };

    const secretParameters = plan.dkim.privateKeyParameters;
    this.role = new HostRole(this, "role", { name, zoneIds: props.zoneIds, secretParameters, bundleObjectsArn: props.bundleObjectsArn, tags: aws.tags });

    this.networkInterface = new NetworkInterface(this, "interface", {
      subnetId: placement.subnetId,
      // The list keeps its order: the first group address is the interface's primary IP.
      privateIpListEnabled: true,
      privateIpList: host.addresses.map((a) => a.privateIp),
      securityGroups: [...props.securityGroupIds],
      description: `${name}: ${host.addresses.map((a) => `${a.group} ${a.privateIp}`).join(", ")}`,
      tags,
    });

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

    this.cloudConfig = renderCloudConfig(plan, host, aws, { bundleUrl: props.bundleUrl, dataVolumeName: name, dataVolumeTag: DATA_VOLUME_TAG });
    this.instance = new Instance(this, "instance", {
      ami,
      instanceType: placement.instanceType,
      iamInstanceProfile: this.role.instanceProfile.name,
      primaryNetworkInterface: { networkInterfaceId: this.networkInterface.id },
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
      parameters: { commands: `${APPLY_SCRIPT_PATH} ${props.bundleUrl}` },
      dependsOn: [...whenDefined(props.bundleObject, (bundleObject) => [bundleObject]), ...this.role.grants],
    });

    this.addresses = host.addresses.map((address) => {
      const adopted = aws.adoptElasticIps.find((e) => e.host === host.name && e.group === address.group);
      const eip = adopted ? undefined : new Eip(this, `eip-${address.group}`, { domain: "vpc", tags: { ...aws.tags, Name: `${name}-${address.group}` } });
      const existing = adopted ? new DataAwsEip(this, `adopted-eip-${address.group}`, { id: adopted.allocationId }) : undefined;
      const allocationId = eip?.allocationId ?? adopted!.allocationId;
      const association = new EipAssociation(this, `eip-association-${address.group}`, {
        allocationId,
        networkInterfaceId: this.networkInterface.id,
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
}
