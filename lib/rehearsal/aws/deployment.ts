/**
 * What Terraform would have created for one host of a synthesized platform, as the AWS stand-ins
 * serve it: the instance (made-up, deterministic id), its role with the policy documents as AWS
 * would store them (inline and customer managed ones with references resolved), the bucket with its bundle objects (Terraform's escaping
 * undone), the data volume attached to the instance, the hosted zones, the rollout association
 * and the user data. Read from cdk.tf.json and the files its objects upload — what `terraform apply` would read.
 */
import { gunzipSync } from "zlib";
import { readZones, type DeployedZone } from "./deployment-zones";
import { readAddressIds, readNetworkInterface, type DeployedNetworkInterface } from "./deployment-addresses";
import { fakeAmiId, fakeInstanceId, fakeVolumeId, TEST_ACCOUNT_ID } from "./fake-ids";
import { readBucket, type DeployedBucket } from "./deployment-buckets";
import { customerPolicyAddresses } from "./deployment-policies";
import { readRole, type DeployedRole } from "./deployment-role";
import { evaluateString, literalString, soleReference, TerraformDocument, type Reference, type ResourceBody } from "./terraform-document";

export type { DeployedZone } from "./deployment-zones";
export type { DeployedElasticIp, DeployedNetworkInterface } from "./deployment-addresses";
export type { DeployedRole } from "./deployment-role";
export type { DeployedBucket, DeployedObject } from "./deployment-buckets";

/** The host's EC2 instance. */
export interface DeployedInstance {
  readonly id: string;
  readonly arn: string;
  /** Its `Name` tag (`<platform>-<host>`). */
  readonly name: string;
  readonly instanceType: string;
  readonly amiId: string;
  readonly availabilityZone: string;
  /** Primary private address (first address of its network interface). */
  readonly privateIp: string;
  /** The user data cloud-init reads (decoded: base64, then gunzip). */
  readonly userData: string;
}

/** An EBS volume and its attachment. */
export interface DeployedVolume {
  readonly id: string;
  readonly sizeGiB: number;
  readonly volumeType: string;
  readonly encrypted: boolean;
  readonly availabilityZone: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly attachment: { readonly instanceId: string; readonly device: string; readonly deleteOnTermination: boolean };
}

/** The SSM association that rolls configuration out to the host. */
export interface DeployedAssociation {
  readonly name: string;
  /** SSM document, e.g. `AWS-RunShellScript`. */
  readonly documentName: string;
  /** `parameters.commands`, references resolved. */
  readonly commands: string;
  readonly instanceIds: readonly string[];
}

/** Everything the stand-ins serve for one host. */
export interface Deployment {
  readonly accountId: string;
  readonly region: string;
  readonly platform: string;
  readonly host: string;
  readonly instance: DeployedInstance;
  /** The instance's network interface, with the Elastic IPs associated to its addresses. */
  readonly networkInterface: DeployedNetworkInterface;
  readonly role: DeployedRole;
  readonly buckets: readonly DeployedBucket[];
  /** Root volume first, then the attached volumes. */
  readonly volumes: readonly DeployedVolume[];
  /** The mail data volume (the one volume attached besides the root volume). */
  readonly dataVolume: DeployedVolume;
  readonly zones: readonly DeployedZone[];
  readonly association?: DeployedAssociation;
}

/** Options of {@link readDeployment}. */
export interface ReadDeploymentOptions {
  /** @default TEST_ACCOUNT_ID (123456789012) */
  readonly accountId?: string;
  /**
   * The bytes of a file an S3 object uploads (`source`, relative to the stack's directory), e.g.
   * read from the synthesized directory or taken from the stack with `stackFile`; undefined when
   * there is no such file. @default none: an object with a `source` is refused
   */
  readonly readSource?: (path: string) => Buffer | string | undefined;
}

const seedOf = (body: ResourceBody, fallback: string) => (body.tags as Record<string, string> | undefined)?.Name ?? fallback;

/**
 * Read the deployment of one host from a parsed cdk.tf.json.
 * @throws when the host is not in the document, or a value holds a reference that cannot be resolved
 */
