/**
 * OpenSSL's cipher-list semantics (openssl-ciphers(1), ssl/ssl_ciph.c) over a measured table:
 * which TLS ≤ 1.2 suites, in which order, a cipher string gives on one OS, as
 * `SSL_CTX_set_cipher_list` would build them.
 *
 * - A token without prefix appends the suites it selects that are not yet in the list (in
 *   OpenSSL's own order); `+TOKEN` moves those it selects to the end; `-TOKEN` removes them
 *   (a later token can add them back, and they come back first); `!TOKEN` removes them for good.
 * - `A+B` selects the suites both select. OpenSSL ANDs bit masks per attribute, which is the
 *   same except for the strength classes (HIGH, MEDIUM, LOW, FIPS): two different ones select
 *   nothing, although FIPS suites are also HIGH.
 * - `@STRENGTH` sorts the list by encryption strength (stable); `@SECLEVEL=n` sets the security
 *   level, the last one wins.
 * - `DEFAULT` is read only as the first token and stands for the table's default rule.
 *
 * Stricter than OpenSSL, on purpose: where OpenSSL silently ignores a token (an unknown or
 * misspelt name, a removed cipher, `DEFAULT` elsewhere) the token is reported, because the
 * string then does not do what it says. Only `:` separates tokens (OpenSSL also reads `,`, `;`
 * and blanks): the value is written as one word into main.cf and dovecot.conf.
 */
import { opensslLabel, type OpensslCipherTable, type OpensslSuite } from "./cipher-table";

/** A token that selects suites. */
export interface SelectRule {
  readonly kind: "select";
  /** add: no prefix; order: `+`; delete: `-`; kill: `!`. */
  readonly op: "add" | "order" | "delete" | "kill";
  /** The words joined by `+`. */
  readonly words: readonly string[];
  /** The token as written. */
  readonly text: string;
}

/** A token of a cipher string. */
export type CipherRule =
  SelectRule | { readonly kind: "strength"; readonly text: string } | { readonly kind: "level"; readonly level: number; readonly text: string };

/** A cipher string split into rules, with what no OS could read. */
export interface ParsedCipherString {
  readonly rules: readonly CipherRule[];
  readonly problems: readonly string[];
}

const WORD = "[A-Za-z0-9._-]+";
const SELECT = new RegExp(`^([!+-]?)(${WORD}(?:\\+${WORD})*)$`);
const OTHER_SEPARATOR = /[,; \t\r\n]/;
const ALLOWED = /^[A-Za-z0-9._+!@=:-]*$/;

/** Split a cipher string into rules; syntax that no OpenSSL reads (or this project refuses) is a problem. */
export function parseCipherString(cipherString: string): ParsedCipherString {
  if (cipherString.length === 0) return { rules: [], problems: ["the cipher string is empty"] };
  const separator = OTHER_SEPARATOR.exec(cipherString)?.[0];
  if (separator !== undefined) {
    return {
      rules: [],
      problems: [
        `found ${JSON.stringify(separator)} between tokens; separate them with ":" only (OpenSSL also reads ",", ";" and blanks, but the value is written as one word into main.cf and dovecot.conf)`,
      ],
    };
  }
  if (!ALLOWED.test(cipherString)) {
    const bad = [...new Set([...cipherString].filter((c) => !ALLOWED.test(c)))].map((c) => JSON.stringify(c)).join(", ");
    return { rules: [], problems: [`found ${bad}; a cipher string has letters, digits and "-", "_", ".", "+", "!", "@", "=", ":" only`] };
  }
  const rules: CipherRule[] = [];
  const problems: string[] = [];
  cipherString.split(":").forEach((token, i) => {
    if (token === "") {
      problems.push(`token ${i + 1} is empty (two ":" in a row, or one at an end); remove the extra ":"`);
      return;
    }
    const select = SELECT.exec(token);
    if (select !== null) {
      const op = ({ "": "add", "+": "order", "-": "delete", "!": "kill" } as const)[select[1] as "" | "+" | "-" | "!"];
      rules.push({ kind: "select", op, words: select[2]!.split("+"), text: token });
    } else if (token === "@STRENGTH") {
      rules.push({ kind: "strength", text: token });
    } else if (/^@SECLEVEL=\d$/.test(token) && Number(token.slice(-1)) <= 5) {
      rules.push({ kind: "level", level: Number(token.slice(-1)), text: token });
    } else if (token.startsWith("@SECLEVEL=")) {
      problems.push(`"${token}" is no security level; OpenSSL's levels are @SECLEVEL=0 to @SECLEVEL=5`);
    } else if (token.startsWith("@")) {
      problems.push(`"${token}" is no OpenSSL command; the commands are @STRENGTH and @SECLEVEL=0 to 5`);
    } else {
      problems.push(`"${token}" is not a cipher-string token: a name, or names joined by "+", with an optional leading "!", "-" or "+"`);
    }
  });
  return { rules, problems };
}

