/**
 * The model a rehearsal deploys: the user's model with exactly two substitutions, both because
 * the real thing cannot be reached here — the ACME server becomes the local pebble (through the
 * model's own `aws.acmeServer`), and each DKIM public key becomes that of a fresh key pair whose
 * private half the SSM stand-in holds under the model's parameter name (the user's private keys
 * are not here). Everything else, addresses and names included, is deployed as the user wrote it.
 */
import { UserError } from "../errors";
import { generateKeyPairSync } from "crypto";
import type { PlatformInput } from "../model/schema";
import { dkimPublicKey } from "../model/dkim-key";

/** What the rehearsal changed, for its report. */
export interface RehearsalSubstitutions {
  readonly acmeServer: { readonly from: string | undefined; readonly to: string };
  /** SSM parameter name → the test private key (PEM) the SSM stand-in serves. */
  readonly dkimPrivateKeys: ReadonlyMap<string, string>;
}

interface DkimInput {
  publicKey: string;
  privateKeyParameter: string;
}

/** A fresh key pair of the same algorithm as a model's public key: private PEM, public base64 DER SPKI. */
function testKeyPair(modelPublicKey: string): { privatePem: string; publicKey: string } {
  const pair = dkimPublicKey(modelPublicKey).algorithm === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privatePem: pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicKey: pair.publicKey.export({ format: "der", type: "spki" }).toString("base64"),
  };
}

/** The rehearsal's model (a deep copy; the input is not changed). */
export function rehearsalInput(input: PlatformInput, acmeDirectoryUrl: string): { input: PlatformInput; substitutions: RehearsalSubstitutions } {
  const copy = structuredClone(input);
  const privateKeys = new Map<string, string>();
  const publicKeys = new Map<string, string>();
  const substitute = (key: DkimInput | undefined) => {
    if (!key) return;
    if (!publicKeys.has(key.privateKeyParameter)) {
      const pair = testKeyPair(key.publicKey);
      privateKeys.set(key.privateKeyParameter, pair.privatePem);
      publicKeys.set(key.privateKeyParameter, pair.publicKey);
    }
    key.publicKey = publicKeys.get(key.privateKeyParameter)!;
  };
  substitute(copy.dkim as DkimInput | undefined);
  for (const group of copy.groups ?? []) substitute(group.dkim as DkimInput | undefined);
  if (!copy.aws) throw new UserError("the model has no aws section: there is nothing to deploy, so nothing to rehearse", { path: "aws" });
  const from = copy.aws.acmeServer;
  copy.aws.acmeServer = acmeDirectoryUrl;
  return { input: copy, substitutions: { acmeServer: { from, to: acmeDirectoryUrl }, dkimPrivateKeys: privateKeys } };
}
