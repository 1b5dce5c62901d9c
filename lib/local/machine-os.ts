/**
 * The operating system of this machine, for `mail-platform local`: a local instance runs this
 * machine's Postfix and Dovecot, so it renders for their versions whatever the model deploys to.
 */
import { existsSync, readFileSync } from "fs";
import type { HostOs } from "../catalogue/host-os";

/** Debian's VERSION_ID → the host OS the platform renders for. */
const BY_VERSION_ID: Readonly<Record<string, HostOs>> = { "12": "debian-12", "13": "debian-13" };

/** This machine's OS, from /etc/os-release; undefined when it is not a Debian release the platform renders for. */
export function machineOs(osRelease = "/etc/os-release"): HostOs | undefined {
  if (!existsSync(osRelease)) return undefined;
  const text = readFileSync(osRelease, "utf8");
  const id = /^ID=(.*)$/m.exec(text)?.[1]?.replace(/"/g, "");
  const version = /^VERSION_ID=(.*)$/m.exec(text)?.[1]?.replace(/"/g, "");
  return id === "debian" && version !== undefined ? BY_VERSION_ID[version] : undefined;
}
