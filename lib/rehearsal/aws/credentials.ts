/**
 * The temporary credentials EC2 hands an instance for its role (through IMDS), made up per world:
 * random, with the shapes of the real ones (`ASIA…` key id, 40-character secret, session token),
 * so that only a client that fetched them from the IMDS stand-in can sign a request the endpoint
 * stand-ins accept.
 */
import { randomBytes } from "crypto";
import type { KnownCredentials } from "./sigv4";

/** Credentials of the instance's role session. */
export interface RoleCredentials extends KnownCredentials {
  readonly sessionToken: string;
  readonly issuedAt: Date;
}

/** EC2 delivers role credentials valid for about six hours and refreshes them before expiry. */
const LIFETIME_MS = 6 * 60 * 60 * 1000;

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Fresh credentials issued at `now`. */
export function issueRoleCredentials(now: Date): RoleCredentials {
  return {
    accessKeyId: `ASIA${[...randomBytes(16)].map((b) => BASE32[b % 32]).join("")}`,
    secretAccessKey: randomBytes(30).toString("base64"),
    // Real session tokens are long opaque base64 blobs; clients only pass them through.
    sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(240).toString("base64")}`,
    issuedAt: now,
    expiration: new Date(now.getTime() + LIFETIME_MS),
  };
}
