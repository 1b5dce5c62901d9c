/**
 * DKIM public keys as the model accepts them: base64 DER SubjectPublicKeyInfo (what
 * `openssl pkey -pubout -outform DER | base64 -w0` prints) or PEM. RSA of at least 2048 bits
 * (RFC 8301) or Ed25519 (RFC 8463).
 */
import { createPublicKey, type KeyObject } from "crypto";
import { isPrivateKeyText, PRIVATE_KEY_MESSAGE } from "./private-key";
import { memoizedByText } from "./memo";

/** A parsed DKIM public key. */
export interface DkimPublicKey {
  /** `rsa` or `ed25519` (the `k=` tag). */
  readonly algorithm: "rsa" | "ed25519";
  /** The `p=` tag: base64 SPKI for RSA, base64 of the raw 32-byte key for Ed25519 (RFC 8463). */
  readonly p: string;
}

function parse(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith("-----BEGIN")) return createPublicKey(trimmed);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new Error("not base64");
  return createPublicKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "spki" });
}

/** Why a DKIM public key is unusable, or undefined when it is good (remembered per text: OpenSSL parses are costly). */
export const dkimKeyProblem: (text: string) => string | undefined = memoizedByText(keyProblem);

function keyProblem(text: string): string | undefined {
  if (isPrivateKeyText(text)) return PRIVATE_KEY_MESSAGE;
  let key: KeyObject;
  try {
    key = parse(text);
  } catch {
    return "expected a public key: base64 DER SubjectPublicKeyInfo or PEM (openssl pkey -pubout)";
  }
  if (key.asymmetricKeyType === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits >= 2048 ? undefined : `RSA keys need at least 2048 bits (RFC 8301); this one has ${bits}`;
  }
  if (key.asymmetricKeyType === "ed25519") return undefined;
  return `expected an RSA (≥ 2048 bits) or Ed25519 key, got ${key.asymmetricKeyType ?? "an unknown key type"}`;
}

/** Parse a key the model has validated. */
export function dkimPublicKey(text: string): DkimPublicKey {
  const key = parse(text);
  if (key.asymmetricKeyType === "ed25519") {
    const jwk = key.export({ format: "jwk" });
    return { algorithm: "ed25519", p: Buffer.from(String(jwk.x), "base64url").toString("base64") };
  }
  return { algorithm: "rsa", p: key.export({ format: "der", type: "spki" }).toString("base64") };
}

/**
 * TXT values by key text: a platform publishes one key (or a few) for thousands of domains, and
 * parsing a key costs far more than a lookup.
 */
const txtValues = new Map<string, string>();

/** The DKIM TXT value of a key. */
export function dkimTxtValue(text: string): string {
  let value = txtValues.get(text);
  if (value === undefined) {
    const key = dkimPublicKey(text);
    value = `v=DKIM1; k=${key.algorithm}; p=${key.p}`;
    txtValues.set(text, value);
  }
  return value;
}
