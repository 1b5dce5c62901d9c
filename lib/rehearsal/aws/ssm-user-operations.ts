/**
 * The SSM operations that manage parameters, as an operator's tools call them (`mail-platform
 * user`, the aws command): PutParameter, DeleteParameter and GetParametersByPath. Each is
 * authorized as AWS authorizes it: `ssm:<Operation>` on the parameter's ARN (for
 * GetParametersByPath, the ARN of the path itself), and for a SecureString a second decision,
 * `kms:Encrypt` (put) or `kms:Decrypt` (read with decryption) on its key through SSM, by the key
 * policy together with the caller's policies. Kept apart from ssm.ts, which serves the reads a host
 * makes, and reached through {@link ParameterTable} so that it needs nothing private of it.
 */
import type { AwsReply } from "./http-exchange";
import type { Decision } from "./iam";
import type { KmsKey } from "./kms-keys";
import type { ServiceCall } from "./service-call";

const JSON_TYPE = "application/x-amz-json-1.1";

/** A stored parameter, as far as these operations read it. */
export interface ParameterRecord {
  readonly name: string;
  readonly type: "String" | "StringList" | "SecureString";
  readonly key?: KmsKey;
  readonly version: number;
}

/** The Parameter Store these operations change. */
export interface ParameterTable {
  readonly region: string;
  readonly accountId: string;
  get(name: string): ParameterRecord | undefined;
  /** Create or overwrite. */
  store(name: string, value: string, type: "String" | "SecureString", key: KmsKey | undefined): ParameterRecord;
  /** @returns whether there was one */
  delete(name: string): boolean;
  all(): Iterable<ParameterRecord>;
  arn(name: string): string;
  /** The key a `KeyId` names (undefined: the account's `aws/ssm`); undefined when there is no such key. */
  key(keyId: string | undefined): KmsKey | undefined;
  /** The parameter as GetParameter(s) return it, its value decrypted (after `kms:Decrypt`) or not. */
  describe(call: ServiceCall, parameter: ParameterRecord, decrypt: boolean): Record<string, unknown>;
}

/** Largest value of a Standard tier parameter, in characters. */
const MAX_STANDARD_VALUE = 4096;
/** Most levels a parameter hierarchy may have. */
const MAX_LEVELS = 15;
/** Longest parameter name (AWS counts the full ARN against 1011 characters; the name alone is judged here). */
const MAX_NAME = 1011;

function validation(call: ServiceCall, message: string): never {
  return call.fail({ status: 400, code: "ValidationException", message });
}

function ok(call: ServiceCall, document: Record<string, unknown>, decision: Decision, note?: string): AwsReply {
  return call.succeed({ status: 200, headers: { "Content-Type": JSON_TYPE }, body: JSON.stringify(document) }, decision, note);
}

/** SSM's rules for a parameter name, as it words them. */
function checkName(call: ServiceCall, name: string): void {
  if (name.length > MAX_NAME) validation(call, `Parameter name: exceeds the maximum length of ${MAX_NAME} characters.`);
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name))
    validation(call, "Parameter name: can contain only alphanumeric characters, periods (.), hyphens (-), underscores (_) and forward slashes (/).");
  if (name.includes("/") && !name.startsWith("/")) validation(call, "Parameter name: a name with a hierarchy must begin with a forward slash (/).");
  if (/^\/?(aws|ssm)/i.test(name)) validation(call, 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  if (name.split("/").length - 1 > MAX_LEVELS) validation(call, `Parameter name: hierarchy depth exceeds the maximum of ${MAX_LEVELS} levels.`);
}

/** The KMS decision behind a SecureString operation: the caller through SSM, the key policy deciding with IAM. */
function authorizeKey(call: ServiceCall, table: ParameterTable, action: string, key: KmsKey, name: string): Decision {
  return call.authorize(action, key.arn, {
    secondary: true,
    keys: {
      "kms:ViaService": `ssm.${table.region}.amazonaws.com`,
      "kms:CallerAccount": table.accountId,
      "kms:EncryptionContext:PARAMETER_ARN": table.arn(name),
      "kms:EncryptionContextKeys": ["PARAMETER_ARN"],
    },
    resourcePolicies: [key.policy],
    wording: (message) => ({
      status: 400,
      code: "AccessDeniedException",
      message: `${message} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: ${call.id}; Proxy: null)`,
    }),
  });
}

