/**
 * The KMS keys SecureString parameters are encrypted with, and their key policies, which decide
 * `kms:Decrypt` when SSM decrypts on the caller's behalf.
 *
 * - The AWS managed key `aws/ssm` (the default): its key policy lets every principal of the
 *   account use it through SSM. AWS documents the consequence
 *   (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html):
 *   "The AWS managed key for Parameter Store (aws/ssm) grants Decrypt permission to all IAM
 *   principals in the AWS account." The statement below models that grant with the conditions
 *   AWS managed keys use (`kms:CallerAccount`, `kms:ViaService`); no identity policy is needed.
 * - A customer managed key with KMS's default key policy: the account root may use it, which
 *   delegates to IAM — the caller's identity policy must allow `kms:Decrypt`.
 */
import { createHash } from "crypto";
import type { NamedPolicy } from "./iam";
import { parsePolicyDocument } from "./policy-document";

/** A key and the policy attached to it. */
export interface KmsKey {
  readonly arn: string;
  readonly alias: string;
  readonly policy: NamedPolicy;
}

function keyId(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The account's AWS managed key for Parameter Store. */
export function awsManagedSsmKey(accountId: string, region: string): KmsKey {
  const arn = `arn:aws:kms:${region}:${accountId}:key/${keyId(`aws/ssm/${accountId}/${region}`)}`;
  const document = {
    Version: "2012-10-17",
    Id: "auto-ssm-2",
    Statement: [
      {
        Sid: "Allow access through AWS Systems Manager for all principals in the account that are authorized to use AWS Systems Manager",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:CallerAccount": accountId, "kms:ViaService": `ssm.${region}.amazonaws.com` } },
      },
      {
        Sid: "Allow direct access to key metadata to the account",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
        Resource: "*",
      },
    ],
  };
  return {
    arn,
    alias: "alias/aws/ssm",
    policy: { name: "key policy of alias/aws/ssm", kind: "resource", document: parsePolicyDocument(document, "key policy of alias/aws/ssm") },
  };
}

/** A customer managed key with KMS's default key policy (use is decided by IAM policies). */
export function customerManagedKey(accountId: string, region: string, alias: string): KmsKey {
  const arn = `arn:aws:kms:${region}:${accountId}:key/${keyId(`${alias}/${accountId}/${region}`)}`;
  const document = {
    Version: "2012-10-17",
    Id: "key-default-1",
    Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" }],
  };
  return { arn, alias, policy: { name: `key policy of ${alias}`, kind: "resource", document: parsePolicyDocument(document, `key policy of ${alias}`) } };
}
