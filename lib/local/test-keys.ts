/**
 * DKIM keys for a local instance: a fresh key pair per signing key of the model (RSA 2048, or
 * Ed25519 when the model's key is Ed25519). The private keys go where OpenDKIM reads them; the
 * public keys replace the model's in the test spec, so the instance's DNS publishes them.
 */
import { execFileSync } from "child_process";
import { chownSync, mkdirSync, writeFileSync } from "fs";
import { dkimPublicKey } from "../model/dkim-key";
import type { PlatformSpec } from "../model/schema";
import { plan } from "../plan/plan";
import type { HostPaths } from "../render/host-paths";
import { dkimKeyFiles } from "../render/opendkim/opendkim";

/** Generate and install test keys; returns private-key parameter → public key (base64 SPKI). */
export function installTestDkimKeys(spec: PlatformSpec, paths: HostPaths, owner: { uid: number; gid: number }): Map<string, string> {
  const publicKeys = new Map<string, string>();
  const planned = plan(spec);
  const files = dkimKeyFiles(planned, paths);
  if (files.size === 0) return publicKeys;
  mkdirSync(`${paths.opendkimDir}/keys`, { recursive: true, mode: 0o700 });
  chownSync(`${paths.opendkimDir}/keys`, owner.uid, owner.gid);
  for (const key of planned.dkim.groupKeys.values()) {
    if (publicKeys.has(key.privateKeyParameter)) continue;
    const ed25519 = dkimPublicKey(key.publicKey).algorithm === "ed25519";
    const privatePem = execFileSync(
      "openssl",
      ed25519 ? ["genpkey", "-algorithm", "ED25519"] : ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    const publicDer = execFileSync("openssl", ["pkey", "-pubout", "-outform", "DER"], { input: privatePem, stdio: ["pipe", "pipe", "ignore"] });
    const file = files.get(key.privateKeyParameter)!;
    writeFileSync(file, privatePem, { mode: 0o600 });
    chownSync(file, owner.uid, owner.gid);
    publicKeys.set(key.privateKeyParameter, publicDer.toString("base64"));
  }
  return publicKeys;
}
