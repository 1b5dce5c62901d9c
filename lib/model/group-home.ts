/**
 * Where a group lives: its home host (mailboxes, IMAP/POP3, submission, outbound mail) and its
 * MX hosts, home first and then the backup MX in `hosts` order. The model checks, the plan and
 * the certificate names all read them here.
 */
import type { PlatformSpec } from "./schema";

type Placement = Pick<PlatformSpec, "hosts">;
type PlacedGroup = Pick<PlatformSpec["groups"][number], "home" | "addresses">;

/** The group's home host: `home` when set, else the first host (in `hosts` order) carrying one of its addresses. */
export function homeOf(spec: Placement, group: PlacedGroup): string | undefined {
  if (group.home !== undefined) return group.home;
  return spec.hosts.find((host) => group.addresses.some((a) => a.host === host.name))?.name;
}

/** The hosts carrying the group's addresses: its home first, then the others in `hosts` order. */
export function mxHostsOf(spec: Placement, group: PlacedGroup): string[] {
  const home = homeOf(spec, group);
  const carrying = spec.hosts.filter((host) => group.addresses.some((a) => a.host === host.name)).map((host) => host.name);
  return home !== undefined && carrying.includes(home) ? [home, ...carrying.filter((h) => h !== home)] : carrying;
}
