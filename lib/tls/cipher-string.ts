/**
 * Checks an OpenSSL cipher string for suites that must not be offered without a written
 * acknowledgement: anonymous (aNULL), unencrypted (eNULL), RC4, MD5, export-grade and DES/3DES.
 *
 * The check is conservative and purely syntactic, so it runs without OpenSSL:
 * - a token that switches on a weak class by name (`aNULL`, `RC4-SHA`, `DES-CBC3-SHA`, …) is weak;
 * - a broad alias (`ALL`, `HIGH`, `DEFAULT`, `kEDH`, `AES`, …) may pull in anonymous or null
 *   suites, so it is accepted only when the string also removes them for good (`!aNULL`, `!eNULL`).
 * Explicit suite names (as in the Mozilla lists) pass without exclusions.
 */

const TOKEN = /^(?:[!+-]?[A-Za-z0-9._-]+(?:\+[A-Za-z0-9._-]+)*|@STRENGTH|@SECLEVEL=[0-5])$/;

/** Weak classes and the words that name them inside a token. */
const WEAK_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(^|[-+_])(aNULL|ADH|AECDH|kDHEPSK|COMPLEMENTOFALL|COMPLEMENTOFDEFAULT)($|[-+_])/, "anonymous (aNULL)"],
  [/(^|[-+_])(eNULL|NULL)($|[-+_])/, "unencrypted (eNULL)"],
  [/(^|[-+_])RC4($|[-+_])/, "RC4"],
  [/(^|[-+_])MD5($|[-+_])/, "MD5"],
  [/(^|[-+_])(EXP|EXPORT|EXPORT40|EXPORT56)($|[-+_])/, "export-grade"],
  [/(^|[-+_])(DES|3DES|DES-CBC|DES-CBC3|CBC3)($|[-+_])/, "DES/3DES"],
  [/(^|[-+_])LOW($|[-+_])/, "low-strength"],
];

/**
 * Aliases that select families of suites rather than single suites. Any of these can
 * include anonymous or null suites unless they are removed with `!`.
 */
const BROAD_ALIAS =
  /^(ALL|HIGH|MEDIUM|DEFAULT|SSLv3|TLSv1(\.2)?|kRSA|aRSA|RSA|kEDH|kDHE|EDH|DHE|DH|kEECDH|kECDHE|EECDH|ECDHE|ECDH|AES|AES128|AES256|AESGCM|AESCCM|CHACHA20|CAMELLIA|CAMELLIA128|CAMELLIA256|ARIA|SHA|SHA1|SHA256|SHA384|SUITEB128|SUITEB192)$/;

/** Problems of a cipher string; empty when it is acceptable without acknowledgement. */
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
  const tokens = cipherString.split(":");
  if (cipherString.length === 0) syntax.push("the cipher string is empty");
  const removed = new Set(
    tokens.filter((t) => t.startsWith("!")).map((t) => t.slice(1)),
  );
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
    const broad = body.split("+").some((part) => BROAD_ALIAS.test(part));
    if (broad) {
      for (const [must, label] of [
        ["aNULL", "anonymous (aNULL)"],
        ["eNULL", "unencrypted (eNULL)"],
      ] as const) {
        if (!removed.has(must)) weak.add(`${label} via "${token}" (add "!${must}" to remove them)`);
      }
    }
  }
  return { syntax, weak: [...weak].sort() };
}
