/**
 * cloud-init user data of one host: the Debian packages, the rendered files (written after the
 * packages, so no package script rewrites them) and the first-boot script. Compressed with
 * gzip and base64-encoded to fit EC2's 16 KB limit.
 */
import { gzipSync } from "zlib";
import { UserError } from "../../errors";
import { stringify } from "yaml";
import type { AwsSpec } from "../../model/deployment-schema";
import type { HostPlan, Plan } from "../../plan/types";
import { generatedHeader } from "../../render/header";
import {
  POLICY_RC_D,
  renderCertificatesScript,
  renderPolicyRcD,
  renderSetupScript,
  renderSetupUnit,
  SETUP_SCRIPT_PATH,
  type SetupInputs,
} from "./setup-script";
import { APPLY_SCRIPT_PATH, AWS_CLIENT_PATH, CERTIFICATES_SCRIPT_PATH } from "../script-paths";
import { applyScriptText } from "../apply-script";
import { awsClientScriptText } from "../aws-client-script";

export { hostPackages } from "./packages";

/** The systemd unit that runs the first-boot setup. */
export const SETUP_UNIT = "mail-platform-setup.service";

/** EC2's limit on user data, in bytes (after base64). */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/** Thrown when user data would exceed EC2's limit. */
export class UserDataTooLargeError extends UserError {
  constructor(host: string, bytes: number) {
    super(
      `user data of host "${host}" is ${bytes} bytes after gzip and base64; EC2 allows ${USER_DATA_LIMIT_BYTES}. ` +
        `The configuration travels as a bundle, not in user data; a script this large is a bug.`,
    );
    this.name = "UserDataTooLargeError";
  }
}

/**
 * The cloud-config document (text) of one host: the host scripts, the setup unit, and a
 * policy-rc.d that keeps package daemons from starting on Debian's defaults. cloud-init itself
 * installs nothing: the setup unit installs the packages, so a mirror that is briefly unreachable
 * is retried like every other step. The configuration is not in it either: the host fetches its
 * bundle, so a configuration change never touches user data and user data stays far below EC2's
 * limit at any size.
 */
export function renderCloudConfig(plan: Plan, host: HostPlan, aws: AwsSpec, inputs: SetupInputs): string {
  const script = (path: string, content: string) => ({ path, content, owner: "root:root", permissions: "0755" });
  const document = {
    write_files: [
      // Written in cloud-init's first stage, before anything could install a package.
      script(POLICY_RC_D, renderPolicyRcD()),
      script(APPLY_SCRIPT_PATH, applyScriptText()),
      script(AWS_CLIENT_PATH, awsClientScriptText()),
      script(CERTIFICATES_SCRIPT_PATH, renderCertificatesScript(plan, host, aws)),
      script(SETUP_SCRIPT_PATH, renderSetupScript(plan, host, aws, inputs)),
      { path: `/etc/systemd/system/${SETUP_UNIT}`, content: renderSetupUnit(), owner: "root:root", permissions: "0644" },
    ],
    // --no-block: the unit is ordered after cloud-final, which runs these commands.
    runcmd: [
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", SETUP_UNIT],
      ["systemctl", "start", "--no-block", SETUP_UNIT],
    ],
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
