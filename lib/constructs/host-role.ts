/**
 * The instance role of a mail host: SSM for administration without SSH, and Route53 changes
 * limited to ACME DNS-01 challenges (TXT records named `_acme-challenge.*`) in the zones of its
 * certificate names — the host can renew its certificates and nothing else in DNS. When those
 * zones are too many for IAM's policy size (MTA-STS on a platform of hundreds of domains), the
 * statement names every hosted zone, still only for TXT records of challenge names that begin
 * like the host's own (see lib/model/acme-scope.ts). Of SSM Parameter Store it reads its DKIM
 * keys and the mailboxes' password hashes below one path, and nothing else.
 */
import { Construct } from "constructs";
import { Token } from "../cdk/core";
import { IamInstanceProfile, IamRole, IamRolePolicy, IamRolePolicyAttachment } from "../cdk/aws";
import { acmeScope, ALL_HOSTED_ZONES_ARN, ANY_ACME_CHALLENGE } from "../model/acme-scope";

/** Properties of {@link HostRole}. */
export interface HostRoleProps {
  /** Role name (unique in the account). */
  readonly name: string;
  /**
   * Route53 hosted zone ids the host may write ACME challenges to. When their ARNs do not fit
   * the role's policy size (IAM: 10,240 characters for all inline policies), the role may write
   * challenges to every hosted zone of the account instead, under the same conditions.
   */
  readonly zoneIds: readonly string[];
  /**
   * The names the host gets certificates for. They narrow the challenge names the role may
   * write when it names every hosted zone: `_acme-challenge.<first label>.*` of each
   * (`_acme-challenge.mta-sts.*`).
   * @default [] - any challenge name (`_acme-challenge.*`) when the role names every zone
   */
  readonly certificateNames?: readonly string[];
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

/**
 * The Route53 policy document for ACME DNS-01 (certbot-dns-route53).
 * @param zoneIds the hosted zones' ids, or `"all"` for every hosted zone of the account
 * @param recordNames patterns of the challenge records' names (IAM `StringLike`)
 * @default recordNames [`_acme-challenge.*`]
 */
export function acmeDnsPolicy(zoneIds: readonly string[] | "all", recordNames: readonly string[] = [ANY_ACME_CHALLENGE]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      // certbot finds the zone by name and waits for the change to propagate.
      { Sid: "FindZonesAndWatchChanges", Effect: "Allow", Action: ["route53:ListHostedZones", "route53:GetChange"], Resource: "*" },
      {
        Sid: "AcmeChallengeRecordsOnly",
        Effect: "Allow",
        Action: "route53:ChangeResourceRecordSets",
        Resource: zoneIds === "all" ? ALL_HOSTED_ZONES_ARN : zoneIds.map((id) => `arn:aws:route53:::hostedzone/${id}`),
        // Every record of a change must be a TXT record of a challenge name: the conditions,
        // not the zones, are what keep the host to ACME challenges.
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
          "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": recordNames },
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
    const secretParameters = props.secretParameters ?? [];
    // The same decision as validation's (semantic-checks.ts): a created zone's id is a token here.
    const acme = acmeScope({
      zoneIds: props.zoneIds.map((id) => (Token.isUnresolved(id) ? undefined : id)),
      certificateNames: props.certificateNames ?? [],
      parameters: secretParameters,
      bundleObjectsArn: props.bundleObjectsArn ? props.bundleObjectsArn : undefined,
      passwordPath: props.secretParameterPath,
    });
    const acmePolicy = acmeDnsPolicy(acme.allZones ? "all" : props.zoneIds, acme.recordNames);
    grants.push(new IamRolePolicy(this, "acme-dns", { name: "acme-dns-01", role: this.role.id, policy: acmePolicy }));
    if (props.bundleObjectsArn) {
      grants.push(
        new IamRolePolicy(this, "configuration", { name: "read-own-configuration", role: this.role.id, policy: configurationPolicy(props.bundleObjectsArn) }),
      );
    }
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
