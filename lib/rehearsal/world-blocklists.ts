/**
 * What the world's blocklist zones answer, besides their SOA and NS: RFC 5782's test point
 * (`2.0.0.127.<zone>` → 127.0.0.2; 127.0.0.1 stays unlisted), which the blocklist watch requires
 * before it trusts a zone, and the addresses the world lists in them — the Internet client every
 * zone lists (Postfix's postscreen refuses it) and the public addresses a rehearsal asks to have
 * listed (the watch on the host finds them).
 */

/** An address one zone of the world lists. */
export interface BlocklistListing {
  readonly zone: string;
  /** IPv4. */
  readonly address: string;
}

/** RFC 5782 §5: every IPv4 list lists 127.0.0.2 (and never 127.0.0.1), so that clients can check it works. */
export const TEST_POINT = "127.0.0.2";

/** The reversed-address name of an IPv4 address in a zone, with its trailing dot. */
export function listedName(address: string, zone: string): string {
  return `${address.split(".").reverse().join(".")}.${zone}.`;
}

/**
 * The lines to add to a blocklist zone's file: its test point and each listed address of that
 * zone (A 127.0.0.2, the code the lists use for a listing, with a TXT reason as they give).
 */
export function blocklistLines(zone: string, listed: readonly string[]): string {
  const lines = [`${listedName(TEST_POINT, zone)} 60 IN A 127.0.0.2`, `${listedName(TEST_POINT, zone)} 60 IN TXT "RFC 5782 test point"`];
  for (const address of [...new Set(listed)]) {
    lines.push(`${listedName(address, zone)} 60 IN A 127.0.0.2`, `${listedName(address, zone)} 60 IN TXT "listed by the mail-platform rehearsal"`);
  }
  return `${lines.join("\n")}\n`;
}
