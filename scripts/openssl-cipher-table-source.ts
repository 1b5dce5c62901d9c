/**
 * Measures what the `openssl` of each host OS makes of cipher strings, for
 * lib/tls/openssl-cipher-table.ts (`npx tsx scripts/openssl-cipher-table.ts` writes the file;
 * test/integration/openssl-ciphers.test.ts re-measures and compares, so it cannot drift).
 *
 * One shell script per OS runs every `openssl` call (about 120, in parallel; under a second):
 * - `openssl ciphers -stdname -v 'ALL:COMPLEMENTOFALL'`: every suite with its attributes;
 * - `openssl ciphers KEYWORD` for every keyword of openssl-ciphers(1): which suites each selects,
 *   and in which order (a keyword appends its suites in OpenSSL's own order, so the orders of all
 *   keywords together give that order);
 * - `openssl ciphers` with every IANA name: whether they are read (OpenSSL 3.2 and later);
 * - `openssl ciphers -s 'ALL:COMPLEMENTOFALL:@SECLEVEL=n'`: the suites OpenSSL offers at level n;
 * - every suite by name, in one order and in the reverse, then `@STRENGTH`: the strength groups
 *   `@STRENGTH` sorts by (OpenSSL's strength bits, which `-v` does not print: OpenSSL 3.5 counts
 *   CCM8 suites as 64 bits, whatever their key length);
 * - `openssl s_client -cert` with EC keys of 96, 112 and 128 bits of security (prime192v1,
 *   secp224r1, prime256v1) at the default level, and with the P-256 key (certbot's default) at
 *   every level: whether OpenSSL refuses to load the key ("ee key too small"). That tells the
 *   default level apart where the suites cannot (1 and 2 offer the same), and which levels
 *   refuse certbot's key. s_client loads its certificate before it connects, and 127.0.0.1:1
 *   refuses at once.
 */
import { SECURITY_LEVEL_BITS, type OpensslCipherTable, type OpensslSuite } from "../lib/tls/cipher-table";
import type { HostOs } from "../lib/catalogue/host-os";

/** Path of the generated file, relative to the package root. */
export const CIPHER_TABLE_PATH = "lib/tls/openssl-cipher-table.ts";

/**
 * Every keyword openssl-ciphers(1) documents on Debian 12 or 13 (OpenSSL 3.0, 3.5), and the ones
 * the 3.0 page lists as removed in 1.1.0 (kDHr, kDHd, kDH, aDH): recipes still carry them. A scan
 * of every identifier in both libssl builds found no other keyword. `DEFAULT` (read only at the
 * start) and the `SUITEB…` modes are not selections and are handled by the analyser.
 */
export const KEYWORDS: readonly string[] = [
  "ALL",
  "COMPLEMENTOFALL",
  "COMPLEMENTOFDEFAULT",
  "HIGH",
  "MEDIUM",
  "LOW",
  "FIPS",
  "eNULL",
  "NULL",
  "aNULL",
  "kRSA",
  "aRSA",
  "RSA",
  "kDHE",
  "kEDH",
  "DH",
  "DHE",
  "EDH",
  "ADH",
  "kEECDH",
  "kECDHE",
  "ECDH",
  "ECDHE",
  "EECDH",
  "AECDH",
  "aDSS",
  "DSS",
  "aECDSA",
  "ECDSA",
  "kDHr",
  "kDHd",
  "kDH",
  "aDH",
  "TLSv1.2",
  "TLSv1.0",
  "TLSv1",
  "SSLv3",
  "AES128",
  "AES256",
  "AES",
  "AESGCM",
  "AESCCM",
  "AESCCM8",
  "ARIA128",
  "ARIA256",
  "ARIA",
  "ARIAGCM",
  "CAMELLIA128",
  "CAMELLIA256",
  "CAMELLIA",
  "CHACHA20",
  "3DES",
  "DES",
  "RC4",
  "RC2",
  "IDEA",
  "SEED",
  "CBC",
  "MD5",
  "SHA1",
  "SHA",
  "SHA256",
  "SHA384",
  "aGOST",
  "aGOST01",
  "aGOST12",
  "kGOST",
  "kGOST18",
  "GOST94",
  "GOST12",
  "GOST89MAC",
  "GOST89MAC12",
  "GOST89",
  "PSK",
  "kPSK",
  "kECDHEPSK",
  "kDHEPSK",
  "kRSAPSK",
  "aPSK",
  "kSRP",
  "SRP",
  "aSRP",
];

