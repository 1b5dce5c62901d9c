/**
 * A bucket as S3 would hold it after apply: its policy (references resolved), versioning, public
 * access block, default encryption, and the objects Terraform uploads, byte for byte: inline
 * content with Terraform's `$${`/`%%{` escaping undone, or the file an object names as `source`
 * (relative to the stack's directory, as Terraform runs there), read through the caller.
 */
import { parsePolicyDocument, type PolicyDocument } from "./policy-document";
import { literalString, type Evaluate, type TerraformDocument } from "./terraform-document";

/** An object Terraform uploads. */
export interface DeployedObject {
  readonly key: string;
  /** Exactly the bytes S3 would store. */
  readonly body: Buffer;
  readonly contentType?: string;
}

/** A bucket and what Terraform configures on it. */
export interface DeployedBucket {
  readonly name: string;
  readonly arn: string;
  /** Bucket policy, references resolved. */
  readonly policy?: PolicyDocument;
  readonly versioned: boolean;
  /** All four public access block settings on: public ACLs and policies have no effect. */
  readonly publicAccessBlocked: boolean;
  /** Default encryption (`AES256`, `aws:kms`), when configured. */
  readonly encryption?: string;
  readonly objects: readonly DeployedObject[];
}

function sourceBytes(path: string, where: string, readSource?: (path: string) => Buffer | string | undefined): Buffer {
  const bytes = readSource?.(path);
  if (bytes === undefined) throw new Error(`${where}.source: no file ${path} beside cdk.tf.json`);
  return typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
}

/** The bucket named `name` and everything configured on it. */
export function readBucket(
  doc: TerraformDocument,
  name: string,
  evaluate: Evaluate,
  readSource?: (path: string) => Buffer | string | undefined,
): DeployedBucket {
  const of = (type: string) => doc.all(type).filter(([n, b]) => evaluate(b.bucket, `${type}.${n}.bucket`) === name);
  const policies = of("aws_s3_bucket_policy");
  if (policies.length > 1) throw new Error(`bucket ${name} has more than one aws_s3_bucket_policy`);
  const block = of("aws_s3_bucket_public_access_block")[0]?.[1];
  const encryption = of("aws_s3_bucket_server_side_encryption_configuration")[0]?.[1];
  const rule = (encryption?.rule as { apply_server_side_encryption_by_default?: { sse_algorithm?: string } }[] | undefined)?.[0];
  const objects = of("aws_s3_object").map(([n, b]): DeployedObject => {
    const where = `aws_s3_object.${n}`;
    const body =
      b.source !== undefined
        ? sourceBytes(literalString(b.source, `${where}.source`), where, readSource)
        : b.content_base64 !== undefined
          ? Buffer.from(literalString(b.content_base64, `${where}.content_base64`), "base64")
          : Buffer.from(literalString(b.content ?? "", `${where}.content`), "utf8");
    return {
      key: literalString(b.key, `${where}.key`),
      body,
      ...(b.content_type !== undefined ? { contentType: literalString(b.content_type, `${where}.content_type`) } : {}),
    };
  });
  return {
    name,
    arn: `arn:aws:s3:::${name}`,
    ...(policies[0]
      ? { policy: parsePolicyDocument(evaluate(policies[0][1].policy, `aws_s3_bucket_policy.${policies[0][0]}.policy`), `bucket policy of ${name}`) }
      : {}),
    versioned: of("aws_s3_bucket_versioning").some(([, b]) => (b.versioning_configuration as { status?: string } | undefined)?.status === "Enabled"),
    publicAccessBlocked:
      block !== undefined && ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every((k) => block[k] === true),
    ...(rule?.apply_server_side_encryption_by_default?.sse_algorithm ? { encryption: rule.apply_server_side_encryption_by_default.sse_algorithm } : {}),
    objects,
  };
}
