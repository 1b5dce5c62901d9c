/**
 * The `--users` file of `mail-platform local up|apply`: passwords for the model's mailboxes on a
 * local instance, where production keeps hashes in SSM Parameter Store. One `address:password`
 * (hashed here with SHA512-CRYPT) or `address:{SCHEME}hash` line per mailbox; blank lines and
 * lines starting with `#` are ignored. Every problem is reported at once, with its line.
 */
import { execFileSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { UserError } from "../errors";
import { addressBook } from "../model/address-book";
import type { PlatformSpec } from "../model/schema";
import { LocalInstanceError } from "./instance-error";
import { testMailboxAddress } from "./test-spec";

/** A Dovecot password string with its scheme, e.g. `{SHA512-CRYPT}$6$…` or `{ARGON2ID}$argon2id$…`. */
const SCHEME_HASH = /^\{[A-Z0-9-]+(?:\.[A-Z0-9]+)?\}[\x21-\x7e]+$/;

/** One line of the file, already judged. */
export type UsersFileEntry = { readonly address: string; readonly line: number } & ({ readonly hash: string } | { readonly password: string });

/**
 * Parse a users file against the mailboxes the model declares. Throws a {@link UserError} naming
 * every bad line: no colon, an empty password, an unknown address, a reserved address, a
 * `{SCHEME}` value that is no hash a passwd-file can hold, an address given twice.
 * @param reserved - addresses the file may not set (the local runner's own test mailbox)
 */
export function parseUsersFile(text: string, file: string, mailboxes: ReadonlySet<string>, reserved: ReadonlySet<string> = new Set()): UsersFileEntry[] {
  const entries: UsersFileEntry[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    const colon = raw.indexOf(":");
    if (colon <= 0) {
      problems.push(`${file}:${line}: expected address:password or address:{SCHEME}hash`);
      return;
    }
    const address = raw.slice(0, colon).trim().toLowerCase();
    const value = raw.slice(colon + 1);
    if (!mailboxes.has(address)) {
      const known = [...mailboxes].filter((m) => !reserved.has(m));
      problems.push(
        `${file}:${line}: ${JSON.stringify(address)} is no mailbox of the platform; mailboxes: ${known.length === 0 ? "none declared" : known.join(", ")}`,
      );
      return;
    }
    if (reserved.has(address)) {
      problems.push(`${file}:${line}: ${address} is the local runner's test mailbox; its password is generated`);
      return;
    }
    if (seen.has(address)) {
      problems.push(`${file}:${line}: ${address} already has a password on line ${seen.get(address)}`);
      return;
    }
    seen.set(address, line);
    if (value.length === 0) problems.push(`${file}:${line}: ${address} has an empty password`);
    else if (value.startsWith("{")) {
      if (SCHEME_HASH.test(value) && !value.includes(":")) entries.push({ address, line, hash: value });
      else problems.push(`${file}:${line}: expected {SCHEME}hash without blanks or colons after ${address}: (e.g. from doveadm pw -s ARGON2ID)`);
    } else entries.push({ address, line, password: value });
  });
  if (problems.length > 0) throw new UserError(`the users file has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.join("\n")}`);
  return entries;
}

/** A password as Dovecot's passwd-file holds it: SHA512-CRYPT, hashed by `openssl passwd -6`. */
export function hashPassword(password: string): string {
  return `{SHA512-CRYPT}${execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: `${password}\n`, encoding: "utf8" }).trim()}`;
}

/** The Dovecot password string of an entry. */
export function entryHash(entry: UsersFileEntry): string {
  return "hash" in entry ? entry.hash : hashPassword(entry.password);
}

/**
 * The hashes of a users file for a model's mailboxes (every problem at once, as a UserError).
 * The test mailbox is reserved: its password is generated.
 */
export function usersFileHashes(spec: PlatformSpec, file: string): Map<string, string> {
  if (!existsSync(file)) throw new LocalInstanceError(`no users file ${file}`);
  const entries = parseUsersFile(readFileSync(file, "utf8"), file, new Set(addressBook(spec).mailboxes.keys()), new Set([testMailboxAddress(spec)]));
  return new Map(entries.map((e) => [e.address, entryHash(e)]));
}
