/**
 * The TLS data is checked against the OpenSSL that Postfix and Dovecot use on each host OS
 * (3.5 on Debian 13, 3.0 on Debian 12): the committed cipher table is measured again, the
 * analyser's lists equal what `openssl ciphers` lists for the same strings (same suites, same
 * order), and every profile's list expands to strong suites only. The `openssl` calls of one OS
 * run in one shell, so the whole file takes a few seconds.
 */
import { evaluateCipherString, parseCipherString } from "../../lib/tls/cipher-list";
import { analyseCipherString } from "../../lib/tls/cipher-string";
import { OPENSSL_CIPHER_TABLES } from "../../lib/tls/openssl-cipher-table";
import { INTERMEDIATE, LEGACY_2015, MODERN } from "../../lib/tls/profiles";
import { measurementScript, parseMeasurement } from "../../scripts/openssl-cipher-table-source";
import { everyOs, type OsPrograms } from "../support/os-programs";

interface Suite {
  name: string;
  protocol: string;
  auth: string;
  enc: string;
  mac: string;
}

/** Strings whose lists are compared with OpenSSL's: keywords, joins, every operator, ignored words. */
const COMPARED = [
  INTERMEDIATE.cipherList,
  LEGACY_2015.cipherList,
  "HIGH",
  "HIGH:!aNULL",
  "HIGH:!aNULL:!eNULL:@STRENGTH",
  "ALL:COMPLEMENTOFALL:@STRENGTH",
  "ECDHE+AESGCM:ECDHE+CHACHA20",
  "DHE+AESGCM:ECDHE+AESGCM",
  "kEECDH+AESGCM:!aNULL",
  "kEECDH+SHA1:!aNULL",
  "FIPS",
  "FIPS+ECDHE",
  "HIGH+FIPS",
  "CBC:!aNULL",
  "TLSv1.0",
  "SSLv3:+AES128",
  "PSK:!eNULL",
  "MEDIUM:LOW:3DES",
  "DEFAULT",
  "DEFAULT:aNULL",
  "DEFAULT:!kRSA:+SHA1:@STRENGTH",
  "ALL:-ECDHE:ECDHE+AES256",
  "ALL:!ECDHE:ECDHE",
  "AESGCM:-aRSA:+AES128:aRSA+AES256",
  "ECDHE-RSA-AES128-GCM-SHA256:HIGH:-AES256:AES",
  "CAMELLIA:ARIA:CHACHA20:@STRENGTH",
  "aNULL:DEFAULT",
  "HIGH:NOT-A-REAL-CIPHER:!aNUL",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:AES128-SHA",
  "ALL:-ALL",
] as const;

/** Strings with a security level: the suites OpenSSL would negotiate (`openssl ciphers -s`). */
const NEGOTIABLE = ["ALL:COMPLEMENTOFALL", "ALL:COMPLEMENTOFALL:@SECLEVEL=0", "HIGH:@SECLEVEL=3", "ALL:@SECLEVEL=4", "PSK:aNULL:eNULL"] as const;

/** Run `openssl ciphers -v` (and `-s -v`) for many strings in one shell; the lines of each. */
function ciphersOf(programs: OsPrograms, strings: readonly string[], options: string): string[][] {
  const script = 'for s in "$@"; do echo "@@"; openssl ciphers ' + options + ' "$s" 2>/dev/null; done';
  const result = programs.run("sh", ["-c", script, "sh", ...strings]);
  if (result.status !== 0) throw new Error(`openssl ciphers failed: ${result.stderr}`);
  return result.stdout
    .split("@@\n")
    .slice(1)
    .map((block) => block.split("\n").filter((l) => l.trim() !== ""));
}

function suiteOf(line: string): Suite {
  const [name, protocol] = line.trim().split(/\s+/);
  const field = (key: string) => new RegExp(`${key}=(\\S+)`).exec(line)?.[1] ?? "";
  return { name: name!, protocol: protocol!, auth: field("Au"), enc: field("Enc"), mac: field("Mac") };
}

const tls12 = (lines: readonly string[]) => lines.map(suiteOf).filter((s) => s.protocol !== "TLSv1.3");
const weak = (s: Suite) => s.auth === "None" || s.enc === "None" || /RC4|DES|MD5/.test(s.enc + s.mac + s.name) || /EXP/.test(s.name);

describe.each(everyOs().map((p) => [p.os, p] as const))("%s", (os, programs) => {
  const table = OPENSSL_CIPHER_TABLES[os];
  const listOf = (cipherString: string) => evaluateCipherString(parseCipherString(cipherString), table);
  let real: Map<string, Suite[]>;
  let negotiable: Map<string, string[]>;

  beforeAll(() => {
    const strings = [...COMPARED, INTERMEDIATE.cipherList, MODERN.cipherList];
    real = new Map(ciphersOf(programs, strings, "-v").map((lines, i) => [strings[i]!, tls12(lines)]));
    negotiable = new Map(ciphersOf(programs, NEGOTIABLE, "-s -v").map((lines, i) => [NEGOTIABLE[i]!, tls12(lines).map((s) => s.name)]));
  });

  test("the committed cipher table is what this OS's openssl measures", () => {
    const result = programs.run("sh", ["-c", measurementScript()], { timeoutMs: 120_000 });
    expect(result.status).toBe(0);
    // On a difference: npx tsx scripts/openssl-cipher-table.ts, then review the diff.
    expect(parseMeasurement(os, result.stdout)).toEqual(table);
  });

  test.each(COMPARED.map((s) => [s]))("the analyser lists what openssl ciphers lists for %s, in order", (cipherString) => {
    expect(listOf(cipherString).suites.map((s) => s.name)).toEqual(real.get(cipherString)!.map((s) => s.name));
  });

  test.each(NEGOTIABLE.map((s) => [s]))("the suites offered at the string's security level are what openssl ciphers -s lists for %s", (cipherString) => {
    const result = listOf(cipherString);
    const level = result.explicitLevel ?? table.defaultSecurityLevel;
    expect(result.suites.filter((s) => s.maxSecurityLevel >= level).map((s) => s.name)).toEqual(negotiable.get(cipherString));
  });

  test("every string the analyser accepts enables no weak suite in the real OpenSSL", () => {
    const accepted = COMPARED.filter((s) => {
      const findings = analyseCipherString(s, [os]);
      return findings.syntax.length === 0 && findings.weak.length === 0;
    });
    expect(accepted.length).toBeGreaterThan(8);
    for (const s of accepted)
      expect({
        s,
        weak: real
          .get(s)!
          .filter(weak)
          .map((x) => x.name),
      }).toEqual({ s, weak: [] });
  });

  describe("TLS profiles against the real OpenSSL", () => {
    test("Mozilla intermediate names nine TLS 1.2 suites OpenSSL knows, all forward-secret AEAD", () => {
      const suites = real.get(INTERMEDIATE.cipherList)!;
      expect(suites).toHaveLength(9);
      expect(suites.every((s) => s.mac === "AEAD" && /^(EC)?DHE-/.test(s.name))).toBe(true);
    });

    test.each([INTERMEDIATE, MODERN, LEGACY_2015])("profile $name enables no weak suite", (profile) => {
      expect(real.get(profile.cipherList)!.filter(weak)).toEqual([]);
    });

    test("the 2015 recipe keeps TLS 1.0-capable suites for old clients", () => {
      expect(real.get(LEGACY_2015.cipherList)!.some((s) => s.name === "ECDHE-RSA-AES256-SHA")).toBe(true);
    });
  });
});
