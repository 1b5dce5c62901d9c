/**
 * The instance role of a mail host: SSM for administration without SSH, and Route53 changes
 * limited to ACME DNS-01 challenges (TXT records named `_acme-challenge.*`) in the platform's
 * zones — the host can renew its certificates and nothing else in DNS. Of SSM Parameter Store it
 * reads its DKIM keys and the mailboxes' password hashes below one path, and nothing else.
 */
import { Construct } from "constructs";
import { IamInstanceProfile, IamRole, IamRolePolicy, IamRolePolicyAttachment } from "../cdk/aws";

/** Properties of {@link HostRole}. */
export interface HostRoleProps {
  /** Role name (unique in the account). */
  readonly name: string;
  /** Route53 hosted zone ids the host may write ACME challenges to. */
  readonly zoneIds: readonly string[];
  /**
   * SSM parameters (SecureString) the host may read: its DKIM private keys.
   * @default [] - none
   */
  readonly secretParameters?: readonly string[];
  /**
   * SSM path whose parameters (SecureString) the host may read, recursively: the mailboxes'
   * password hashes (`accounts.passwordParameterPrefix`), read by the users sync.
   * @default - none
   */
  readonly secretParameterPath?: string;
  /** ARN pattern of the host's configuration bundles (read access). @default - none */
  readonly bundleObjectsArn?: string;
  /** Tags. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The AWS-managed policy that lets Systems Manager reach the host. */
export const SSM_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** The Route53 policy document for ACME DNS-01 (certbot-dns-route53). */
export function acmeDnsPolicy(zoneIds: readonly string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      // certbot finds the zone by name and waits for the change to propagate.
      { Sid: "FindZonesAndWatchChanges", Effect: "Allow", Action: ["route53:ListHostedZones", "route53:GetChange"], Resource: "*" },
      {
        Sid: "AcmeChallengeRecordsOnly",
        Effect: "Allow",
        Action: "route53:ChangeResourceRecordSets",
        Resource: zoneIds.map((id) => `arn:aws:route53:::hostedzone/${id}`),
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
          "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
        },
      },
    ],
  });
}

/** The ARN pattern of an SSM parameter name or path (any region and account, as the role's other grants). */
function parameterArn(name: string): string {
  return `arn:aws:ssm:*:*:parameter${name}`;
}

/**
 * The resources of a readable path: the path itself (what `ssm:GetParametersByPath` is authorized
 * on) and every parameter below it (what `ssm:GetParameter(s)` is authorized on).
 */
function pathResources(path: string): string[] {
  return [parameterArn(path), parameterArn(`${path}/*`)];
}

/**
 * Read access to exactly the named SSM parameters and, when given, to the parameters below one
 * path (recursively, as `get-parameters-by-path --recursive` reads it), and their decryption
 * through SSM only.
 */
export function secretParametersPolicy(parameters: readonly string[], path?: string): string {
  const reads: object[] = [];
  if (parameters.length > 0)
    reads.push({ Sid: "ReadOwnSecretParameters", Effect: "Allow", Action: "ssm:GetParameter", Resource: parameters.map(parameterArn) });
  if (path !== undefined) {
    // AWS authorizes GetParametersByPath on the path's ARN only (with --recursive, every level below it).
    reads.push({ Sid: "ReadMailboxPasswordPath", Effect: "Allow", Action: "ssm:GetParametersByPath", Resource: parameterArn(path) });
    reads.push({ Sid: "ReadMailboxPasswords", Effect: "Allow", Action: ["ssm:GetParameter", "ssm:GetParameters"], Resource: parameterArn(`${path}/*`) });
  }
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      ...reads,
      {
        Sid: "DecryptThroughSsmOnly",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: { StringLike: { "kms:ViaService": "ssm.*.amazonaws.com" } },
      },
    ],
  });
}

/** The SSM actions that read parameter values. */
const PARAMETER_READS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"];

/**
 * No parameter but the host's own. AmazonSSMManagedInstanceCore (which SSM needs) allows
 * `ssm:GetParameter(s)` on every parameter, and the default `aws/ssm` key decrypts for every
 * principal of the account, so without this explicit deny a host could read every SecureString
 * of the account (other platforms' DKIM keys, anyone's database passwords).
 */
export function otherParametersDenyPolicy(parameters: readonly string[], path?: string): string {
  const own = [...parameters.map(parameterArn), ...(path === undefined ? [] : pathResources(path))];
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      own.length > 0
        ? { Sid: "NoOtherParameters", Effect: "Deny", Action: PARAMETER_READS, NotResource: own }
        : { Sid: "NoParameters", Effect: "Deny", Action: PARAMETER_READS, Resource: "*" },
    ],
  });
}

/**
 * Read the host's own configuration bundles, and find its data volume (EC2 describe calls cannot
 * be limited to one resource; they are read-only).
 */
export function configurationPolicy(bundleObjectsArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadOwnBundles", Effect: "Allow", Action: "s3:GetObject", Resource: bundleObjectsArn },
      { Sid: "FindOwnDataVolume", Effect: "Allow", Action: "ec2:DescribeVolumes", Resource: "*" },
    ],
  });
}

/** Role and instance profile of one mail host. */
export class HostRole extends Construct {
  /** The IAM role (escape hatch). */
  readonly role: IamRole;
  /** The instance profile attached to the instance. */
  readonly instanceProfile: IamInstanceProfile;
  /** Every permission of the role (policy attachment and inline policies). */
  readonly grants: ReadonlyArray<IamRolePolicy | IamRolePolicyAttachment>;

  constructor(scope: Construct, id: string, props: HostRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.name,
      description: "Mail host: SSM administration and ACME DNS-01 challenges",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags: props.tags ? { ...props.tags } : undefined,
    });
    const grants: Array<IamRolePolicy | IamRolePolicyAttachment> = [];
    grants.push(new IamRolePolicyAttachment(this, "ssm", { role: this.role.name, policyArn: SSM_POLICY_ARN }));
    grants.push(new IamRolePolicy(this, "acme-dns", { name: "acme-dns-01", role: this.role.id, policy: acmeDnsPolicy(props.zoneIds) }));
    if (props.bundleObjectsArn) {
      grants.push(
        new IamRolePolicy(this, "configuration", { name: "read-own-configuration", role: this.role.id, policy: configurationPolicy(props.bundleObjectsArn) }),
      );
    }
    const secretParameters = props.secretParameters ?? [];
    if (secretParameters.length > 0 || props.secretParameterPath !== undefined) {
      grants.push(
        new IamRolePolicy(this, "secrets", {
          name: "read-own-secrets",
          role: this.role.id,
          policy: secretParametersPolicy(secretParameters, props.secretParameterPath),
        }),
      );
    }
    grants.push(
      new IamRolePolicy(this, "no-other-parameters", {
        name: "no-other-parameters",
        role: this.role.id,
        policy: otherParametersDenyPolicy(secretParameters, props.secretParameterPath),
      }),
    );
    this.grants = grants;
    this.instanceProfile = new IamInstanceProfile(this, "profile", {
      name: props.name,
      role: this.role.name,
      tags: props.tags ? { ...props.tags } : undefined,
    });
  }
}
