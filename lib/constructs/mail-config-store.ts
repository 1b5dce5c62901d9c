/**
 * Where hosts fetch their configuration bundles: a private, versioned, encrypted S3 bucket.
 * Each bundle is stored under its content hash (`bundles/<host>/<id>.json`), so a host can
 * always tell exactly which configuration it runs.
 *
 * Terraform uploads each bundle from a file written beside `cdk.tf.json`
 * (`mail-platform/<platform>/<host>.bundle.json`, `source` of the S3 object) rather than from an
 * inline string: a bundle is hundreds of kilobytes on a large platform, and inline it would be
 * copied through every synthesis step, Terraform's plan output and its state.
 */
import { Construct } from "constructs";
import { addStackFile, bundleFilePath } from "./rendered-files-output";
import {
  S3Bucket,
  S3BucketOwnershipControls,
  S3BucketPolicy,
  S3BucketPublicAccessBlock,
  S3BucketServerSideEncryptionConfigurationA,
  S3BucketVersioningA,
  S3Object,
} from "../cdk/aws";
import { bundleText, type Bundle } from "../rollout/bundle";

/** Properties of {@link MailConfigStore}. */
export interface MailConfigStoreProps {
  /** Bucket name (known at synth, so hosts can be told where to look). */
  readonly bucketName: string;
  /** Tags. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The bundle store of a platform. */
export class MailConfigStore extends Construct {
  /** The bucket (escape hatch). */
  readonly bucket: S3Bucket;
  /** Published bundles by host. */
  readonly objects = new Map<string, S3Object>();
  /** The bucket name. */
  readonly bucketName: string;

  constructor(scope: Construct, id: string, props: MailConfigStoreProps) {
    super(scope, id);
    const tags = props.tags ? { ...props.tags } : undefined;
    this.bucketName = props.bucketName;
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, tags });
    new S3BucketVersioningA(this, "versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketPublicAccessBlock(this, "no-public-access", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketPolicy(this, "tls-only", {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyPlaintextTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    });
  }

  /** The object key of a host's bundle. */
  static key(host: string, bundle: Bundle): string {
    return `bundles/${host}/${bundle.id}.json`;
  }

  /**
   * Publish a host's bundle: its file is written beside `cdk.tf.json` at synthesis
   * ({@link bundleFilePath}) and uploaded by Terraform under its content-hash key, so a changed
   * bundle is a new object. Returns its s3:// URL.
   * @throws UserError when the stack already has a bundle for this platform's host
   */
  publish(host: string, bundle: Bundle): string {
    const key = MailConfigStore.key(host, bundle);
    const source = bundleFilePath(bundle.platform, host);
    addStackFile(this, source, bundleText(bundle));
    this.objects.set(host, new S3Object(this, `bundle-${host}`, { bucket: this.bucket.id, key, source, contentType: "application/json" }));
    return `s3://${this.bucketName}/${key}`;
  }

  /** The ARN prefix of a host's bundles (for its role). */
  hostObjectsArn(host: string): string {
    return `arn:aws:s3:::${this.bucketName}/bundles/${host}/*`;
  }
}
