import { gunzipSync } from "zlib";
import type { IConstruct } from "constructs";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, resourceConfig, type SecurityRule } from "../rule";

/** Patterns of secret-looking material and what they look like. */
export const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/aws_secret_access_key\s*[=:]/i, "an AWS secret access key"],
  [/\b(password|passwd|secret|api[_-]?key|token)\s*[=:]\s*["']?[^\s"'$]{6,}/i, "a password or secret assignment"],
  // Password hashes (mailboxes' hashes live in SSM; a users file in user data would publish them).
  [
    /\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{8,}\$[A-Za-z0-9+/]{16,}|\$6\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}|\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}/,
    "a password hash",
  ],
];

/** The user data text: plain, base64, or gzip + base64. */
function decode(config: Record<string, unknown>): string | undefined {
  if (typeof config.user_data === "string") return config.user_data;
  const encoded = config.user_data_base64;
  if (typeof encoded !== "string" || encoded.includes("${")) return undefined;
  const raw = Buffer.from(encoded, "base64");
  try {
    return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  } catch {
    return raw.toString("latin1");
  }
}

/** User data holds no secret (it is readable by anyone who can describe the instance). */
export const noSecretsInUserData: SecurityRule = {
  id: "no-secrets-in-user-data",
  title: "No private keys, access keys, passwords or password hashes in user data",
  evaluate(node: IConstruct) {
    const resource = resourceConfig(node);
    if (!resource || !["aws_instance", "aws_launch_template"].includes(resource.type)) return NOT_APPLICABLE;
    const text = decode(resource.config);
    if (text === undefined) return NOT_APPLICABLE;
    const found = SECRET_PATTERNS.filter(([pattern]) => pattern.test(text)).map(([, what]) => what);
    return found.length === 0 ? COMPLIANT : nonCompliant(`user data contains ${found.join(", ")}`);
  },
};