/** What OpenSSL documents `DEFAULT` to be; the measurement checks it. */
const DEFAULT_RULE = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";
/** EC curves and their bits of security (half the key size). */
const KEY_CURVES = ["prime192v1", "secp224r1", "prime256v1"] as const;
const CURVE_BITS: Readonly<Record<(typeof KEY_CURVES)[number], number>> = { prime192v1: 96, secp224r1: 112, prime256v1: 128 };
const CERTBOT_CURVE = "prime256v1";
const LEVELS = [0, 1, 2, 3, 4, 5] as const;

/** The shell script that measures one OS's OpenSSL (POSIX sh; prints `@tag …` lines). */
export function measurementScript(): string {
  const quoted = (words: readonly string[]) => words.map((w) => `'${w}'`).join(" ");
  return `
set -u
d=$(mktemp -d)
ciphers() { openssl ciphers "$@" 2>/dev/null | tr -d '\\n'; }
# Every call in the background, one output file each: about two seconds instead of six.
n=0
job() { n=$((n + 1)); "$@" >"$d/out.$n" & }
echo "@version $(openssl version)"
openssl ciphers -stdname -v 'ALL:COMPLEMENTOFALL' | sed 's/^/@suite /'
for k in ${quoted(KEYWORDS)}; do job eval 'echo "@keyword $k $(ciphers "$k")"'; done
# Either every IANA name is read (3.2 and later) or none: one call with all of them.
iana=$(openssl ciphers -stdname -v 'ALL:COMPLEMENTOFALL' | awk '$4 != "TLSv1.3" {print $1}' | paste -sd: -)
job eval 'echo "@iana $(ciphers "$iana")"'
for l in ${LEVELS.join(" ")}; do job eval 'echo "@level $l $(ciphers -s "ALL:COMPLEMENTOFALL:@SECLEVEL=$l")"'; done
job eval 'echo "@level default $(ciphers -s ALL:COMPLEMENTOFALL)"'
job eval 'echo "@default $(ciphers DEFAULT)"'
# @STRENGTH is a stable sort: suites of equal strength swap places when the input is reversed.
names=$(openssl ciphers -v 'ALL:COMPLEMENTOFALL' | awk '$2 != "TLSv1.3" {print $1}')
forward=$(echo "$names" | paste -sd: -)
reverse=$(echo "$names" | tac | paste -sd: -)
job eval 'echo "@strength-forward $(ciphers "$forward:@STRENGTH")"'
job eval 'echo "@strength-reverse $(ciphers "$reverse:@STRENGTH")"'
job eval 'echo "@default-rule $(ciphers "${DEFAULT_RULE}")"'
load() {
  if [ "$2" = default ]; then cipher=DEFAULT; else cipher="DEFAULT:@SECLEVEL=$2"; fi
  out=$(openssl s_client -cert "$d/$1.pem" -key "$d/$1.key" -cipher "$cipher" -connect 127.0.0.1:1 </dev/null 2>&1)
  case "$out" in
    *"ee key too small"*) echo "@key $1 $2 refused" ;;
    *"errno=111"*|*"Connection refused"*) echo "@key $1 $2 loaded" ;;
    *) echo "@key $1 $2 unclear: $(echo "$out" | tr '\\n' ' ' | cut -c1-300)" ;;
  esac
}
for c in ${KEY_CURVES.join(" ")}; do
  openssl req -x509 -newkey ec -pkeyopt "ec_paramgen_curve:$c" -nodes -subj /CN=key-level -days 1 -keyout "$d/$c.key" -out "$d/$c.pem" 2>/dev/null
  job load "$c" default
done
for l in ${LEVELS.join(" ")}; do job load ${CERTBOT_CURVE} "$l"; done
wait
cat "$d"/out.*
rm -rf "$d"
`;
}

/** A suite as `-stdname -v` prints it: `IANA - NAME PROTOCOL Kx=… Au=… Enc=… Mac=…`. */
function parseSuiteLine(line: string): Omit<OpensslSuite, "strengthRank" | "maxSecurityLevel" | "keywords"> {
  const [iana, , name, protocol] = line.trim().split(/\s+/);
  const field = (key: string) => {
    const value = new RegExp(`\\b${key}=(\\S+)`).exec(line)?.[1];
    if (value === undefined) throw new Error(`no ${key}= in ${JSON.stringify(line)}`);
    return value;
  };
  if (protocol !== "SSLv3" && protocol !== "TLSv1" && protocol !== "TLSv1.2") throw new Error(`unexpected protocol in ${JSON.stringify(line)}`);
  return { name: name!, iana: iana!, protocol, kx: field("Kx"), au: field("Au"), enc: field("Enc"), mac: field("Mac") };
}

