/**
 * Recognising a private key where a public one belongs (a DKIM `publicKey`). Node derives the
 * public key from a private PEM without complaint, so without this check the model would accept
 * the private key, publish its public half, and keep the secret in a file that is meant to be
 * committed and shared. No imports beyond crypto: schema.ts reaches this through dkim-key.ts.
 */
import { createPrivateKey } from "crypto";

/** The message for a private key given as a public key. */
export const PRIVATE_KEY_MESSAGE = "this is a private key; publish the public key only (openssl pkey -pubout) — and treat the private key as leaked";

/** What is shown instead of a private key in a report: never any of its characters. */
export const PRIVATE_KEY_NOT_SHOWN = "(a private key, not shown)";

const DER_PRIVATE_FORMATS = [{ type: "pkcs8" as const }, { type: "pkcs1" as const }, { type: "sec1" as const }];

/**
 * Whether a text is a private key: a PEM block of any private key kind (PKCS#8, encrypted PKCS#8,
 * PKCS#1 RSA, SEC1 EC, OpenSSH), or base64 DER that parses as a PKCS#8, PKCS#1 or SEC1 private key.
 */
export function isPrivateKeyText(text: string): boolean {
  const trimmed = text.trim();
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(trimmed)) return true;
  if (trimmed.startsWith("-----BEGIN") || !/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return false;
  const der = Buffer.from(trimmed, "base64");
  return DER_PRIVATE_FORMATS.some(({ type }) => {
    try {
      createPrivateKey({ key: der, format: "der", type });
      return true;
    } catch (error) {
      // An encrypted PKCS#8 key parses far enough to ask for its passphrase.
      return (error as { code?: string }).code === "ERR_MISSING_PASSPHRASE";
    }
  });
}
