/**
 * The host's AWS client (`lib/apply/mail-platform-aws.py`): the few calls a mail host makes (its
 * DKIM keys and mailbox hashes from SSM, its data volume from EC2, its bundle from S3, its blocklist metrics to CloudWatch) through
 * Debian's boto3, which certbot's Route53 plugin needs anyway, instead of the AWS CLI.
 */
import { packagedScriptPath, packagedScriptText } from "./packaged-script";
import type { BundleFile } from "./bundle";
import { AWS_CLIENT_PATH } from "./script-paths";

/** Path of the script in this package (source tree or compiled `dist`). */
export function awsClientScriptPath(): string {
  return packagedScriptPath("mail-platform-aws.py");
}

/** The script text. */
export function awsClientScriptText(): string {
  return packagedScriptText("mail-platform-aws.py");
}

/**
 * The client as a file of every bundle too (the user data writes it at first boot): a host that
 * booted before the client existed gets it with its next rollout, before the users sync needs it.
 */
export function awsClientFiles(): BundleFile[] {
  return [{ path: AWS_CLIENT_PATH, mode: "0755", content: awsClientScriptText() }];
}