/** The list a cipher string gives on one OS. */
export interface CipherListResult {
  /** The suites in the order OpenSSL offers them. */
  readonly suites: readonly OpensslSuite[];
  /** For each suite in the list, the token that put it there. */
  readonly addedBy: ReadonlyMap<string, string>;
  /** The last `@SECLEVEL` of the string, if any. */
  readonly explicitLevel: number | undefined;
  /** Tokens OpenSSL would ignore or that select nothing; `{openssl}` stands for the OS's OpenSSL. */
  readonly problems: readonly string[];
}

/** The strength classes: OpenSSL ANDs their masks, so two different ones select nothing. */
const STRENGTH_CLASSES = new Set(["HIGH", "MEDIUM", "LOW", "FIPS"]);

/** Whether two words differ by one inserted, deleted or replaced character (a likely typo). */
function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const rest = (x: string, skip: number) => x.slice(i + skip);
  return rest(a, 1) === rest(b, 1) || rest(a, 1) === rest(b, 0) || rest(a, 0) === rest(b, 1);
}

/** What one word selects on this OS, or why it selects nothing. */
function resolveWord(word: string, table: OpensslCipherTable): { suites: Set<string>; named: boolean } | { problem: string } {
  if (table.keywords.includes(word))
    return { suites: new Set(table.suites.filter((s) => s.keywords.split(" ").includes(word)).map((s) => s.name)), named: false };
  const byName = table.suites.find((s) => s.name === word);
  if (byName !== undefined) return { suites: new Set([byName.name]), named: true };
  const byIana = table.suites.find((s) => s.iana === word);
  if (byIana !== undefined) {
    if (table.ianaNames) return { suites: new Set([byIana.name]), named: true };
    return { problem: `"${word}" is an IANA name, not read by {openssl}; write "${byIana.name}"` };
  }
  if (table.tls13.includes(word)) return { problem: `"${word}" is a TLS 1.3 suite; TLS 1.3 suites are OpenSSL's own and not set by this string; remove it` };
  if (word === "DEFAULT")
    return {
      problem: `"DEFAULT" is read only as the whole first token (OpenSSL ignores it elsewhere and cannot join it with "+"); move it to the front or remove it`,
    };
  if (word.startsWith("SUITEB")) {
    return {
      problem: `"${word}" switches OpenSSL to Suite B mode (RFC 6460), which also limits signature algorithms, curves and the certificate chain to Suite B; name the suites instead (ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384)`,
    };
  }
  const names = [...table.keywords, ...table.suites.map((s) => s.name)];
  const other = names.find((n) => n.toLowerCase() === word.toLowerCase());
  const near = names.find((n) => oneEditApart(n, word));
  const advice = other !== undefined ? `names are case-sensitive: "${other}"` : near !== undefined ? `did you mean "${near}"?` : "remove it";
  return { problem: `"${word}" matches no cipher of {openssl}; ${advice}` };
}

