/**
 * The AWS managed policies the constructs attach, verbatim, as data: a rehearsal authorizes the
 * host's calls against what AWS would really grant, so these must be AWS's text, not a summary.
 *
 * AmazonSSMManagedInstanceCore, version v2 (the default version; created 2019-03-15, last edited
 * 2019-05-23T16:54:21Z). Text from the AWS Managed Policy Reference,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMManagedInstanceCore.html
 * ("Policy version: v2 (default)"), and identical in zoph-io/MAMIP (which records every managed
 * policy version AWS publishes), policies/AmazonSSMManagedInstanceCore at master of 2026-03-06:
 * unchanged there since 2019. Note what it grants: `ssm:GetParameter`/`GetParameters` on every
 * parameter of the account.
 */
import { parsePolicyDocument, type PolicyDocument } from "./policy-document";

const AMAZON_SSM_MANAGED_INSTANCE_CORE = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: [
        "ssm:DescribeAssociation",
        "ssm:GetDeployablePatchSnapshotForInstance",
        "ssm:GetDocument",
        "ssm:DescribeDocument",
        "ssm:GetManifest",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:ListAssociations",
        "ssm:ListInstanceAssociations",
        "ssm:PutInventory",
        "ssm:PutComplianceItems",
        "ssm:PutConfigurePackageResult",
        "ssm:UpdateAssociationStatus",
        "ssm:UpdateInstanceAssociationStatus",
        "ssm:UpdateInstanceInformation",
      ],
      Resource: "*",
    },
    {
      Effect: "Allow",
      Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
      Resource: "*",
    },
    {
      Effect: "Allow",
      Action: [
        "ec2messages:AcknowledgeMessage",
        "ec2messages:DeleteMessage",
        "ec2messages:FailMessage",
        "ec2messages:GetEndpoint",
        "ec2messages:GetMessages",
        "ec2messages:SendReply",
      ],
      Resource: "*",
    },
  ],
} as const;

/** ARN → the managed policy's name and default version document. */
const MANAGED_POLICIES: ReadonlyMap<string, { readonly name: string; readonly version: string; readonly document: unknown }> = new Map([
  ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", { name: "AmazonSSMManagedInstanceCore", version: "v2", document: AMAZON_SSM_MANAGED_INSTANCE_CORE }],
]);

/** A managed policy known to the rehearsal. */
export interface ManagedPolicy {
  readonly arn: string;
  readonly name: string;
  /** The default version this text is. */
  readonly version: string;
  readonly document: PolicyDocument;
}

/**
 * The managed policy with this ARN.
 * @throws for an ARN whose text is not recorded here (a role would otherwise lose or gain rights silently)
 */
export function managedPolicy(arn: string): ManagedPolicy {
  const known = MANAGED_POLICIES.get(arn);
  if (!known) {
    throw new Error(
      `managed policy ${arn} is not known to the rehearsal; add its text (AWS's default version, with its source) to lib/rehearsal/aws/managed-policies.ts`,
    );
  }
  return { arn, name: known.name, version: known.version, document: parsePolicyDocument(known.document, `managed policy ${known.name}`) };
}
