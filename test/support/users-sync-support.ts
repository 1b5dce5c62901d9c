/** Small helpers of the users sync tests. */
import { readFileSync } from "fs";

/** The numeric id of a group of this machine (from /etc/group). */
export function groupIdOf(name: string): number {
  const line = readFileSync("/etc/group", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no group ${name} on this machine`);
  return Number(line.split(":")[2]);
}
