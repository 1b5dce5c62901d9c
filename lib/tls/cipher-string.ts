/**
 * Checks an OpenSSL cipher string for suites that must not be offered without a written
 * acknowledgement: anonymous (aNULL), unencrypted (eNULL), RC4, MD5, export-grade, DES/3DES
 * and low-strength suites.
 *
 * The check is syntactic, so it runs anywhere without OpenSSL:
 * - a token that names a weak class (`aNULL`, `RC4-SHA`, `DES-CBC3-SHA`, …) is weak;
 * - an alias (`HIGH`, `ECDHE`, `AES`, …) is weak when it expands to anonymous or null suites
 *   and the string does not remove them for good (`!aNULL`, `!eNULL`). Which alias expands to
 *   which is the table below, measured with OpenSSL 3.0 on Debian 12; a test re-measures it
 *   against the installed `openssl` so it cannot drift silently.
 * - `A+B` selects suites in both A and B, so it is weak only when every part is.
 * Explicit suite names (as in the Mozilla lists) pass as they are.
 */

const TOKEN = /^(?:[!+-]?[A-Za-z0-9._-]+(?:\+[A-Za-z0-9._-]+)*|@STRENGTH|@SECLEVEL=[0-5])$/;

/** Tokens that name a weak class outright (also inside suite names such as RC4-MD5). */
const WEAK_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(^|[-+_])(aNULL|ADH|AECDH|COMPLEMENTOFALL|COMPLEMENTOFDEFAULT)($|[-+_])/, "anonymous (aNULL)"],
  [/(^|[-+_])(eNULL|NULL)($|[-+_])/, "unencrypted (eNULL)"],
  [/(^|[-+_])RC4($|[-+_])/, "RC4"],
  [/(^|[-+_])MD5($|[-+_])/, "MD5"],
  [/(^|[-+_])(EXP|EXPORT|EXPORT40|EXPORT56)($|[-+_])/, "export-grade"],
  [/(^|[-+_])(DES|3DES|DES-CBC|DES-CBC3|CBC3)($|[-+_])/, "DES/3DES"],
  [/(^|[-+_])LOW($|[-+_])/, "low-strength"],
];

/** Whether an alias expands to anonymous and/or null-encryption suites (OpenSSL 3.0). */
export interface AliasExpansion {
  readonly anonymous: boolean;
  readonly nullEncryption: boolean;
}

/** The aliases a cipher string may use, and what each pulls in (measured; see the test). */
export const ALIAS_EXPANSIONS: Readonly<Record<string, AliasExpansion>> = {
  ALL: { anonymous: true, nullEncryption: false },
  HIGH: { anonymous: true, nullEncryption: false },
  MEDIUM: { anonymous: false, nullEncryption: false },
  DEFAULT: { anonymous: false, nullEncryption: false },
  SSLv3: { anonymous: true, nullEncryption: true },
  TLSv1: { anonymous: true, nullEncryption: true },
  "TLSv1.2": { anonymous: true, nullEncryption: true },
  kRSA: { anonymous: false, nullEncryption: true },
  aRSA: { anonymous: false, nullEncryption: true },
  RSA: { anonymous: false, nullEncryption: true },
  kEDH: { anonymous: true, nullEncryption: false },
  kDHE: { anonymous: true, nullEncryption: false },
  EDH: { anonymous: false, nullEncryption: false },
  DHE: { anonymous: false, nullEncryption: false },
  DH: { anonymous: true, nullEncryption: false },
  kEECDH: { anonymous: true, nullEncryption: true },
  kECDHE: { anonymous: true, nullEncryption: true },
  EECDH: { anonymous: false, nullEncryption: true },
  ECDHE: { anonymous: false, nullEncryption: true },
  ECDH: { anonymous: true, nullEncryption: true },
  aECDSA: { anonymous: false, nullEncryption: true },
  ECDSA: { anonymous: false, nullEncryption: true },
  AES: { anonymous: true, nullEncryption: false },
  AES128: { anonymous: true, nullEncryption: false },
  AES256: { anonymous: true, nullEncryption: false },
  AESGCM: { anonymous: true, nullEncryption: false },
  AESCCM: { anonymous: false, nullEncryption: false },
  CHACHA20: { anonymous: false, nullEncryption: false },
  CAMELLIA: { anonymous: true, nullEncryption: false },
  CAMELLIA128: { anonymous: true, nullEncryption: false },
  CAMELLIA256: { anonymous: true, nullEncryption: false },
  ARIA: { anonymous: false, nullEncryption: false },
  SHA: { anonymous: true, nullEncryption: true },
  SHA1: { anonymous: true, nullEncryption: true },
  SHA256: { anonymous: true, nullEncryption: true },
  SHA384: { anonymous: false, nullEncryption: true },
  SUITEB128: { anonymous: false, nullEncryption: false },
  SUITEB192: { anonymous: false, nullEncryption: false },
};

/** Problems of a cipher string. */
export interface CipherStringFindings {
  /** Syntax errors: the string cannot be used at all. */
  readonly syntax: string[];
  /** Weak classes the string can enable; acceptable only with a written acknowledgement. */
  readonly weak: string[];
}

/** Analyse an OpenSSL cipher string (colon-separated tokens). */
export function analyseCipherString(cipherString: string): CipherStringFindings {
  const syntax: string[] = [];
  const weak = new Set<string>();
  if (cipherString.length === 0) return { syntax: ["the cipher string is empty"], weak: [] };
  const tokens = cipherString.split(":");
  const removed = new Set(tokens.filter((t) => t.startsWith("!")).map((t) => t.slice(1)));
  const anonymousRemoved = removed.has("aNULL") || (removed.has("ADH") && removed.has("AECDH"));
  const nullRemoved = removed.has("eNULL") || removed.has("NULL");
  for (const token of tokens) {
    if (!TOKEN.test(token)) {
      syntax.push(`"${token}" is not a cipher-string token (letters, digits, '-', '_', '.', '+', with an optional leading !, + or -)`);
      continue;
    }
    if (token.startsWith("!") || token.startsWith("-") || token.startsWith("@")) continue;
    const body = token.startsWith("+") ? token.slice(1) : token;
    for (const [pattern, label] of WEAK_WORDS) {
      if (pattern.test(body)) weak.add(`${label} via "${token}"`);
    }
    const parts = body.split("+");
    const expansions = parts.map((part) => ALIAS_EXPANSIONS[part]);
    // An intersection includes a class only if every part can; a part that is a suite name
    // (not an alias) narrows the selection to that suite.
    if (expansions.every((e) => e?.anonymous) && !anonymousRemoved) weak.add(`anonymous (aNULL) via "${token}" (add "!aNULL")`);
    if (expansions.every((e) => e?.nullEncryption) && !nullRemoved) weak.add(`unencrypted (eNULL) via "${token}" (add "!eNULL")`);
  }
  return { syntax, weak: [...weak].sort() };
}
