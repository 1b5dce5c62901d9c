/**
 * TXT values as DNS character-strings: at most 255 bytes each (RFC 1035 3.3.14), quoted, with
 * `"` and `\` escaped. Joining the strings gives the value back exactly.
 */

/** Split a value into chunks of at most 255 UTF-8 bytes, never inside a character. */
export function splitTxt(value: string): string[] {
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
  if (/[\x00-\x1f\x7f]/.test(chunk)) throw new Error(`control characters are not allowed in TXT values: ${JSON.stringify(chunk)}`);
  return `"${chunk.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A TXT value as zone-file text: its quoted chunks separated by blanks. */
export function formatTxt(value: string): string {
  return splitTxt(value).map(quoteTxt).join(" ");
}
