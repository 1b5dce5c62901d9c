/**
 * The SSM parameters that hold mailbox password hashes, through the AWS SDK: write one
 * (SecureString, encrypted with the account's `aws/ssm` key), delete one, and list the names under
 * the platform's prefix. Values are never read back: listing does not decrypt.
 * Region and credentials come from the SDK's standard chain (environment, shared config and
 * credentials files, SSO, instance roles), as for the aws command. The SDK is loaded on first use,
 * so that the other commands of the CLI do not pay for loading it.
 */
import type { SSMClient } from "@aws-sdk/client-ssm";
import { explainAwsFailure } from "./aws-failure";

/** Where the hashes are kept. */
export interface PasswordParameterStore {
  /** The AWS region in use (after the SDK's chain resolved it). */
  region(): Promise<string>;
  /**
   * Create or overwrite a SecureString parameter.
   * @returns its new version
   */
  put(name: string, value: string): Promise<number>;
  /** Delete a parameter: `"deleted"`, or `"absent"` when there was none. */
  remove(name: string): Promise<"deleted" | "absent">;
  /** The names of every parameter under a path (recursively), values not read. */
  namesUnder(path: string): Promise<string[]>;
}

/** Options of {@link ssmPasswordStore}. */
export interface SsmPasswordStoreOptions {
  /** The region. @default - the SDK's chain: AWS_REGION, the profile's region */
  readonly region?: string;
}

/** The store on AWS SSM Parameter Store. */
export function ssmPasswordStore(options: SsmPasswordStoreOptions = {}): PasswordParameterStore {
  // The SDK warns on Node 20 that its releases after January 2027 need Node 22; the version
  // pinned here supports Node 20, so the warning would only be noise in every command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let loaded: Promise<{ sdk: typeof import("@aws-sdk/client-ssm"); client: SSMClient }> | undefined;
  const sdk = () =>
    (loaded ??= import("@aws-sdk/client-ssm").then((m) => ({
      sdk: m,
      client: new m.SSMClient(options.region === undefined ? {} : { region: options.region }),
    })));
  const call = async <T>(what: string, send: (s: Awaited<ReturnType<typeof sdk>>) => Promise<T>): Promise<T> => {
    const loadedSdk = await sdk();
    try {
      return await send(loadedSdk);
    } catch (error) {
      throw explainAwsFailure(error, what);
    }
  };
  return {
    region: () => call("the region", ({ client }) => client.config.region()),
    async put(name, value) {
      const out = await call(`ssm:PutParameter on ${name}`, ({ sdk, client }) =>
        client.send(new sdk.PutParameterCommand({ Name: name, Value: value, Type: "SecureString", Overwrite: true })),
      );
      return out.Version ?? 0;
    },
    async remove(name) {
      const { sdk: m, client } = await sdk();
      try {
        await client.send(new m.DeleteParameterCommand({ Name: name }));
        return "deleted";
      } catch (error) {
        if ((error as { name?: string }).name === "ParameterNotFound") return "absent";
        throw explainAwsFailure(error, `ssm:DeleteParameter on ${name}`);
      }
    },
    async namesUnder(path) {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await call(`ssm:GetParametersByPath on ${path}`, ({ sdk, client }) =>
          client.send(new sdk.GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: false, MaxResults: 10, NextToken: token })),
        );
        for (const p of page.Parameters ?? []) if (p.Name !== undefined) names.push(p.Name);
        token = page.NextToken;
      } while (token);
      return names.sort();
    },
  };
}
