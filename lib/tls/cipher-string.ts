/**
 * Judges an OpenSSL cipher string by what the OpenSSL of each host OS makes of it: the string is
 * expanded with OpenSSL's own rules over the measured table of that OS (cipher-list.ts,
 * openssl-cipher-table.ts), and the resulting list decides.
 *
 * Refused (`syntax`): what no OpenSSL reads or the project does not write (separators other
 * than ":", stray characters); a token that selects nothing on an OS, or that OpenSSL would
 * silently ignore there (unknown or misspelt names, ciphers the OS no longer builds such as RC4,
 * SEED or GOST, IANA names on OpenSSL before 3.2, `DEFAULT` after the start); `SUITEB…` modes; a
 * list that ends up empty, or whose suites OpenSSL would not negotiate at the string's security
 * level; and a security level at which OpenSSL refuses the certificate (certbot issues ECDSA
 * P-256 keys, 128-bit security, which levels 4 and 5 refuse).
 *
 * Weak (`weak`, acceptable only with a written acknowledgement), judged on the list as written,
 * not only on what the security level lets through, so that the list says what is meant and
 * stays safe where the level is lowered:
 * - anonymous suites (no authentication: anyone in the path can pose as the server and read
 *   the mail) and unencrypted ones;
 * - MD5 MACs, RC4, DES and 3DES (Sweet32), export-grade and other suites under 112 bits, SEED,
 *   IDEA and RC2: gone from OpenSSL 3 builds today, judged here should an OS bring them back;
 * - a security level below the OS's default (`@SECLEVEL=0` lets everything above through, as
 *   well as keys and signatures under 80-bit security; 1 accepts 1024-bit RSA and DH keys).
 * Not weak: CBC-mode or SHA-1 MAC suites, RSA key exchange (no forward secrecy), CCM8, ARIA,
 * Camellia (old clients need some of them; the named profiles choose); and pre-shared-key and
 * SRP suites, which OpenSSL's own DEFAULT lists and which cannot be negotiated without a key or
 * password the platform never configures (their unencrypted variants are weak as such).
 */
import { HOST_OS, type HostOs } from "../catalogue/host-os";
import { evaluateCipherString, parseCipherString } from "./cipher-list";
import { opensslLabel, SECURITY_LEVEL_BITS, strengthBits, type OpensslCipherTable, type OpensslSuite } from "./cipher-table";
import { OPENSSL_CIPHER_TABLES } from "./openssl-cipher-table";

/** Problems of a cipher string. */
export interface CipherStringFindings {
  /** Errors: the string cannot be used as it is. */
  readonly syntax: string[];
  /** Weak classes the string can enable; acceptable only with a written acknowledgement. */
  readonly weak: string[];
}

/** A class of suites that needs a written acknowledgement. */
interface WeakClass {
  readonly label: string;
  readonly remedy: string;
  readonly test: (suite: OpensslSuite) => boolean;
}

const WEAK_CLASSES: readonly WeakClass[] = [
  { label: "anonymous (aNULL)", remedy: 'add "!aNULL"', test: (s) => s.au === "None" },
  { label: "unencrypted (eNULL)", remedy: 'add "!eNULL"', test: (s) => s.enc.startsWith("None") },
  { label: "MD5", remedy: 'add "!MD5"', test: (s) => s.mac === "MD5" },
  { label: "RC4", remedy: 'add "!RC4"', test: (s) => s.enc.startsWith("RC4") },
  { label: "DES/3DES", remedy: 'add "!3DES:!DES"', test: (s) => /^3?DES\b/.test(s.enc) },
  { label: "export-grade", remedy: "remove them", test: (s) => s.name.startsWith("EXP") },
  { label: "low-strength (under 112 bits)", remedy: 'add "!LOW"', test: (s) => strengthBits(s) > 0 && strengthBits(s) < 112 },
  { label: "SEED/IDEA/RC2", remedy: 'add "!SEED:!IDEA:!RC2"', test: (s) => /^(SEED|IDEA|RC2)/.test(s.enc) },
];

/** The smallest RSA and DH keys each security level accepts (SSL_CTX_set_security_level(3)), for messages. */
const RSA_BITS = [0, 1024, 2048, 3072, 7680, 15360];

/** Messages with `{openssl}` for the OS's OpenSSL, merged across the OSes that share them. */
class PerOs {
  private readonly seen = new Map<string, OpensslCipherTable[]>();

  add(template: string, table: OpensslCipherTable): void {
    const tables = this.seen.get(template) ?? [];
    if (!tables.includes(table)) tables.push(table);
    this.seen.set(template, tables);
  }

