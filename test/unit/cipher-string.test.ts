/**
 * The cipher-string analysis on the committed OpenSSL tables (test/integration/openssl-ciphers.test.ts
 * proves them equal to the real OpenSSL of each OS), directly and through the platform model.
 */
import { expandCipherString } from "../../lib/tls/cipher-list";
import { analyseCipherString, judgeCipherString } from "../../lib/tls/cipher-string";
import type { OpensslCipherTable, OpensslSuite } from "../../lib/tls/cipher-table";
import { OPENSSL_CIPHER_TABLES } from "../../lib/tls/openssl-cipher-table";
import { INTERMEDIATE, LEGACY_2015, MODERN } from "../../lib/tls/profiles";
import type { PlatformInput } from "../../lib/model/schema";
import { validatePlatform } from "../../lib/validation/validate";
import { exampleInput } from "../support/example";
import { addSecondHost } from "../support/variants";

const BOTH = "OpenSSL 3.5 (debian-13) and OpenSSL 3.0 (debian-12)";
const weakOf = (ciphers: string) => analyseCipherString(ciphers).weak;
const syntaxOf = (ciphers: string) => analyseCipherString(ciphers).syntax;

describe("cipher strings that pass clean on both OSes", () => {
  test.each([
    ["the Mozilla intermediate list", INTERMEDIATE.cipherList],
    ["the modern profile's list", MODERN.cipherList],
    ["an intersection of authenticated key exchange and AEAD", "ECDHE+AESGCM:ECDHE+CHACHA20"],
    ["a broad alias with both exclusions", "HIGH:!aNULL:!eNULL:@STRENGTH"],
    ["HIGH with the anonymous suites removed (HIGH has no null suites)", "HIGH:!aNULL"],
    ["DHE, which excludes anonymous suites", "DHE+AESGCM"],
    ["OpenSSL's DEFAULT", "DEFAULT"],
    ["DEFAULT narrowed", "DEFAULT:!kRSA:+SHA1"],
    ["removals of ciphers OpenSSL 3 no longer builds", "HIGH:!aNULL:!RC4:!MD5:!3DES:!SEED"],
    ["the default security level, written out", "HIGH:!aNULL:@SECLEVEL=2"],
    ["security level 3 (certbot's P-256 key has 128-bit security)", "ECDHE+AESGCM:@SECLEVEL=3"],
    ["ALL without anonymous suites (PSK and SRP suites are inert without keys)", "ALL:!aNULL"],
  ])("accepts %s", (_what, ciphers) => {
    expect(analyseCipherString(ciphers)).toEqual({ syntax: [], weak: [] });
  });

  test("IANA names pass where OpenSSL reads them (3.5, Debian 13)", () => {
    expect(analyseCipherString("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", ["debian-13"])).toEqual({ syntax: [], weak: [] });
  });
});

