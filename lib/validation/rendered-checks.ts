/**
 * The checks of a model that need what is rendered from it: the size of each host's EC2 user
 * data (the first-boot script as the constructs encode it) and the names of the DKIM key files
 * on the host. They sit above the plan, the renderers and the rollout, which they call; the
 * validation doors (validate.ts) run them with the model's own checks, in one pass and in the
 * same way (each whenever the sections it reads are valid on their own).
 */
import { memoizedByText } from "../model/memo";
import { createHash } from "crypto";
import { gzipSync } from "zlib";
import { LIMITS, MAX_PARAMETER_NAME_CHARACTERS, PLATFORM_TAG_KEYS, sourceOf } from "../model/aws-limits";
import { issue, type PlatformIssue } from "../model/issues";
import { PlatformSchema, type PlatformSpec } from "../model/schema";
import { check, configBucketName, count, givenKeys, parametersInUse, pathText, type KeyField, type SemanticCheck } from "../model/semantic-checks";
import { plan } from "../plan/plan";
import { dkimKeyFileName } from "../render/opendkim/opendkim";
import { renderCloudConfig, USER_DATA_LIMIT_BYTES } from "../rollout/bootstrap/user-data";

type SectionName = keyof PlatformSpec;

// ---------------------------------------------------------------------------------------------
// EC2 user data: computed as the constructs compute it.

/**
 * Bytes kept free for the bundle id in the user data's bundle URL: the id is a SHA-256 that changes
 * with every configuration change, and 64 random hex digits compress differently from the
 * stand-in used here by far less than this.
 */
export const USER_DATA_MARGIN_BYTES = 64;

/** A stand-in bundle id: 64 hex digits as random as a real one. */
const STAND_IN_BUNDLE_ID = createHash("sha256").update("mail-platform: stand-in bundle id for the user data size").digest("hex");

/** Bytes of a cloud-config after gzip (level 9, as encodeUserData) and base64; remembered per text (compressing is most of validation's time). */
const encodedSize = memoizedByText((cloudConfig: string) => gzipSync(Buffer.from(cloudConfig, "utf8"), { level: 9 }).toString("base64").length);

/** Bytes of each host's user data after gzip and base64, as MailHost encodes it (with a stand-in bundle id). */
export function userDataSizes(spec: PlatformSpec): Map<string, number> {
  const sizes = new Map<string, number>();
  const bucket = configBucketName(spec);
  if (!spec.aws || bucket === undefined) return sizes;
  const planned = plan(spec);
  for (const host of planned.hosts) {
    const name = `${spec.name}-${host.name}`;
    const cloudConfig = renderCloudConfig(planned, host, spec.aws, {
      bundleUrl: `s3://${bucket}/bundles/${host.name}/${STAND_IN_BUNDLE_ID}.json`,
      dataVolumeName: name,
      dataVolumeTag: PLATFORM_TAG_KEYS[1], // DATA_VOLUME_TAG of mail-data-volume.ts (which loads the AWS provider)
    });
    sizes.set(host.name, encodedSize(cloudConfig));
  }
  return sizes;
}

/** The user data depends on nearly the whole model: the check reads every section. */
const ALL_SECTIONS = Object.keys(PlatformSchema.shape) as SectionName[];

const userData = check(ALL_SECTIONS, (spec) => {
  if (!spec.aws) return [];
  let sizes: Map<string, number>;
  try {
    sizes = userDataSizes(spec as PlatformSpec);
  } catch {
    // The plan refuses models that other checks report (a group without an address on a host).
    return [];
  }
  // What grows with the model (the group addresses, the ACME account, the bundle URL) is small:
  // DKIM key names and the configuration travel in the bundle. This guards the scripts' own size.
  const found: PlatformIssue[] = [];
  for (const [host, size] of sizes) {
    if (size + USER_DATA_MARGIN_BYTES <= USER_DATA_LIMIT_BYTES) continue;
    found.push(
      issue(
        ["aws", "hosts", host],
        `${count(size)} bytes`,
        `the user data of host ${host} would be ${count(size)} bytes after gzip and base64, and ${count(USER_DATA_MARGIN_BYTES)} more must stay free for the bundle id; EC2 allows ${count(LIMITS.userDataBytes.value)} (${sourceOf(LIMITS.userDataBytes)}; counted after base64 here); the first-boot script holds the group addresses, the ACME account and the bundle URL: shorten what the model makes long`,
      ),
    );
  }
  return found;
});

// ---------------------------------------------------------------------------------------------
// SSM parameter names of the DKIM keys, and the key files the host names after them.

/** Why SSM or the host refuses a private-key parameter name, or undefined. */
export function parameterNameProblems(name: string): string[] {
  const problems: string[] = [];
  const levels = name.replace(/^\//, "").split("/").length;
  const ssm = sourceOf(LIMITS.parameterNameCharacters);
  if (levels > LIMITS.parameterHierarchyLevels.value) {
    problems.push(`a hierarchy of at most ${LIMITS.parameterHierarchyLevels.value} levels; this one has ${levels} (${ssm})`);
  }
  const reserved = /^\/?(aws|ssm)/i.exec(name);
  if (reserved) problems.push(`a name that does not begin with "${reserved[1]}" (in any case): SSM reserves names beginning with aws and ssm (${ssm})`);
  if (name.length > MAX_PARAMETER_NAME_CHARACTERS) {
    problems.push(
      `at most ${MAX_PARAMETER_NAME_CHARACTERS} characters: SSM allows ${LIMITS.parameterNameCharacters.value} counting the ARN before the name, which is up to ${LIMITS.parameterNameCharacters.value - MAX_PARAMETER_NAME_CHARACTERS} characters long (${ssm}); this one has ${name.length}`,
    );
  }
  const file = dkimKeyFileName(name);
  if (Buffer.byteLength(file, "utf8") > LIMITS.fileNameBytes.value) {
    problems.push(
      `at most ${LIMITS.fileNameBytes.value - ".private".length + 1} characters: the host keeps the key in /etc/opendkim/keys/<name without the leading slash, / as _>.private, and a file name has at most ${LIMITS.fileNameBytes.value} bytes (${sourceOf(LIMITS.fileNameBytes)}); this one has ${name.length}`,
    );
  }
  return problems;
}

const dkimParameters = check(["groups", "dkim"], (spec) => {
  const found: PlatformIssue[] = [];
  for (const key of givenKeys(spec)) {
    for (const problem of parameterNameProblems(key.parameter)) {
      found.push(issue([...key.path, "privateKeyParameter"], key.parameter, `expected an SSM parameter name with ${problem}`));
    }
  }
  // Two parameters whose key files have the same name would overwrite each other on the host.
  const files = new Map<string, KeyField>();
  for (const key of parametersInUse(spec)) {
    const file = dkimKeyFileName(key.parameter);
    const first = files.get(file);
    if (!first) {
      files.set(file, key);
      continue;
    }
    found.push(
      issue(
        [...key.path, "privateKeyParameter"],
        key.parameter,
        `the host stores this key as /etc/opendkim/keys/${file}, and so it stores ${first.parameter} (${pathText([...first.path, "privateKeyParameter"])}): one key would overwrite the other; choose a parameter name that differs in more than "/" and "_"`,
      ),
    );
  }
  return found;
});

/** The checks that need the rendered configuration. */
export const RENDERED_CHECKS: readonly SemanticCheck[] = [userData, dkimParameters];
