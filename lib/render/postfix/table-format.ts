/**
 * Lookup table files (texthash, pcre, cidr) as data: rows of key and value, aligned.
 * A key is one word; a value is one line. Anything else would change the table's meaning.
 */
import { UnsafeValueError } from "../rendered-file";

/** One row: lookup key (or pcre pattern) and result. */
export type TableRow = readonly [key: string, value: string];

/** A group of rows with an optional reason shown above them. */
export interface TableBlock {
  /** Why these rows exist. */
  readonly why?: string;
  /** The rows. */
  readonly rows: readonly TableRow[];
}

const KEY_RULES = {
  texthash: { test: (k: string) => /^[\x21-\x7e]+$/.test(k) && !k.startsWith("#"), rule: "keys are one word of printable ASCII, not starting with #" },
  pcre: { test: (k: string) => /^\/[\x20-\x7e]+\/[imsx]*$/.test(k), rule: "patterns are /regex/flags on one line of printable ASCII" },
  cidr: { test: (k: string) => /^[0-9A-Fa-f.:]+\/\d{1,3}$/.test(k), rule: "keys are an address and a prefix length, e.g. 127.0.0.1/32" },
} as const;

/** Format a table file: header, then each block. */
export function formatTable(file: string, type: keyof typeof KEY_RULES, header: string, blocks: readonly TableBlock[]): string {
  const lines = [header];
  for (const block of blocks) {
    if (block.rows.length === 0) continue;
    // Aligned within a block: a long pattern in one block does not push every other row right.
    // A loop, not Math.max(...rows): a spread passes every row as an argument on the stack, and a
    // provider's table of a million domains overflows it.
    let width = 0;
    for (const [key] of block.rows) if (key.length > width) width = key.length;
    if (block.why) {
      if (/[\r\n]/.test(block.why)) throw new UnsafeValueError(file, "comment", block.why, "comments must be one line");
      lines.push(`# ${block.why}`);
    }
    for (const [key, value] of block.rows) {
      if (!KEY_RULES[type].test(key)) throw new UnsafeValueError(file, "key", key, KEY_RULES[type].rule);
      if (!/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value)) throw new UnsafeValueError(file, key, value, "values are one line of printable ASCII");
      lines.push(`${key.padEnd(width)} ${value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
