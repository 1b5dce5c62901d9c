/**
 * SSM Parameter Store stand-in (JSON 1.1 protocol, `X-Amz-Target: AmazonSSM.<Operation>`):
 * GetParameter and GetParameters here; PutParameter, DeleteParameter and GetParametersByPath in
 * ssm-user-operations.ts. Each parameter is authorized as `ssm:GetParameter(s)` on its
 * ARN; decrypting a SecureString is a second authorization, `kms:Decrypt` on its key with SSM as
 * the intermediary (`kms:ViaService`), decided by the key policy together with the role's
 * policies — as AWS decides it. A KMS denial comes back wrapped in SSM's AccessDeniedException,
 * as SSM returns it. Other operations are answered with the JSON protocol's
 * UnknownOperationException and logged.
 */
import { createHash } from "crypto";
import { headerOf, type AwsReply, type AwsRequest } from "./http-exchange";
import type { Decision } from "./iam";
import { awsManagedSsmKey, customerManagedKey, type KmsKey } from "./kms-keys";
import { SSM_USER_OPERATIONS, type ParameterTable } from "./ssm-user-operations";
import { serve, type ServiceCall, type ServiceDialect, type ServiceEnv, type ServiceError } from "./service-call";
import type { AuthFailure } from "./sigv4";

const JSON_TYPE = "application/x-amz-json-1.1";