/** PutParameter: create, or overwrite with `Overwrite: true`. */
function putParameter(call: ServiceCall, input: Record<string, unknown>, table: ParameterTable): AwsReply {
  const name = typeof input.Name === "string" ? input.Name : "";
  if (name === "") validation(call, "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  const decision = call.authorize("ssm:PutParameter", table.arn(name));
  checkName(call, name);
  const value = typeof input.Value === "string" ? input.Value : "";
  if (value === "")
    validation(call, "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
  if ([...value].length > MAX_STANDARD_VALUE)
    validation(
      call,
      `Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
    );
  if (input.Tier !== undefined && input.Tier !== "Standard") validation(call, `Tier ${String(input.Tier)} is not emulated by the rehearsal`);
  const existing = table.get(name);
  if (existing && input.Overwrite !== true)
    call.fail({
      status: 400,
      code: "ParameterAlreadyExists",
      message: "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    });
  const type = input.Type ?? existing?.type;
  if (type === undefined) validation(call, "A parameter type is required when you create a parameter.");
  if (type !== "String" && type !== "SecureString")
    validation(call, `Type ${JSON.stringify(type)}: the rehearsal emulates String and SecureString (AWS also knows StringList)`);
  if (input.KeyId !== undefined && type !== "SecureString") validation(call, "KeyId is required for SecureString type parameter only.");
  let key: KmsKey | undefined;
  let note: string | undefined;
  if (type === "SecureString") {
    key = table.key(typeof input.KeyId === "string" ? input.KeyId : undefined);
    if (!key) call.fail({ status: 400, code: "InvalidKeyId", message: `${String(input.KeyId)} is not a KMS key of this account and region` });
    const kms = authorizeKey(call, table, "kms:Encrypt", key, name);
    note = `kms:Encrypt allowed by ${kms.matched.map((m) => `${m.policy}/${m.statement}`).join(", ")}`;
  }
  const stored = table.store(name, value, type, key);
  return ok(call, { Tier: "Standard", Version: stored.version }, decision, note);
}

/** DeleteParameter. */
function deleteParameter(call: ServiceCall, input: Record<string, unknown>, table: ParameterTable): AwsReply {
  const name = typeof input.Name === "string" ? input.Name : "";
  if (name === "") validation(call, "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  const decision = call.authorize("ssm:DeleteParameter", table.arn(name));
  if (!table.delete(name)) call.fail({ status: 400, code: "ParameterNotFound", message: `Parameter ${name} not found.` });
  return ok(call, {}, decision);
}

interface PageToken {
  readonly path: string;
  readonly after: string;
}

/** GetParametersByPath: the parameters below a path (one level, or every level with `Recursive`), by name, a page at a time. */
function getParametersByPath(call: ServiceCall, input: Record<string, unknown>, table: ParameterTable): AwsReply {
  const requested = typeof input.Path === "string" ? input.Path : "";
  if (!requested.startsWith("/")) validation(call, `The parameter path ${JSON.stringify(requested)} must begin with a forward slash (/).`);
  const path = requested.length > 1 ? requested.replace(/\/+$/, "") : requested;
  const decision = call.authorize("ssm:GetParametersByPath", table.arn(path));
  if (path.split("/").length - 1 > MAX_LEVELS) validation(call, `The parameter path exceeds the maximum hierarchy depth of ${MAX_LEVELS} levels.`);
  if (input.ParameterFilters !== undefined) validation(call, "ParameterFilters are not emulated by the rehearsal");
  const max = input.MaxResults ?? 10;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 10)
    validation(
      call,
      // AWS's own words: one bound per message, the one the value breaks.
      `1 validation error detected: Value '${String(max)}' at 'maxResults' failed to satisfy constraint: Member must have value ${typeof max === "number" && max < 1 ? "greater than or equal to 1" : "less than or equal to 10"}`,
    );
  let after = "";
  if (input.NextToken !== undefined) {
    let token: PageToken | undefined;
    try {
      token = JSON.parse(Buffer.from(String(input.NextToken), "base64url").toString("utf8")) as PageToken;
    } catch {
      token = undefined;
    }
    if (!token || token.path !== path || typeof token.after !== "string")
      call.fail({ status: 400, code: "InvalidNextToken", message: "The specified token isn't valid." });
    after = token.after;
  }
  const prefix = path === "/" ? "/" : `${path}/`;
  const below = [...table.all()]
    .filter((p) => p.name.startsWith(prefix) && p.name.length > prefix.length && (input.Recursive === true || !p.name.slice(prefix.length).includes("/")))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .filter((p) => p.name > after);
  const page = below.slice(0, max);
  const parameters = page.map((p) => table.describe(call, p, input.WithDecryption === true));
  const next =
    below.length > page.length
      ? Buffer.from(JSON.stringify({ path, after: page[page.length - 1]!.name } satisfies PageToken)).toString("base64url")
      : undefined;
  return ok(call, { Parameters: parameters, ...(next === undefined ? {} : { NextToken: next }) }, decision);
}

/** The operations of this module by name (the `AmazonSSM.<Operation>` target). */
export const SSM_USER_OPERATIONS: ReadonlyMap<string, (call: ServiceCall, input: Record<string, unknown>, table: ParameterTable) => AwsReply> = new Map([
  ["PutParameter", putParameter],
  ["DeleteParameter", deleteParameter],
  ["GetParametersByPath", getParametersByPath],
]);
