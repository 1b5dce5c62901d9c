/**
 * The mail data of one host (queue and mailboxes) on its own encrypted EBS volume, attached to
 * the instance and protected from destruction by default: replacing the instance keeps the mail.
 */
import { Construct } from "constructs";
import { DataAwsSubnet, EbsVolume, VolumeAttachment } from "../cdk/aws";

/** The tag that names a host's data volume (`<platform>-<host>`): the host finds its volume by it. */
export const DATA_VOLUME_TAG = "mail-platform-data";
/** The tag that marks every data volume of a platform (value: the platform): snapshots select by it. */
export const PLATFORM_DATA_TAG = "mail-platform-data-of";

/** Properties of {@link MailDataVolume}. */
export interface MailDataVolumeProps {
  /** `<platform>-<host>`: the tag value and name. */
  readonly name: string;
  /** The platform (for the snapshot tag). */
  readonly platform: string;
  /** Subnet of the host (the volume lives in its availability zone). */
  readonly subnetId: string;
  /** Size in GiB. */
  readonly sizeGiB: number;
  /** Instance to attach to. */
  readonly instanceId: string;
  /** Refuse destroy. */
  readonly preventDestroy: boolean;
  /** Tags. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A host's data volume and its attachment. */
export class MailDataVolume extends Construct {
  /** The volume (escape hatch). */
  readonly volume: EbsVolume;
  /** The attachment. */
  readonly attachment: VolumeAttachment;

  constructor(scope: Construct, id: string, props: MailDataVolumeProps) {
    super(scope, id);
    const subnet = new DataAwsSubnet(this, "subnet", { id: props.subnetId });
    this.volume = new EbsVolume(this, "volume", {
      availabilityZone: subnet.availabilityZone,
      size: props.sizeGiB,
      type: "gp3",
      encrypted: true,
      tags: { ...props.tags, Name: `${props.name}-data`, [DATA_VOLUME_TAG]: props.name, [PLATFORM_DATA_TAG]: props.platform },
      lifecycle: { preventDestroy: props.preventDestroy },
    });
    this.attachment = new VolumeAttachment(this, "attachment", {
      deviceName: "/dev/sdf",
      volumeId: this.volume.id,
      instanceId: props.instanceId,
      // Postfix and Dovecot are stopped with the instance, never cut off from their files.
      stopInstanceBeforeDetaching: true,
    });
  }
}