const dialect: ServiceDialect = {
  service: "ssm",
  renderError: (error) => ({
    status: error.status,
    headers: { "Content-Type": JSON_TYPE },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  }),
  authError(failure: AuthFailure): ServiceError {
    switch (failure.reason) {
      case "missing":
        return { status: 400, code: "MissingAuthenticationTokenException", message: "Missing Authentication Token" };
      case "unknown-key":
      case "missing-token":
      case "invalid-token":
        return { status: 400, code: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
      case "expired":
        return { status: 400, code: "ExpiredTokenException", message: failure.message };
      case "malformed":
      case "unsupported":
        return { status: 400, code: "IncompleteSignatureException", message: failure.message };
      default:
        return { status: 400, code: "InvalidSignatureException", message: failure.message };
    }
  },
  accessDenied: (message) => ({ status: 400, code: "AccessDeniedException", message }),
  internalError: (message) => ({ status: 500, code: "InternalServerError", message }),
};

/** A stored parameter. */
export interface StoredParameter {
  readonly name: string;
  readonly value: string;
  readonly type: "String" | "StringList" | "SecureString";
  /** The key a SecureString is encrypted with. */
  readonly key?: KmsKey;
  readonly version: number;
  readonly lastModified: Date;
}

/** Options of {@link SsmStandIn.put}. */
export interface PutParameterOptions {
  /** Store as SecureString. @default false */
  readonly secure?: boolean;
  /** Encrypt with a customer managed key instead of `aws/ssm`. @default false */
  readonly customerManagedKey?: boolean;
}

/** The Parameter Store of one region. */
export class SsmStandIn {
  private readonly parameters = new Map<string, StoredParameter>();
  private readonly awsKey: KmsKey;
  private readonly customerKey: KmsKey;
  private readonly table: ParameterTable;

  constructor(private readonly env: ServiceEnv) {
    this.awsKey = awsManagedSsmKey(env.accountId, env.region);
    this.customerKey = customerManagedKey(env.accountId, env.region, "alias/mail-platform-rehearsal");
    this.table = {
      region: env.region,
      accountId: env.accountId,
      get: (name) => this.parameters.get(name),
      store: (name, value, type, key) => this.put(name, value, { secure: type === "SecureString", customerManagedKey: key === this.customerKey }),
      delete: (name) => this.parameters.delete(name),
      all: () => this.parameters.values(),
      arn: (name) => this.arn(name),
      key: (keyId) =>
        [this.awsKey, this.customerKey].find((k) =>
          keyId === undefined ? k === this.awsKey : [k.arn, k.alias, k.arn.replace(/^.*:key\//, "")].includes(keyId),
        ),
      describe: (call, parameter, decrypt) => {
        const stored = this.parameters.get(parameter.name)!;
        return this.document(stored, this.valueFor(call, stored, decrypt).value);
      },
    };
  }

  /** A parameter as stored (for tests: its type, key and value). */
  get(name: string): StoredParameter | undefined {
    return this.parameters.get(name);
  }

  /** Create or overwrite a parameter (as `ssm put-parameter --overwrite` would). */
  put(name: string, value: string, options: PutParameterOptions = {}): StoredParameter {
    if (!/^\/?[A-Za-z0-9_.\-/]+$/.test(name)) throw new Error(`invalid parameter name ${JSON.stringify(name)}`);
    const previous = this.parameters.get(name);
    const stored: StoredParameter = {
      name,
      value,
      type: options.secure ? "SecureString" : "String",
      ...(options.secure ? { key: options.customerManagedKey ? this.customerKey : this.awsKey } : {}),
      version: (previous?.version ?? 0) + 1,
      lastModified: this.env.now(),
    };
    this.parameters.set(name, stored);
    return stored;
  }

  /** The ARN of a parameter name. */
  arn(name: string): string {
    return `arn:aws:ssm:${this.env.region}:${this.env.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
  }

  /** Answer one request. */
  handle(request: AwsRequest): Promise<AwsReply> {
    return serve(this.env, dialect, request, (call) => {
      const target = headerOf(request, "x-amz-target") ?? "";
      const operation = target.startsWith("AmazonSSM.") ? target.slice("AmazonSSM.".length) : target;
      call.action = `ssm:${operation || "(no X-Amz-Target)"}`;
      call.authenticate({ service: "ssm", region: this.env.region, uriStyle: "standard" });
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(request.body.toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        return call.fail({ status: 400, code: "SerializationException", message: "the request body is not JSON" });
      }
      if (operation === "GetParameter") return this.getParameter(call, input);
      if (operation === "GetParameters") return this.getParameters(call, input);
      const manage = SSM_USER_OPERATIONS.get(operation);
      if (manage) return manage(call, input, this.table);
      return call.fail({ status: 400, code: "UnknownOperationException", message: `${target} is not emulated by the rehearsal` });
    });
  }

  private find(call: ServiceCall, nameOrArn: unknown): StoredParameter | undefined {
    if (typeof nameOrArn !== "string" || nameOrArn === "")
      return call.fail({
        status: 400,
        code: "ValidationException",
        message: "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must not be null",
      });
    const arn = /^arn:aws:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(nameOrArn);
    const name = arn ? arn[1]! : nameOrArn;
    if (!arn && name.includes(":"))
      call.fail({ status: 400, code: "ValidationException", message: `parameter selectors (${name}) are not emulated by the rehearsal` });
    return this.parameters.get(name) ?? (arn ? this.parameters.get(name.slice(1)) : undefined);
  }

  /** The value a caller gets: decrypted after a `kms:Decrypt` authorization, or the ciphertext. */
  private valueFor(call: ServiceCall, parameter: StoredParameter, decrypt: boolean): { value: string; kms?: Decision } {
    if (parameter.type !== "SecureString" || !parameter.key) return { value: parameter.value };
    if (!decrypt) return { value: createHash("sha256").update(`${parameter.key.arn}\u0000${parameter.value}`).digest("base64") };
    const parameterArn = this.arn(parameter.name);
    const kms = call.authorize("kms:Decrypt", parameter.key.arn, {
      secondary: true,
      keys: {
        "kms:ViaService": `ssm.${this.env.region}.amazonaws.com`,
        "kms:CallerAccount": this.env.accountId,
        "kms:EncryptionContext:PARAMETER_ARN": parameterArn,
        "kms:EncryptionContextKeys": ["PARAMETER_ARN"],
      },
      resourcePolicies: [parameter.key.policy],
      // SSM passes KMS's refusal through, naming the service that refused.
      wording: (message) => ({
        status: 400,
        code: "AccessDeniedException",
        message: `${message} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: ${call.id}; Proxy: null)`,
      }),
    });
    return { value: parameter.value, kms };
  }

  private document(parameter: StoredParameter, value: string): Record<string, unknown> {
    return {
      ARN: this.arn(parameter.name),
      DataType: "text",
      LastModifiedDate: parameter.lastModified.getTime() / 1000,
      Name: parameter.name,
      Type: parameter.type,
      Value: value,
      Version: parameter.version,
    };
  }

  private getParameter(call: ServiceCall, input: Record<string, unknown>): AwsReply {
    const requested = typeof input.Name === "string" ? input.Name : "";
    if (requested === "")
      call.fail({
        status: 400,
        code: "ValidationException",
        message: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
      });
    const name = requested.replace(/^arn:aws:ssm:[^:]*:[^:]*:parameter/, "");
    const decision = call.authorize("ssm:GetParameter", this.arn(name));
    const parameter = this.find(call, input.Name);
    if (!parameter) return call.fail({ status: 400, code: "ParameterNotFound", message: `Parameter ${requested} not found.` });
    const { value, kms } = this.valueFor(call, parameter, input.WithDecryption === true);
    const body = JSON.stringify({ Parameter: this.document(parameter, value) });
    return call.succeed(
      { status: 200, headers: { "Content-Type": JSON_TYPE }, body },
      decision,
      kms ? `kms:Decrypt allowed by ${kms.matched.map((m) => `${m.policy}/${m.statement}`).join(", ")}` : undefined,
    );
  }

  private getParameters(call: ServiceCall, input: Record<string, unknown>): AwsReply {
    const names = Array.isArray(input.Names) ? input.Names.filter((n): n is string => typeof n === "string") : [];
    if (names.length === 0 || names.length > 10)
      return call.fail({ status: 400, code: "ValidationException", message: "Names must hold 1 to 10 parameter names" });
    let decision: Decision | undefined;
    for (const name of names) decision = call.authorize("ssm:GetParameters", this.arn(name.replace(/^arn:aws:ssm:[^:]*:[^:]*:parameter/, "")));
    const found = names.map((n) => [n, this.find(call, n)] as const);
    const parameters = found.filter(([, p]) => p).map(([, p]) => this.document(p!, this.valueFor(call, p!, input.WithDecryption === true).value));
    const body = JSON.stringify({ InvalidParameters: found.filter(([, p]) => !p).map(([n]) => n), Parameters: parameters });
    return call.succeed({ status: 200, headers: { "Content-Type": JSON_TYPE }, body }, decision);
  }
}