describe("weak suites: acceptable only with an acknowledgement", () => {
  test.each([
    ["FIPS", /^anonymous \(aNULL\) via "FIPS": ADH-AES256-GCM-SHA384, ADH-AES128-GCM-SHA256, ADH-AES256-SHA256 and 5 more \(add "!aNULL"\)$/],
    ["CBC", /^anonymous \(aNULL\) via "CBC": ADH-AES256-SHA256, .* \(add "!aNULL"\)$/],
    ["HIGH", /^anonymous \(aNULL\) via "HIGH": ADH-AES256-GCM-SHA384, .* and 9 more \(add "!aNULL"\)$/],
    ["ALL:!eNULL", /^anonymous \(aNULL\) via "ALL": /],
    ["ECDHE", /^unencrypted \(eNULL\) via "ECDHE": ECDHE-ECDSA-NULL-SHA, ECDHE-RSA-NULL-SHA \(add "!eNULL"\)$/],
    ["kEECDH+SHA1:!aNULL", /^unencrypted \(eNULL\) via "kEECDH\+SHA1": ECDHE-ECDSA-NULL-SHA, ECDHE-RSA-NULL-SHA \(add "!eNULL"\)$/],
    ["kRSAPSK:ECDHE+AESGCM", /^unencrypted \(eNULL\) via "kRSAPSK": RSA-PSK-NULL-SHA384, RSA-PSK-NULL-SHA256, RSA-PSK-NULL-SHA \(add "!eNULL"\)$/],
  ])("flags %s", (ciphers, message) => {
    const { syntax, weak } = analyseCipherString(ciphers);
    expect(syntax).toEqual([]);
    expect(weak).toHaveLength(1);
    expect(weak[0]).toMatch(message);
  });

  test("TLSv1.0 enables anonymous and unencrypted suites", () => {
    expect(weakOf("TLSv1.0")).toEqual([
      'anonymous (aNULL) via "TLSv1.0": AECDH-AES256-SHA, AECDH-AES128-SHA, AECDH-NULL-SHA (add "!aNULL")',
      'unencrypted (eNULL) via "TLSv1.0": ECDHE-ECDSA-NULL-SHA, ECDHE-RSA-NULL-SHA, AECDH-NULL-SHA and 9 more (add "!eNULL")',
    ]);
  });

  test.each(["PSK", "kPSK", "aPSK", "kECDHEPSK", "kDHEPSK"])(
    "the PSK keyword %s enables unencrypted suites, and nothing the server could negotiate",
    (ciphers) => {
      const { syntax, weak } = analyseCipherString(ciphers);
      expect(weak).toEqual([expect.stringMatching(new RegExp(`^unencrypted \\(eNULL\\) via "${ciphers}": .*PSK-NULL-SHA`))]);
      expect(syntax.join("\n")).toMatch(
        /can be negotiated by OpenSSL .* at security level 2: .*pre-shared key or SRP password the platform does not configure/,
      );
    },
  );

  test("a suite in several weak classes is named in each, with the token that added it", () => {
    expect(weakOf("ECDHE+AESGCM:NULL-MD5:@SECLEVEL=0")).toEqual([
      `"@SECLEVEL=0" switches off OpenSSL's security level (default 2 on ${BOTH}): keys and signatures under 80-bit security (SHA-1, MD5), TLS 1.0/1.1 and every anonymous or unencrypted suite in the list become usable`,
      'MD5 via "NULL-MD5": NULL-MD5 (add "!MD5")',
      'unencrypted (eNULL) via "NULL-MD5": NULL-MD5 (add "!eNULL")',
    ]);
  });

  test("@SECLEVEL=0 needs an acknowledgement, also in the 2015 recipe (its profile needs one anyway)", () => {
    expect(weakOf("HIGH:!aNULL:@SECLEVEL=0")).toEqual([expect.stringMatching(/^"@SECLEVEL=0" switches off OpenSSL's security level/)]);
    expect(analyseCipherString(LEGACY_2015.cipherList)).toEqual({ syntax: [], weak: [expect.stringMatching(/^"@SECLEVEL=0" switches off/)] });
  });

  test("@SECLEVEL=1 lowers the default level 2, so it needs an acknowledgement", () => {
    expect(weakOf("ECDHE+AESGCM:@SECLEVEL=1")).toEqual([
      `"@SECLEVEL=1" lowers OpenSSL's security level from 2 (the default on ${BOTH}) to 1: RSA and DH keys from 1024 bits and EC keys from 160 bits (80-bit security) become acceptable`,
    ]);
  });

  test("only the last security level counts, as in OpenSSL", () => {
    expect(analyseCipherString("@SECLEVEL=0:ECDHE+AESGCM:@SECLEVEL=2")).toEqual({ syntax: [], weak: [] });
    expect(weakOf("@SECLEVEL=2:ECDHE+AESGCM:@SECLEVEL=1")).toHaveLength(1);
  });
});

describe("strings OpenSSL refuses or ignores, and security levels that refuse certbot's key", () => {
  test.each(["SEED", "NOT-A-REAL-CIPHER", "aGOST", "kGOST", "RC4", "3DES", "IDEA", "RC4-SHA", "DES-CBC3-SHA", "EXP-RC4-MD5"])(
    "%s matches no cipher on either OS",
    (token) => {
      expect(analyseCipherString(`ECDHE+AESGCM:${token}`)).toEqual({ syntax: [`"${token}" matches no cipher of ${BOTH}; remove it`], weak: [] });
    },
  );

  test.each(["ECDHEPSK", "DHEPSK", "RSAPSK"])("%s is no OpenSSL keyword (the key-exchange keyword has a k)", (token) => {
    expect(analyseCipherString(`ECDHE+AESGCM:${token}`)).toEqual({ syntax: [`"${token}" matches no cipher of ${BOTH}; did you mean "k${token}"?`], weak: [] });
  });

  test("the message names only the OS whose OpenSSL lacks the cipher", () => {
    expect(syntaxOf("ECDHE+AESGCM:MEDIUM")).toEqual(['"MEDIUM" matches no cipher of OpenSSL 3.0 (debian-12); remove it']);
    expect(analyseCipherString("ECDHE+AESGCM:SEED", ["debian-13"]).syntax).toEqual(['"SEED" matches no cipher of OpenSSL 3.5 (debian-13); remove it']);
  });

  test("a removal of a name OpenSSL does not know is refused too: it removes nothing", () => {
    expect(syntaxOf("HIGH:!aNUL")).toEqual([`"aNUL" matches no cipher of ${BOTH}; did you mean "aNULL"?`]);
    expect(syntaxOf("HIGH:!EXPORT")).toEqual([`"EXPORT" matches no cipher of ${BOTH}; remove it`]);
    expect(syntaxOf("high:!aNULL")).toEqual([`"high" matches no cipher of ${BOTH}; names are case-sensitive: "HIGH"`]);
  });

  test("two strength classes joined by + select nothing (OpenSSL ANDs their masks)", () => {
    expect(syntaxOf("ECDHE+AESGCM:HIGH+FIPS")).toEqual([`"HIGH+FIPS" matches no cipher of ${BOTH}; remove it`]);
    expect(analyseCipherString("FIPS+ECDHE+AESGCM")).toEqual({ syntax: [], weak: [] });
  });

  test.each([4, 5])("@SECLEVEL=%i refuses the ECDSA P-256 certificate certbot issues", (level) => {
    const needs = level === 4 ? "192 bits: EC keys of 384 bits or RSA keys of 7680" : "256 bits: EC keys of 512 bits or RSA keys of 15360";
    expect(analyseCipherString(`ECDHE+AESGCM:@SECLEVEL=${level}`)).toEqual({
      syntax: [
        `"@SECLEVEL=${level}" makes OpenSSL refuse the ECDSA P-256 key certbot issues for the platform's certificates, on ${BOTH} (128-bit security; level ${level} needs ${needs}); use a level up to 3, or leave it out`,
      ],
      weak: [],
    });
  });

  test.each([
    ["ALL:-ALL", `the string selects no TLS 1.2 suite of ${BOTH}; OpenSSL refuses an empty list`],
    ["@STRENGTH", `the string selects no TLS 1.2 suite of ${BOTH}; OpenSSL refuses an empty list`],
    ["!aNULL:HIGH+aNULL", `the string selects no TLS 1.2 suite of ${BOTH}; OpenSSL refuses an empty list`],
    [
      "HIGH:DEFAULT",
      '"DEFAULT" is read only as the whole first token (OpenSSL ignores it elsewhere and cannot join it with "+"); move it to the front or remove it',
    ],
    ["AES128-SHA+ECDHE", '"AES128-SHA+ECDHE" joins a suite name with "+"; OpenSSL would take the suite alone: write it as its own token'],
    [
      "TLS_AES_128_GCM_SHA256:ECDHE+AESGCM",
      '"TLS_AES_128_GCM_SHA256" is a TLS 1.3 suite; TLS 1.3 suites are OpenSSL\'s own and not set by this string; remove it',
    ],
    [
      "ECDHE+AESGCM:TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
      '"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" is an IANA name, not read by OpenSSL 3.0 (debian-12); write "DHE-RSA-AES128-GCM-SHA256"',
    ],
  ])("refuses %j", (ciphers, message) => {
    expect(syntaxOf(ciphers)).toEqual([message]);
  });

  test("SUITEB modes are refused: they restrict more than suites", () => {
    expect(syntaxOf("SUITEB128")).toEqual([expect.stringMatching(/^"SUITEB128" switches OpenSSL to Suite B mode \(RFC 6460\)/)]);
  });

  test("a list of suites no server here can negotiate is refused (at level 2 anonymous suites are out)", () => {
    expect(syntaxOf("aNULL")).toEqual([
      `none of the 13 suites the string selects (ADH-AES256-GCM-SHA384, ADH-AES128-GCM-SHA256, ADH-AES256-SHA256 and 10 more) can be negotiated by ${BOTH} at security level 2: ` +
        "the level refuses them, or they need a pre-shared key or SRP password the platform does not configure; clients without TLS 1.3 could not connect",
    ]);
    expect(syntaxOf("aNULL:@SECLEVEL=0")).toEqual([]);
    expect(syntaxOf("PSK:!eNULL")).toHaveLength(1);
  });

  test.each([
    ["", "the cipher string is empty"],
    ["HIGH::AES", 'token 2 is empty (two ":" in a row, or one at an end); remove the extra ":"'],
    [
      "HIGH AES",
      'found " " between tokens; separate them with ":" only (OpenSSL also reads ",", ";" and blanks, but the value is written as one word into main.cf and dovecot.conf)',
    ],
    [
      "HIGH,AES",
      'found "," between tokens; separate them with ":" only (OpenSSL also reads ",", ";" and blanks, but the value is written as one word into main.cf and dovecot.conf)',
    ],
    [
      "HIGH;AES",
      'found ";" between tokens; separate them with ":" only (OpenSSL also reads ",", ";" and blanks, but the value is written as one word into main.cf and dovecot.conf)',
    ],
    ["HIGH:$foo", 'found "$"; a cipher string has letters, digits and "-", "_", ".", "+", "!", "@", "=", ":" only'],
    ["HIGH:@SECLEVEL=9", '"@SECLEVEL=9" is no security level; OpenSSL\'s levels are @SECLEVEL=0 to @SECLEVEL=5'],
    ["HIGH:@FOO", '"@FOO" is no OpenSSL command; the commands are @STRENGTH and @SECLEVEL=0 to 5'],
    ["!!aNULL", '"!!aNULL" is not a cipher-string token: a name, or names joined by "+", with an optional leading "!", "-" or "+"'],
  ])("fails on the malformed string %j", (ciphers, message) => {
    expect(analyseCipherString(ciphers)).toEqual({ syntax: [message], weak: [] });
  });
});

describe("OpenSSL's list semantics on the measured table", () => {
  const table = OPENSSL_CIPHER_TABLES["debian-13"];
  const expand = (ciphers: string) => expandCipherString(ciphers, table);

  test("explicit suites keep the written order; a keyword appends in OpenSSL's order", () => {
    expect(expand("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384")).toEqual(["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384"]);
    expect(expand("ECDHE-RSA-AES128-GCM-SHA256:ECDHE+AESGCM")).toEqual([
      "ECDHE-RSA-AES128-GCM-SHA256",
      "ECDHE-ECDSA-AES256-GCM-SHA384",
      "ECDHE-RSA-AES256-GCM-SHA384",
      "ECDHE-ECDSA-AES128-GCM-SHA256",
    ]);
  });

  test("+ moves to the end, - removes for now, ! for good", () => {
    expect(expand("ECDHE+AESGCM:+AES128")).toEqual([
      "ECDHE-ECDSA-AES256-GCM-SHA384",
      "ECDHE-RSA-AES256-GCM-SHA384",
      "ECDHE-ECDSA-AES128-GCM-SHA256",
      "ECDHE-RSA-AES128-GCM-SHA256",
    ]);
    expect(expand("ECDHE+AESGCM:-aRSA:ECDHE-RSA-AES128-GCM-SHA256")).toEqual([
      "ECDHE-ECDSA-AES256-GCM-SHA384",
      "ECDHE-ECDSA-AES128-GCM-SHA256",
      "ECDHE-RSA-AES128-GCM-SHA256",
    ]);
    expect(expand("ECDHE+AESGCM:!aRSA:ECDHE-RSA-AES128-GCM-SHA256")).toEqual(["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256"]);
  });

  test("@STRENGTH sorts by key length, keeping the order within one length", () => {
    expect(expand("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:@STRENGTH")).toEqual([
      "ECDHE-ECDSA-CHACHA20-POLY1305",
      "ECDHE-RSA-AES256-GCM-SHA384",
      "ECDHE-RSA-AES128-GCM-SHA256",
    ]);
  });

  test("DEFAULT is ALL:!COMPLEMENTOFDEFAULT:!eNULL, whose ! is for good", () => {
    expect(expand("DEFAULT")).toEqual(expand("ALL:!COMPLEMENTOFDEFAULT:!eNULL"));
    expect(expand("DEFAULT:aNULL")).toEqual(expand("DEFAULT"));
  });
});

describe("weak classes OpenSSL 3 no longer builds are still judged", () => {
  // A table with suites of an OpenSSL built with enable-weak-ssl-ciphers, as an OS could ship again.
  const suite = (name: string, enc: string, mac: string, keywords: string): OpensslSuite => ({
    name,
    iana: `TLS_${name}`,
    protocol: "SSLv3",
    kx: "RSA",
    au: "RSA",
    enc,
    mac,
    strengthRank: 0,
    maxSecurityLevel: 0,
    keywords,
  });
  const table: OpensslCipherTable = {
    ...OPENSSL_CIPHER_TABLES["debian-12"],
    keywords: ["ALL", "RC4", "3DES", "MD5", "SEED", "LOW"],
    suites: [
      suite("DES-CBC3-SHA", "3DES(168)", "SHA1", "ALL 3DES"),
      suite("RC4-MD5", "RC4(128)", "MD5", "ALL RC4 MD5"),
      suite("SEED-SHA", "SEED(128)", "SHA1", "ALL SEED"),
      suite("EXP-DES-CBC-SHA", "DES(40)", "SHA1", "ALL LOW"),
    ],
  };

  test("each class is named with its suites", () => {
    expect(judgeCipherString("ALL:@SECLEVEL=0", [table]).weak).toEqual([
      '"@SECLEVEL=0" switches off OpenSSL\'s security level (default 2 on OpenSSL 3.0 (debian-12)): keys and signatures under 80-bit security (SHA-1, MD5), TLS 1.0/1.1 and every anonymous or unencrypted suite in the list become usable',
      'DES/3DES via "ALL": DES-CBC3-SHA, EXP-DES-CBC-SHA (add "!3DES:!DES")',
      'MD5 via "ALL": RC4-MD5 (add "!MD5")',
      'RC4 via "ALL": RC4-MD5 (add "!RC4")',
      'SEED/IDEA/RC2 via "ALL": SEED-SHA (add "!SEED:!IDEA:!RC2")',
      'export-grade via "ALL": EXP-DES-CBC-SHA (remove them)',
      'low-strength (under 112 bits) via "ALL": EXP-DES-CBC-SHA (add "!LOW")',
    ]);
    expect(judgeCipherString("ALL:!3DES:!RC4:!SEED:!LOW:@SECLEVEL=0", [table]).weak).toHaveLength(1);
  });
});

describe("through the platform model", () => {
  function custom(ciphers: string, change: (input: PlatformInput) => void = () => undefined, weakCipherAcknowledgement?: string) {
    const input = exampleInput();
    input.tls = {
      profile: "custom",
      custom: { minProtocol: "TLSv1.2", ciphers, ...(weakCipherAcknowledgement === undefined ? {} : { weakCipherAcknowledgement }) },
    };
    change(input);
    const result = validatePlatform(input);
    return result.ok ? [] : result.issues.map((i) => ({ path: i.path, message: i.message }));
  }
  const ACK = "A lab instance that tests old clients on purpose.";

  test("the Mozilla list passes; the example's hosts run Debian 13 by default", () => {
    expect(custom(INTERMEDIATE.cipherList)).toEqual([]);
    expect(custom("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")).toEqual([]);
  });

  test.each([
    ["FIPS", 'anonymous (aNULL) via "FIPS"'],
    ["CBC", 'anonymous (aNULL) via "CBC"'],
    ["TLSv1.0", 'unencrypted (eNULL) via "TLSv1.0"'],
    ["ECDHE+AESGCM:@SECLEVEL=0", '"@SECLEVEL=0" switches off'],
  ])("%s needs the acknowledgement", (ciphers, weak) => {
    const [problem, ...rest] = custom(ciphers);
    expect(rest).toEqual([]);
    expect(problem!.path).toBe("tls.custom.ciphers");
    expect(problem!.message).toMatch(
      /^the cipher string can enable weak suites: .*; remove them or set tls.custom.weakCipherAcknowledgement to a written reason$/,
    );
    expect(problem!.message).toContain(weak);
    expect(custom(ciphers, undefined, ACK)).toEqual([]);
  });

  test.each([
    ["SEED", '"SEED" matches no cipher of OpenSSL 3.5 (debian-13); remove it'],
    ["NOT-A-REAL-CIPHER", '"NOT-A-REAL-CIPHER" matches no cipher of OpenSSL 3.5 (debian-13); remove it'],
    ["aGOST", '"aGOST" matches no cipher of OpenSSL 3.5 (debian-13); remove it'],
    ["ECDHEPSK", '"ECDHEPSK" matches no cipher of OpenSSL 3.5 (debian-13); did you mean "kECDHEPSK"?'],
  ])("%s is refused, acknowledged or not", (token, message) => {
    for (const ack of [undefined, ACK]) {
      const problems = custom(`ECDHE+AESGCM:${token}`, undefined, ack);
      expect(problems).toContainEqual({ path: "tls.custom.ciphers", message });
    }
  });

  test("@SECLEVEL=5 is refused with the reason", () => {
    expect(custom("ECDHE+AESGCM:@SECLEVEL=5")).toEqual([
      {
        path: "tls.custom.ciphers",
        message:
          '"@SECLEVEL=5" makes OpenSSL refuse the ECDSA P-256 key certbot issues for the platform\'s certificates, on OpenSSL 3.5 (debian-13) ' +
          "(128-bit security; level 5 needs 256 bits: EC keys of 512 bits or RSA keys of 15360); use a level up to 3, or leave it out",
      },
    ]);
  });

  test("the string is judged by the OpenSSL of every OS the hosts run", () => {
    const iana = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    const refused = {
      path: "tls.custom.ciphers",
      message: `"${iana}" is an IANA name, not read by OpenSSL 3.0 (debian-12); write "ECDHE-ECDSA-AES128-GCM-SHA256"`,
    };
    expect(custom(iana, (i) => (i.os = "debian-12"))).toEqual([refused]);
    expect(
      custom(iana, (i) => {
        addSecondHost(i);
        i.hosts[1]!.os = "debian-12";
      }),
    ).toEqual([refused]);
    expect(custom("ECDHE+AESGCM:MEDIUM", (i) => (i.os = "debian-12"))).toEqual([
      { path: "tls.custom.ciphers", message: '"MEDIUM" matches no cipher of OpenSSL 3.0 (debian-12); remove it' },
    ]);
  });

  test("an acknowledgement without a weak suite is still refused", () => {
    expect(custom("HIGH:!aNULL", undefined, ACK)).toEqual([
      { path: "tls.custom.weakCipherAcknowledgement", message: "no weak suite is enabled; remove the acknowledgement" },
    ]);
  });
});
