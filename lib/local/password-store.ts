/**
 * The local stand-in for the SSM parameters of the mailboxes' password hashes, and the Dovecot
 * passdb file written from it. As on a host, the passdb holds only mailboxes the model declares
 * and that have a hash: a mailbox removed from the model cannot log in after the next apply, but
 * its hash stays in the store (as its SSM parameter would) and its mail stays on disk.
 */
import { execFileSync } from "child_process";
import { chownSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import type { HostPlan, Plan } from "../plan/types";
import { homeMailboxes } from "../plan/host-scope";
import type { StateLayout } from "./conventions";

/** The store: `address:{SCHEME}hash` lines, readable by root only. */
export function passwordStorePath(layout: StateLayout): string {
  return join(layout.stateDir, "password-store");
}

function readStore(layout: StateLayout): Map<string, string> {
  const file = passwordStorePath(layout);
  if (!existsSync(file)) return new Map();
  return new Map(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes(":"))
      .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)] as const),
  );
}

/** Add or replace hashes in the store (a later `--users` file wins, as a new SSM parameter version would). */
export function storeHashes(layout: StateLayout, hashes: ReadonlyMap<string, string>): void {
  const store = readStore(layout);
  for (const [address, hash] of hashes) store.set(address, hash);
  const lines = [...store].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([a, h]) => `${a}:${h}\n`);
  writeFileSync(passwordStorePath(layout), lines.join(""), { mode: 0o600 });
}

/**
 * Write Dovecot's passdb (HostPaths `dovecotUsers`) for the mailboxes homed on the host that have a hash
 * (as the host's users sync reads only its own mailbox list):
 * written beside it, then renamed over it (Dovecot never reads half a file), 0640 root:dovecot.
 * Returns the addresses written.
 */
export function writeDovecotUsers(layout: StateLayout, plan: Plan, host: HostPlan): string[] {
  const store = readStore(layout);
  const lines = homeMailboxes(plan, host).flatMap((m) => (store.has(m.address) ? [`${m.address}:${store.get(m.address)!}::::::`] : []));
  const temp = `${layout.dovecotUsers}.new`;
  rmSync(temp, { force: true });
  writeFileSync(temp, lines.map((l) => `${l}\n`).join(""), { mode: 0o640 });
  chownSync(temp, 0, Number(execFileSync("getent", ["group", "dovecot"], { encoding: "utf8" }).split(":")[2]));
  renameSync(temp, layout.dovecotUsers);
  return lines.map((l) => l.slice(0, l.indexOf(":")));
}
