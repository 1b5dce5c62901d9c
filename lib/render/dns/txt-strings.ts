/**
 * TXT values as DNS character-strings: at most 255 bytes each (RFC 1035 3.3.14), quoted, with
 * `"` and `\` escaped. Joining the strings gives the value back exactly.
 */
import { UnsafeValueError } from "../rendered-file";

/** Split a value into chunks of at most 255 UTF-8 bytes, never inside a character. */
export function splitTxt(value: string): string[] {
  // ASCII (nearly every value): a byte per character.
  if (!/[^\x00-\x7f]/.test(value)) {
    const ascii: string[] = [];
    for (let at = 0; at < value.length || at === 0; at += 255) ascii.push(value.slice(at, at + 255));
    return ascii;
  }
  const chunks: string[] = [];
  let current = "";
  let bytes = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char, "utf8");
    if (bytes + size > 255) {
      chunks.push(current);
      current = "";
      bytes = 0;
    }
    current += char;
    bytes += size;
  }
  chunks.push(current);
  return chunks;
}

/** One character-string in zone-file syntax. */
export function quoteTxt(chunk: string): string {
  if (/[\x00-\x1f\x7f]/.test(chunk)) throw new UnsafeValueError("a zone file", "a TXT value", chunk, "control characters are not allowed in TXT values");
  return `"${chunk.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A TXT value as zone-file text: its quoted chunks separated by blanks. */
export function formatTxt(value: string): string {
  return splitTxt(value).map(quoteTxt).join(" ");
}

/** The most bytes a deploy-time value (an IPv4 address) can take inside a TXT value. */
const IPV4_MAX_BYTES = 15;

/**
 * Split a TXT value made of literal text and deploy-time references into character-strings of
 * at most 255 bytes, never cutting through a reference (its resolved length is at most 15
 * bytes). Concatenating the chunks gives the value back exactly.
 */
export function chunkTxtParts<T>(parts: ReadonlyArray<string | T>): Array<Array<string | T>> {
  const chunks: Array<Array<string | T>> = [[]];
  let bytes = 0;
  const current = () => chunks[chunks.length - 1]!;
  for (const part of parts) {
    if (typeof part !== "string") {
      if (bytes + IPV4_MAX_BYTES > 255) {
        chunks.push([]);
        bytes = 0;
      }
      current().push(part);
      bytes += IPV4_MAX_BYTES;
      continue;
    }
    for (const piece of splitTxt(part)) {
      let rest = piece;
      while (rest.length > 0) {
        const room = 255 - bytes;
        const [head, tail] = splitAtBytes(rest, room);
        if (head.length > 0) {
          current().push(head);
          bytes += Buffer.byteLength(head, "utf8");
        }
        rest = tail;
        if (rest.length > 0) {
          chunks.push([]);
          bytes = 0;
        }
      }
    }
  }
  return chunks.filter((c, i) => c.length > 0 || i === 0);
}

/** The longest prefix of at most `maxBytes` UTF-8 bytes (whole characters) and the rest. */
function splitAtBytes(text: string, maxBytes: number): [string, string] {
  // ASCII (nearly every value): a byte per character, no need to measure each one.
  if (!/[^\x00-\x7f]/.test(text)) return [text.slice(0, maxBytes), text.slice(maxBytes)];
  let bytes = 0;
  let index = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, "utf8");
    if (bytes + size > maxBytes) break;
    bytes += size;
    index += char.length;
  }
  return [text.slice(0, index), text.slice(index)];
}