/**
 * OpenSSL's own order of the suites: a linear extension of every keyword's order (each is that
 * order restricted to the keyword's suites), ties broken by the order of `ALL:COMPLEMENTOFALL`.
 * Two suites that no keyword selects together never meet in one step, so their order is moot.
 */
function opensslOrder(names: readonly string[], orders: ReadonlyArray<readonly string[]>): string[] {
  const rank = new Map(names.map((n, i) => [n, i]));
  const after = new Map(names.map((n) => [n, new Set<string>()]));
  const before = new Map(names.map((n) => [n, 0]));
  for (const order of orders) {
    for (let i = 1; i < order.length; i++) {
      const [a, b] = [order[i - 1]!, order[i]!];
      if (!after.get(a)!.has(b)) {
        after.get(a)!.add(b);
        before.set(b, before.get(b)! + 1);
      }
    }
  }
  const result: string[] = [];
  const ready = names.filter((n) => before.get(n) === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const next = ready.shift()!;
    result.push(next);
    for (const b of after.get(next)!) {
      before.set(b, before.get(b)! - 1);
      if (before.get(b) === 0) ready.push(b);
    }
  }
  if (result.length !== names.length) throw new Error("the keywords' orders contradict each other: no single OpenSSL order");
  return result;
}

/** Turn one OS's measurement output into its table. */
export function parseMeasurement(os: HostOs, output: string): OpensslCipherTable {
  const lines = output.split("\n");
  const tagged = (tag: string) => lines.filter((l) => l.startsWith(`@${tag} `)).map((l) => l.slice(tag.length + 2));
  const version = /^OpenSSL (\d+\.\d+)\./.exec(tagged("version")[0] ?? "")?.[1];
  if (version === undefined) throw new Error(`${os}: no OpenSSL version in the measurement:\n${output.slice(0, 2000)}`);
  const all = tagged("suite");
  const tls13 = all.filter((l) => l.split(/\s+/)[3] === "TLSv1.3").map((l) => l.split(/\s+/)[2]!);
  const parsed = all.filter((l) => l.split(/\s+/)[3] !== "TLSv1.3").map(parseSuiteLine);
  const known = new Set(parsed.map((s) => s.name));
  // A list as `openssl ciphers` prints it, without the TLS 1.3 suites it always adds.
  const list = (text: string) => text.split(":").filter((n) => n !== "" && !tls13.includes(n));
  const byKey = (tag: string) => new Map(tagged(tag).map((l) => [l.split(" ")[0]!, list(l.slice(l.indexOf(" ") + 1))] as const));

  const keywordLists = byKey("keyword");
  for (const k of KEYWORDS) if (!keywordLists.has(k)) throw new Error(`${os}: keyword ${k} was not measured`);
  for (const [k, names] of keywordLists)
    for (const n of names) if (!known.has(n)) throw new Error(`${os}: ${k} selects ${n}, which ALL:COMPLEMENTOFALL does not list`);

  const ianaList = list(tagged("iana")[0] ?? "");
  if (ianaList.length !== 0 && ianaList.length !== parsed.length) throw new Error(`${os}: OpenSSL reads some IANA names and not others`);

  const levels = byKey("level");
  const levelSets = LEVELS.map((l) => new Set(levels.get(String(l)) ?? []));
  const maxLevel = (name: string) => LEVELS.filter((l) => levelSets[l]!.has(name)).reduce((m, l) => Math.max(m, l), -1);

  const keys = new Map(
    tagged("key").map((l) => {
      const [curve, level, ...result] = l.split(" ");
      const verdict = result.join(" ");
      if (verdict !== "refused" && verdict !== "loaded") throw new Error(`${os}: loading a ${curve} key at level ${level}: ${verdict}`);
      return [`${curve} ${level}`, verdict] as const;
    }),
  );
  // A key loads at a level when its bits reach the level's minimum (SSL_CTX_set_security_level(3)).
  const expectedKeys = (level: number) => KEY_CURVES.map((c) => (CURVE_BITS[c] >= SECURITY_LEVEL_BITS[level]! ? "loaded" : "refused")).join(" ");
  const defaultKeys = KEY_CURVES.map((c) => keys.get(`${c} default`)).join(" ");
  const defaultSet = [...new Set(levels.get("default"))].sort().join(":");
  const defaults = LEVELS.filter((l) => [...levelSets[l]!].sort().join(":") === defaultSet && expectedKeys(l) === defaultKeys);
  if (defaults.length !== 1) throw new Error(`${os}: the default security level is not one of 0-5 (candidates: ${defaults.join(", ") || "none"})`);

  // Strength groups, strongest first: neighbours in the forward sort whose order the reverse
  // sort keeps have different strengths.
  const forward = list(tagged("strength-forward")[0] ?? "");
  const reversePosition = new Map(list(tagged("strength-reverse")[0] ?? "").map((n, i) => [n, i]));
  if (forward.length !== parsed.length || reversePosition.size !== parsed.length) throw new Error(`${os}: @STRENGTH did not sort every suite`);
  const strengthRank = new Map<string, number>();
  forward.forEach((name, i) => {
    const previous = forward[i - 1];
    const rank = previous === undefined ? 0 : strengthRank.get(previous)! + (reversePosition.get(previous)! > reversePosition.get(name)! ? 0 : 1);
    strengthRank.set(name, rank);
  });

  const defaultList = list(tagged("default")[0] ?? "");
  if (defaultList.join(":") !== list(tagged("default-rule")[0] ?? "").join(":")) throw new Error(`${os}: DEFAULT is not ${DEFAULT_RULE}`);

  const order = opensslOrder(
    parsed.map((s) => s.name),
    [...keywordLists.values(), defaultList],
  );
  const membership = (name: string) => KEYWORDS.filter((k) => keywordLists.get(k)!.includes(name)).join(" ");
  const suites = order.map((name) => {
    const suite = parsed.find((s) => s.name === name)!;
    return { ...suite, strengthRank: strengthRank.get(name)!, maxSecurityLevel: maxLevel(name), keywords: membership(name) };
  });
  return {
    os,
    openssl: version,
    defaultSecurityLevel: defaults[0]!,
    ianaNames: ianaList.length === parsed.length,
    defaultRule: DEFAULT_RULE,
    certbotKeyRefusedAt: LEVELS.filter((l) => keys.get(`${CERTBOT_CURVE} ${l}`) === "refused"),
    keywords: KEYWORDS,
    tls13,
    suites,
  };
}

