/**
 * cloud-init user data of one host: the Debian packages, the rendered files (written after the
 * packages, so no package script rewrites them) and the first-boot script. Compressed with
 * gzip and base64-encoded to fit EC2's 16 KB limit.
 */
import { gzipSync } from "zlib";
import { stringify } from "yaml";
import type { AwsSpec } from "../../model/deployment-schema";
import type { HostPlan, Plan } from "../../plan/types";
import { generatedHeader } from "../header";
import { renderCertificatesScript, renderSetupScript, SETUP_SCRIPT_PATH, type SetupInputs } from "./setup-script";
import { APPLY_SCRIPT_PATH, CERTIFICATES_SCRIPT_PATH } from "../../rollout/script-paths";
import { applyScriptText } from "../../rollout/apply-script";
import { signsDkim } from "../opendkim/opendkim";
import { optionalDaemons } from "../../rollout/daemons";

/** EC2's limit on user data, in bytes (after base64). */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/** Thrown when user data would exceed EC2's limit. */
export class UserDataTooLargeError extends Error {
  constructor(host: string, bytes: number) {
    super(
      `user data of host "${host}" is ${bytes} bytes after gzip and base64; EC2 allows ${USER_DATA_LIMIT_BYTES}. ` +
        `The configuration travels as a bundle, not in user data; a script this large is a bug.`,
    );
    this.name = "UserDataTooLargeError";
  }
}

/** The Debian packages a host needs for the enabled features. */
export function hostPackages(plan: Plan): string[] {
  const { services, mailbox } = plan.spec;
  const dkim = signsDkim(plan.spec);
  return [
    "awscli",
    "ca-certificates",
    "certbot",
    "dovecot-core",
    ...(services.imap || services.imaps ? ["dovecot-imapd"] : []),
    "dovecot-lmtpd",
    ...(services.pop3 || services.pop3s ? ["dovecot-pop3d"] : []),
    ...(mailbox.fullTextSearch ? ["dovecot-fts-xapian"] : []),
    ...(optionalDaemons(plan).nginx ? ["nginx-light"] : []),
    ...(dkim ? ["opendkim"] : []),
    "postfix",
    "postfix-pcre",
    "python3",
    "python3-certbot-dns-route53",
  ];
}

/**
 * The cloud-config document (text) of one host: packages, the apply script and the setup script.
 * The configuration itself is not in it: the host fetches its bundle, so a configuration change
 * never touches user data and user data stays far below EC2's limit at any size.
 */
export function renderCloudConfig(plan: Plan, host: HostPlan, aws: AwsSpec, inputs: SetupInputs): string {
  const document = {
    apt: {
      // Keep Postfix's package from writing its own main.cf: ours is written after it.
      debconf_selections: { postfix: "postfix postfix/main_mailer_type select No configuration" },
    },
    package_update: true,
    packages: hostPackages(plan),
    write_files: [
      { path: APPLY_SCRIPT_PATH, content: applyScriptText(), owner: "root:root", permissions: "0755", defer: true },
      { path: CERTIFICATES_SCRIPT_PATH, content: renderCertificatesScript(plan, host, aws), owner: "root:root", permissions: "0755", defer: true },
      { path: SETUP_SCRIPT_PATH, content: renderSetupScript(plan, host, aws, inputs), owner: "root:root", permissions: "0755", defer: true },
    ],
    runcmd: [[SETUP_SCRIPT_PATH]],
  };
  return `#cloud-config\n${generatedHeader(plan.spec.name, host.name)}\n${stringify(document, { lineWidth: 0 })}`;
}

/** gzip + base64 of the cloud-config, checked against EC2's limit. */
export function encodeUserData(host: string, cloudConfig: string): string {
  // level 9 and a fixed header (no name, mtime 0) keep the bytes identical between runs.
  const encoded = gzipSync(Buffer.from(cloudConfig, "utf8"), { level: 9 }).toString("base64");
  if (encoded.length > USER_DATA_LIMIT_BYTES) throw new UserDataTooLargeError(host, encoded.length);
  return encoded;
}
