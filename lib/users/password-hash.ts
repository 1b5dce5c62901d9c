/**
 * Mailbox passwords as Dovecot verifies them: the ARGON2ID scheme, which Dovecot on Debian 12
 * (2.3) and 13 (2.4) checks with libsodium. The hash is the PHC string libsodium writes
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) behind Dovecot's scheme prefix.
 */
import { hash, type Algorithm, type Version } from "@node-rs/argon2";
import { UserError } from "../errors";

/** Shortest password accepted, in characters. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest password accepted, in characters (longer input is more likely a file than a password). */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * The Argon2id cost: OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane). Every login
 * costs the host this much memory and time, so it stays at the recommended floor.
 */
export const ARGON2ID_COST = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** The numeric values of @node-rs/argon2's const enums (not importable under isolatedModules). */
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;

/** The scheme prefix Dovecot reads. */
export const DOVECOT_ARGON2ID_PREFIX = "{ARGON2ID}";

const DOVECOT_HASH = /^\{ARGON2ID\}\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

/** Why a password cannot be used, or undefined when it can. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length === 0) return "the password is empty";
  if (length < MIN_PASSWORD_LENGTH) return `the password has ${length} characters; at least ${MIN_PASSWORD_LENGTH} are required`;
  if (length > MAX_PASSWORD_LENGTH) return `the password has ${length} characters; at most ${MAX_PASSWORD_LENGTH} are accepted`;
  // SASL PLAIN separates its fields with NUL, and IMAP/SMTP end commands at CR LF: such a
  // password could never be sent by a mail client.
  if (/[\u0000-\u001f\u007f]/.test(password))
    return "the password contains a control character (such as a tab, NUL or line break); mail clients cannot send it";
  return undefined;
}

/**
 * Dovecot's password string for a password: `{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$…`, with a
 * fresh random salt (so two calls never give the same string).
 * @throws UserError when {@link passwordProblem} finds a problem
 */
export async function dovecotPasswordHash(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem !== undefined) throw new UserError(problem);
  const encoded = await hash(password, { algorithm: ARGON2ID, version: VERSION_0X13, ...ARGON2ID_COST, outputLen: 32 });
  const value = `${DOVECOT_ARGON2ID_PREFIX}${encoded}`;
  // A change of the library's output (salt size, encoding) must not reach the hosts unnoticed.
  if (!DOVECOT_HASH.test(value)) throw new Error(`@node-rs/argon2 produced an unexpected encoding: ${value.replace(/\$[^$]*$/, "$…")}`);
  return value;
}

/** Whether a stored value has the shape of a Dovecot ARGON2ID password string (not whether it verifies). */
export function isDovecotArgon2idHash(value: string): boolean {
  return DOVECOT_HASH.test(value);
}