/** The text of lib/tls/openssl-cipher-table.ts. */
export function cipherTableText(tables: readonly OpensslCipherTable[]): string {
  const array = (items: ReadonlyArray<string | number>) => `[${items.map((i) => JSON.stringify(i)).join(", ")}]`;
  const keywordLines = KEYWORDS.map((k) => JSON.stringify(k))
    .join(", ")
    .replace(/(.{1,96})(, |$)/g, "  $1,\n")
    .replace(/,\n$/, ",\n");
  const table = (t: OpensslCipherTable) => `  ${JSON.stringify(t.os)}: {
    os: ${JSON.stringify(t.os)},
    openssl: ${JSON.stringify(t.openssl)},
    defaultSecurityLevel: ${t.defaultSecurityLevel},
    ianaNames: ${t.ianaNames},
    defaultRule: ${JSON.stringify(t.defaultRule)},
    certbotKeyRefusedAt: ${array(t.certbotKeyRefusedAt)},
    keywords: KEYWORDS,
    tls13: ${array(t.tls13)},
    suites: [
${t.suites
  .map(
    (s) =>
      `      { ${Object.entries(s)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join(", ")} },`,
  )
  .join("\n")}
    ],
  },`;
  return `/**
 * What the OpenSSL of each host OS makes of cipher strings: every TLS ≤ 1.2 suite in OpenSSL's
 * own order, with its attributes, the keywords that select it and the highest security level
 * that offers it.
 *
 * GENERATED by \`npx tsx scripts/openssl-cipher-table.ts\` from the real \`openssl\` of each OS
 * (scripts/openssl-cipher-table-source.ts); test/integration/openssl-ciphers.test.ts
 * re-measures it. Do not edit: regenerate.
 */
import type { HostOs } from "../catalogue/host-os";
import type { OpensslCipherTable } from "./cipher-table";

const KEYWORDS: readonly string[] = [
${keywordLines}];

/** The measured table of each host OS. */
export const OPENSSL_CIPHER_TABLES: Readonly<Record<HostOs, OpensslCipherTable>> = {
${tables.map(table).join("\n")}
};
`;
}