  messages(): string[] {
    return [...this.seen].map(([template, tables]) => template.replaceAll("{openssl}", tables.map(opensslLabel).join(" and ")));
  }
}

function sample(names: readonly string[]): string {
  const shown = names.slice(0, 3).join(", ");
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/** Judge a cipher string against the given measured tables (one per OS). */
export function judgeCipherString(cipherString: string, tables: readonly OpensslCipherTable[]): CipherStringFindings {
  const parsed = parseCipherString(cipherString);
  if (parsed.problems.length > 0) return { syntax: [...parsed.problems], weak: [] };
  const syntax = new PerOs();
  const levels = new PerOs();
  const weak = new Map<WeakClass, { tokens: string[]; suites: string[]; tables: OpensslCipherTable[] }>();

  for (const table of tables) {
    const result = evaluateCipherString(parsed, table);
    for (const problem of result.problems) syntax.add(problem, table);
    const level = result.explicitLevel ?? table.defaultSecurityLevel;
    const levelToken = `"@SECLEVEL=${level}"`;
    if (result.problems.length === 0 && result.suites.length === 0) {
      syntax.add("the string selects no TLS 1.2 suite of {openssl}; OpenSSL refuses an empty list", table);
    } else if (result.problems.length === 0 && result.suites.every((s) => s.maxSecurityLevel < level)) {
      syntax.add(
        `none of the ${result.suites.length} suites the string selects (${sample(result.suites.map((s) => s.name))}) can be negotiated by {openssl} at security level ${level}: ` +
          "the level refuses them, or they need a pre-shared key or SRP password the platform does not configure; clients without TLS 1.3 could not connect",
        table,
      );
    }
    const bits = SECURITY_LEVEL_BITS[level]!;
    if (result.explicitLevel !== undefined && table.certbotKeyRefusedAt.includes(level)) {
      syntax.add(
        `${levelToken} makes OpenSSL refuse the ECDSA P-256 key certbot issues for the platform's certificates, on {openssl} ` +
          `(128-bit security; level ${level} needs ${bits} bits: EC keys of ${2 * bits} bits or RSA keys of ${RSA_BITS[level]}); ` +
          `use a level up to ${Math.min(...table.certbotKeyRefusedAt) - 1}, or leave it out`,
        table,
      );
    }
    if (result.explicitLevel !== undefined && level < table.defaultSecurityLevel) {
      levels.add(
        level === 0
          ? `${levelToken} switches off OpenSSL's security level (default ${table.defaultSecurityLevel} on {openssl}): keys and signatures under 80-bit security (SHA-1, MD5), TLS 1.0/1.1 and every anonymous or unencrypted suite in the list become usable`
          : `${levelToken} lowers OpenSSL's security level from ${table.defaultSecurityLevel} (the default on {openssl}) to ${level}: RSA and DH keys from ${RSA_BITS[level]} bits and EC keys from ${2 * bits} bits (${bits}-bit security) become acceptable`,
        table,
      );
    }
    for (const weakClass of WEAK_CLASSES) {
      const suites = result.suites.filter(weakClass.test);
      if (suites.length === 0) continue;
      const found = weak.get(weakClass) ?? { tokens: [], suites: [], tables: [] };
      for (const s of suites) {
        const token = result.addedBy.get(s.name)!;
        if (!found.tokens.includes(token)) found.tokens.push(token);
        if (!found.suites.includes(s.name)) found.suites.push(s.name);
      }
      found.tables.push(table);
      weak.set(weakClass, found);
    }
  }

  const weakMessages = [...weak].map(([weakClass, found]) => {
    const where = found.tables.length < tables.length ? ` on ${found.tables.map(opensslLabel).join(" and ")}` : "";
    return `${weakClass.label} via ${found.tokens.map((t) => `"${t}"`).join(", ")}: ${sample(found.suites)}${where} (${weakClass.remedy})`;
  });
  return { syntax: syntax.messages(), weak: [...weakMessages, ...levels.messages()].sort() };
}

/**
 * Analyse an OpenSSL cipher string (colon-separated tokens) for the OSes the platform's hosts
 * run (default: every supported OS); the string must be right on each.
 */
export function analyseCipherString(cipherString: string, oses: readonly HostOs[] = HOST_OS): CipherStringFindings {
  const chosen = HOST_OS.filter((os) => oses.length === 0 || oses.includes(os));
  return judgeCipherString(
    cipherString,
    chosen.map((os) => OPENSSL_CIPHER_TABLES[os]),
  );
}
