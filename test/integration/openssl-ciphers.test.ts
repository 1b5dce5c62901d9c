/**
 * The TLS data is checked against the OpenSSL that Postfix and Dovecot use on each host OS
 * (3.5 on Debian 13, 3.0 on Debian 12): the alias table of the cipher-string analyser is
 * re-measured, and every profile's list expands to strong suites only.
 */
import { ALIAS_EXPANSIONS, analyseCipherString } from "../../lib/tls/cipher-string";
import { INTERMEDIATE, LEGACY_2015, MODERN } from "../../lib/tls/profiles";
import { everyOs, type OsPrograms } from "../support/os-programs";

interface Suite {
  name: string;
  protocol: string;
  auth: string;
  enc: string;
  mac: string;
}

function expand(programs: OsPrograms, cipherString: string): Suite[] {
  const result = programs.run("openssl", ["ciphers", "-v", cipherString]);
  // OpenSSL 3 builds no suite into some aliases (MEDIUM): that is an empty expansion.
  if (result.status !== 0 && /no cipher match/.test(result.stderr)) return [];
  if (result.status !== 0) throw new Error(`openssl rejected ${cipherString}: ${result.stderr}`);
  return result.stdout
    .trim()
    .split("\n")
    .map((line) => {
      const [name, protocol] = line.trim().split(/\s+/);
      const field = (key: string) => new RegExp(`${key}=(\\S+)`).exec(line)?.[1] ?? "";
      return { name: name!, protocol: protocol!, auth: field("Au"), enc: field("Enc"), mac: field("Mac") };
    });
}

const weak = (s: Suite) => s.auth === "None" || s.enc === "None" || /RC4|DES|MD5/.test(s.enc + s.mac + s.name) || /EXP/.test(s.name);

describe.each(everyOs().map((p) => [p.os, p] as const))("%s", (_os, programs) => {
describe("cipher-string analyser against the real OpenSSL", () => {
  test.each(Object.entries(ALIAS_EXPANSIONS))("alias %s expands as the table says", (alias, expected) => {
    const suites = expand(programs, alias);
    expect({ anonymous: suites.some((s) => s.auth === "None"), nullEncryption: suites.some((s) => s.enc === "None") }).toEqual(expected);
  });

  test.each([
    "HIGH:!aNULL",
    "HIGH:!aNULL:!eNULL:@STRENGTH",
    "ECDHE+AESGCM:ECDHE+CHACHA20",
    "DHE+AESGCM:ECDHE+AESGCM",
    "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH",
    "kEECDH+AESGCM:!aNULL",
    "ALL:!aNULL",
  ])("a string the analyser accepts (%s) enables no weak suite", (cipherString) => {
    expect(analyseCipherString(cipherString).weak).toEqual([]);
    expect(expand(programs, cipherString).filter(weak).map((s) => s.name)).toEqual([]);
  });
});

describe("TLS profiles against the real OpenSSL", () => {
  test("Mozilla intermediate names nine TLS 1.2 suites OpenSSL knows, all forward-secret AEAD", () => {
    const tls12 = expand(programs, INTERMEDIATE.cipherList).filter((s) => s.protocol === "TLSv1.2");
    expect(tls12).toHaveLength(9);
    expect(tls12.every((s) => s.mac === "AEAD" && /^(EC)?DHE-/.test(s.name))).toBe(true);
  });

  test.each([INTERMEDIATE, MODERN, LEGACY_2015])("profile $name enables no weak suite", (profile) => {
    expect(expand(programs, profile.cipherList).filter(weak)).toEqual([]);
  });

  test("the 2015 recipe keeps TLS 1.0-capable suites for old clients", () => {
    expect(expand(programs, LEGACY_2015.cipherList).some((s) => s.name === "ECDHE-RSA-AES256-SHA")).toBe(true);
  });
});
});
