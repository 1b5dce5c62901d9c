/**
 * Where the Route53 stand-in publishes ACME challenge records: pebble-challtestsrv's management
 * API (Debian's pebble 2.4), the DNS server pebble checks DNS-01 challenges with. `POST /set-txt
 * {"host": "<fqdn>.", "value": "…"}` adds one TXT value to a name and `POST /clear-txt
 * {"host": "<fqdn>."}` removes them all, so a record set is published by clearing and adding each
 * of its values.
 */

/** A record-set state to publish: the TXT strings of a name, or none (deleted). */
export interface ChallengeRecordSet {
  /** Fully qualified, without trailing dot. */
  readonly name: string;
  /** Each value's text (already unquoted); empty when the record set was deleted. */
  readonly values: readonly string[];
}

/** pebble-challtestsrv's management API. */
export class ChallengeDns {
  constructor(private readonly managementUrl: string) {}

  /** Make the name serve exactly these TXT values. */
  async publish(recordSet: ChallengeRecordSet): Promise<void> {
    const host = `${recordSet.name}.`;
    await this.post("/clear-txt", { host });
    for (const value of recordSet.values) await this.post("/set-txt", { host, value });
  }

  private async post(path: string, body: Record<string, string>): Promise<void> {
    const url = new URL(path, this.managementUrl).toString();
    const response = await fetch(url, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${(await response.text()).trim()}`);
  }
}

/**
 * The strings of a Route53 TXT value (`"abc"`, `"part one" "part two"`), unescaped and joined as
 * DNS joins a record's strings; undefined when the value is not properly quoted.
 */
export function txtValueText(value: string): string | undefined {
  const strings: string[] = [];
  const re = /\s*"((?:[^"\\]|\\.)*)"/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(value)) !== null) {
    // Route53 escapes characters as \ooo (three octal digits) or \<char>.
    strings.push(m[1]!.replace(/\\([0-7]{3}|.)/g, (_s, e: string) => (/^[0-7]{3}$/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e)));
    end = re.lastIndex;
  }
  return strings.length > 0 && value.slice(end).trim() === "" ? strings.join("") : undefined;
}
