import { analyseCipherString } from "../../lib/tls/cipher-string";
import { INTERMEDIATE, LEGACY_2015, MODERN } from "../../lib/tls/profiles";

describe("cipher string analysis", () => {
  test.each([
    ["the Mozilla intermediate list", INTERMEDIATE.cipherList],
    ["the modern profile's list", MODERN.cipherList],
    ["the 2015 recipe", LEGACY_2015.cipherList],
    ["an intersection of authenticated key exchange and AEAD", "ECDHE+AESGCM:ECDHE+CHACHA20"],
    ["a broad alias with both exclusions", "HIGH:!aNULL:!eNULL:@STRENGTH"],
    ["HIGH with the anonymous suites removed (HIGH has no null suites)", "HIGH:!aNULL"],
    ["DHE, which excludes anonymous suites", "DHE+AESGCM"],
  ])("accepts %s", (_what, ciphers) => {
    expect(analyseCipherString(ciphers)).toEqual({ syntax: [], weak: [] });
  });

  test.each([
    ["HIGH", ['anonymous (aNULL) via "HIGH" (add "!aNULL")']],
    ["ECDHE", ['unencrypted (eNULL) via "ECDHE" (add "!eNULL")']],
    ["ALL:!eNULL", ['anonymous (aNULL) via "ALL" (add "!aNULL")']],
    ["ECDHE-RSA-AES128-SHA:RC4-SHA", ['RC4 via "RC4-SHA"']],
    ["DES-CBC3-SHA", ['DES/3DES via "DES-CBC3-SHA"']],
    ["aNULL", ['anonymous (aNULL) via "aNULL"']],
    ["EXP-RC4-MD5", ['MD5 via "EXP-RC4-MD5"', 'RC4 via "EXP-RC4-MD5"', 'export-grade via "EXP-RC4-MD5"']],
    ["kEECDH+SHA1:!aNULL", ['unencrypted (eNULL) via "kEECDH+SHA1" (add "!eNULL")']],
  ])("flags %s as weak", (ciphers, weak) => {
    expect(analyseCipherString(ciphers).weak).toEqual([...weak].sort());
  });

  test("an excluded weak class is not flagged, even by name", () => {
    expect(analyseCipherString("HIGH:!aNULL:!RC4:!MD5").weak).toEqual([]);
  });

  test.each(["", "HIGH::AES", "HIGH AES", "HIGH,AES", "HIGH:$foo", "HIGH:@SECLEVEL=9"])("fails on the malformed string %j", (ciphers) => {
    expect(analyseCipherString(ciphers).syntax.length).toBeGreaterThan(0);
  });
});