export function readDeployment(json: unknown, host: string, options: ReadDeploymentOptions = {}): Deployment {
  const doc = new TerraformDocument(json);
  const accountId = options.accountId ?? TEST_ACCOUNT_ID;
  const region = literalString(doc.provider("aws").region, "provider.aws.region");
  const availabilityZone = `${region}a`;
  const zones = readZones(doc);
  const instanceIds = new Map(doc.all("aws_instance").map(([n, b]) => [n, fakeInstanceId(seedOf(b, n))]));
  const volumeIds = new Map(doc.all("aws_ebs_volume").map(([n, b]) => [n, fakeVolumeId(seedOf(b, n))]));
  const bucketNames = new Map(doc.all("aws_s3_bucket").map(([n, b]) => [n, literalString(b.bucket, `aws_s3_bucket.${n}.bucket`)]));
  const roles = new Map(doc.all("aws_iam_role").map(([n, b]) => [n, literalString(b.name, `aws_iam_role.${n}.name`)]));
  const profiles = new Map(doc.all("aws_iam_instance_profile").map(([n, b]) => [n, literalString(b.name, `aws_iam_instance_profile.${n}.name`)]));
  const policies = customerPolicyAddresses(doc, accountId);
  const addressIds = readAddressIds(doc);

  const resolve = (r: Reference): string | undefined => {
    const known = <T>(map: ReadonlyMap<string, T>) => map.get(r.name);
    if (r.data) {
      const adopted = r.type === "aws_eip" ? addressIds.adopted.get(r.name) : undefined;
      if (adopted !== undefined) return r.attribute === "public_ip" ? addressIds.publicIps.get(adopted) : r.attribute === "id" ? adopted : undefined;
      return r.type === "aws_subnet" && r.attribute === "availability_zone"
        ? availabilityZone
        : r.type === "aws_ami" && r.attribute === "id"
          ? fakeAmiId(r.name)
          : undefined;
    }
    switch (`${r.type}.${r.attribute}`) {
      case "aws_route53_zone.zone_id":
      case "aws_route53_zone.id":
        return zones.find((z) => z.resource?.name === r.name && z.resource.key === r.key)?.id;
      case "aws_route53_zone.name":
        return zones.find((z) => z.resource?.name === r.name && z.resource.key === r.key)?.name;
      case "aws_s3_bucket.id":
      case "aws_s3_bucket.bucket":
        return known(bucketNames);
      case "aws_s3_bucket.arn":
        return bucketNames.has(r.name) ? `arn:aws:s3:::${bucketNames.get(r.name)}` : undefined;
      case "aws_instance.id":
        return known(instanceIds);
      case "aws_instance.arn":
        return instanceIds.has(r.name) ? `arn:aws:ec2:${region}:${accountId}:instance/${instanceIds.get(r.name)}` : undefined;
      case "aws_ebs_volume.id":
        return known(volumeIds);
      case "aws_network_interface.id":
        return known(addressIds.interfaces);
      case "aws_eip.id":
      case "aws_eip.allocation_id":
        return known(addressIds.eips);
      case "aws_eip.public_ip": {
        const allocation = addressIds.eips.get(r.name);
        return allocation === undefined ? undefined : addressIds.publicIps.get(allocation);
      }
      case "aws_iam_role.name":
      case "aws_iam_role.id":
        return known(roles);
      case "aws_iam_role.arn":
        return roles.has(r.name) ? `arn:aws:iam::${accountId}:role/${roles.get(r.name)}` : undefined;
      case "aws_iam_instance_profile.name":
      case "aws_iam_instance_profile.id":
        return known(profiles);
      // A policy's Terraform id is its ARN.
      case "aws_iam_policy.arn":
      case "aws_iam_policy.id":
        return policies.get(r.name)?.arn;
      case "aws_iam_policy.name":
        return policies.get(r.name)?.name;
      default:
        return undefined;
    }
  };
  const evaluate = (value: unknown, where: string) => evaluateString(value, where, resolve);

  // The instance: the one whose construct path is `…/host-<host>/instance`.
  const candidates = doc.all("aws_instance").filter(([n, b]) => hostOfInstance(n, b) === host);
  if (candidates.length !== 1) {
    const hosts = doc.all("aws_instance").map(([n, b]) => hostOfInstance(n, b) ?? "?");
    throw new Error(`host ${host} is not in cdk.tf.json (hosts found: ${hosts.join(", ") || "none"})`);
  }
  const [instanceName, instanceBody] = candidates[0]!;
  const name = String((instanceBody.tags as Record<string, string> | undefined)?.Name ?? "");
  if (!name.endsWith(`-${host}`)) throw new Error(`aws_instance.${instanceName}: Name tag ${JSON.stringify(name)} is not <platform>-${host}`);
  const instance: DeployedInstance = {
    id: instanceIds.get(instanceName)!,
    arn: resolve({ data: false, type: "aws_instance", name: instanceName, attribute: "arn" })!,
    name,
    instanceType: literalString(instanceBody.instance_type, `aws_instance.${instanceName}.instance_type`),
    amiId: evaluate(instanceBody.ami, `aws_instance.${instanceName}.ami`),
    availabilityZone,
    privateIp: primaryPrivateIp(doc, instanceName, instanceBody),
    userData: userData(instanceBody, `aws_instance.${instanceName}`),
  };

  const networkInterface = readNetworkInterface(
    doc,
    addressIds,
    { logical: instanceName, id: instance.id, name, privateIp: instance.privateIp, body: instanceBody },
    evaluate,
  );
  const role = readRole(doc, instanceName, instanceBody, accountId, evaluate);
  const buckets = [...bucketNames.values()].map((bucket) => readBucket(doc, bucket, evaluate, options.readSource));
  const root = instanceBody.root_block_device as Record<string, unknown> | undefined;
  const rootVolume: DeployedVolume = {
    id: fakeVolumeId(`${name}/root`),
    sizeGiB: Number(root?.volume_size ?? 8),
    volumeType: String(root?.volume_type ?? "gp3"),
    encrypted: root?.encrypted === true,
    availabilityZone,
    tags: Object.fromEntries(
      Object.entries((root?.tags ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        evaluate(v, `aws_instance.${instanceName}.root_block_device.tags.${k}`),
      ]),
    ),
    attachment: { instanceId: instance.id, device: "/dev/xvda", deleteOnTermination: root?.delete_on_termination !== false },
  };
  const attached = doc.all("aws_volume_attachment").flatMap(([logical, body]) => {
    if (evaluate(body.instance_id, `aws_volume_attachment.${logical}.instance_id`) !== instance.id) return [];
    const volumeId = evaluate(body.volume_id, `aws_volume_attachment.${logical}.volume_id`);
    const [volumeName, volume] = doc.all("aws_ebs_volume").find(([n]) => volumeIds.get(n) === volumeId)!;
    const where = `aws_ebs_volume.${volumeName}`;
    return [
      {
        id: volumeId,
        sizeGiB: Number(volume.size),
        volumeType: String(volume.type ?? "gp2"),
        encrypted: volume.encrypted === true,
        availabilityZone: evaluate(volume.availability_zone, `${where}.availability_zone`),
        tags: Object.fromEntries(Object.entries((volume.tags ?? {}) as Record<string, unknown>).map(([k, v]) => [k, evaluate(v, `${where}.tags.${k}`)])),
        attachment: {
          instanceId: instance.id,
          device: literalString(body.device_name, `aws_volume_attachment.${logical}.device_name`),
          deleteOnTermination: false,
        },
      },
    ];
  });
  if (attached.length !== 1) throw new Error(`host ${host}: expected exactly one attached data volume, found ${attached.length}`);

  const associations = doc
    .all("aws_ssm_association")
    .filter(([logical, body]) =>
      ((body.targets ?? []) as { key?: string; values?: unknown[] }[]).some(
        (t) => t.key === "InstanceIds" && (t.values ?? []).some((v, i) => evaluate(v, `aws_ssm_association.${logical}.targets.values[${i}]`) === instance.id),
      ),
    );
  if (associations.length > 1) throw new Error(`host ${host}: more than one SSM association targets the instance`);
  const association = associations.map(([logical, body]): DeployedAssociation => ({
    name: literalString(body.association_name ?? logical, `aws_ssm_association.${logical}.association_name`),
    documentName: literalString(body.name, `aws_ssm_association.${logical}.name`),
    commands: evaluate((body.parameters as Record<string, unknown> | undefined)?.commands, `aws_ssm_association.${logical}.parameters.commands`),
    instanceIds: [instance.id],
  }))[0];

  return {
    accountId,
    region,
    platform: name.slice(0, -host.length - 1),
    host,
    instance,
    networkInterface,
    role,
    buckets,
    volumes: [rootVolume, ...attached],
    dataVolume: attached[0]!,
    zones,
    ...(association ? { association } : {}),
  };
}