/** What a select rule selects on this OS (in no particular order), or why it is refused. */
function selection(rule: SelectRule, table: OpensslCipherTable): { suites: Set<string>; problem?: string } {
  const resolved = rule.words.map((w) => resolveWord(w, table));
  const problem = resolved.find((r): r is { problem: string } => "problem" in r);
  if (problem !== undefined) return { suites: new Set(), problem: problem.problem };
  const sets = resolved as Array<{ suites: Set<string>; named: boolean }>;
  if (sets.length > 1 && sets.some((s) => s.named)) {
    return { suites: new Set(), problem: `"${rule.text}" joins a suite name with "+"; OpenSSL would take the suite alone: write it as its own token` };
  }
  const classes = new Set(rule.words.filter((w) => STRENGTH_CLASSES.has(w)));
  if (classes.size > 1) return { suites: new Set() };
  return { suites: sets.map((s) => s.suites).reduce((a, b) => new Set([...a].filter((n) => b.has(n)))) };
}

/**
 * Build the list a parsed cipher string gives with one OS's OpenSSL. Removing or moving
 * something the OS does not have is fine; adding nothing is reported, as is every word OpenSSL
 * does not know.
 */
export function evaluateCipherString(parsed: ParsedCipherString, table: OpensslCipherTable): CipherListResult {
  // OpenSSL keeps every suite in one linked list: the active ones form the cipher list in list
  // order; a killed suite leaves the list.
  let order = table.suites.map((s) => s.name);
  const active = new Set<string>();
  const addedBy = new Map<string, string>();
  const problems: string[] = [];
  let explicitLevel: number | undefined;
  const byName = new Map(table.suites.map((s) => [s.name, s]));

  const rules: Array<{ rule: CipherRule; label: string }> = [];
  parsed.rules.forEach((rule, i) => {
    if (i === 0 && rule.kind === "select" && rule.op === "add" && rule.text === "DEFAULT") {
      for (const r of parseCipherString(table.defaultRule).rules) rules.push({ rule: r, label: "DEFAULT" });
    } else {
      rules.push({ rule, label: rule.text });
    }
  });

  for (const { rule, label } of rules) {
    if (rule.kind === "level") {
      explicitLevel = rule.level;
      continue;
    }
    if (rule.kind === "strength") {
      const ranked = order.filter((n) => active.has(n)).sort((a, b) => byName.get(a)!.strengthRank - byName.get(b)!.strengthRank);
      let next = 0;
      order = order.map((n) => (active.has(n) ? ranked[next++]! : n));
      continue;
    }
    const { suites, problem } = selection(rule, table);
    if (problem !== undefined) {
      problems.push(problem);
      continue;
    }
    if (suites.size === 0 && rule.op === "add") problems.push(`"${rule.text}" matches no cipher of {openssl}; remove it`);
    const hit = (n: string) => suites.has(n);
    if (rule.op === "add") {
      const added = order.filter((n) => hit(n) && !active.has(n));
      for (const n of added) {
        active.add(n);
        addedBy.set(n, label);
      }
      order = [...order.filter((n) => !added.includes(n)), ...added];
    } else if (rule.op === "order") {
      const moved = order.filter((n) => hit(n) && active.has(n));
      order = [...order.filter((n) => !moved.includes(n)), ...moved];
    } else if (rule.op === "delete") {
      // Deleted suites move to the front of the whole list: a later token adds them back first.
      const deleted = order.filter((n) => hit(n) && active.has(n));
      for (const n of deleted) active.delete(n);
      order = [...deleted, ...order.filter((n) => !deleted.includes(n))];
    } else {
      order = order.filter((n) => !hit(n));
      for (const n of suites) active.delete(n);
    }
  }
  const suites = order.filter((n) => active.has(n)).map((n) => byName.get(n)!);
  return { suites, addedBy, explicitLevel, problems };
}

/** The suite names a cipher string gives on one OS, as `openssl ciphers` lists them (TLS ≤ 1.2 only). */
export function expandCipherString(cipherString: string, table: OpensslCipherTable): string[] {
  const parsed = parseCipherString(cipherString);
  const result = evaluateCipherString(parsed, table);
  const problems = [...parsed.problems, ...result.problems];
  if (problems.length > 0) throw new Error(`${cipherString}: ${problems.join("; ").replaceAll("{openssl}", opensslLabel(table))}`);
  return result.suites.map((s) => s.name);
}