/**
 * The host an instance belongs to, from its construct path `…/host-<host>/instance` (recorded in
 * the resource's metadata by `cdktf synth`, and in the logical id, `…_host-<host>_instance_<hash>`,
 * which is all `Testing.synth` keeps).
 */
function hostOfInstance(logical: string, body: ResourceBody): string | undefined {
  return /\/host-([^/]+)\/instance$/.exec(TerraformDocument.path(body))?.[1] ?? /(?:^|_)host-(.+)_instance_[0-9A-F]{8}$/.exec(logical)?.[1];
}

function primaryPrivateIp(doc: TerraformDocument, logical: string, body: ResourceBody): string {
  if (typeof body.private_ip === "string") return literalString(body.private_ip, `aws_instance.${logical}.private_ip`);
  const eni = soleReference((body.primary_network_interface as Record<string, unknown> | undefined)?.network_interface_id);
  if (!eni || eni.type !== "aws_network_interface") throw new Error(`aws_instance.${logical}: no private_ip and no primary network interface to read it from`);
  const ips = doc.get("aws_network_interface", eni.name).private_ip_list ?? doc.get("aws_network_interface", eni.name).private_ips;
  if (!Array.isArray(ips) || typeof ips[0] !== "string") throw new Error(`aws_network_interface.${eni.name}: no literal private_ip_list`);
  return ips[0];
}

function userData(body: ResourceBody, where: string): string {
  if (typeof body.user_data_base64 === "string") {
    const bytes = Buffer.from(literalString(body.user_data_base64, `${where}.user_data_base64`), "base64");
    // cloud-init accepts gzip-compressed user data; the constructs always compress it.
    return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
  }
  return body.user_data === undefined ? "" : literalString(body.user_data, `${where}.user_data`);
}
