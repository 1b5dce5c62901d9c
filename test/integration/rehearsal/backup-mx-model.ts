/**
 * The two-host model the backup MX rehearsal deploys: the example with the rehearsal's mailboxes,
 * and a second host mx2 that carries the business group's address `backup.acme-corp.example` —
 * business stays at home on mx1 (the first host carrying it), mx2 is its backup MX and nothing
 * else. The private group stays on mx1 alone.
 */
import type { PlatformInput } from "../../../lib/model/schema";
import { mailboxInput } from "./rehearsal-mailboxes";

/** The business group's address on its home, mx1 (its channel listens there). */
export const HOME_ADDRESS = "10.0.1.11";
/** The business group's address on its backup MX, mx2 (another subnet, as a second AZ would have). */
export const BACKUP_ADDRESS = "10.0.2.11";

/** The example's input with the rehearsal's mailboxes and a backup MX for business on mx2. */
export function backupMxInput(exampleInput: PlatformInput): PlatformInput {
  const input = mailboxInput(exampleInput);
  const business = input.groups[0]!;
  if (business.addresses[0]?.privateIp !== HOME_ADDRESS) throw new Error(`the example's business address is no longer ${HOME_ADDRESS}`);
  input.hosts.push({ name: "mx2" });
  business.addresses.push({ host: "mx2", privateIp: BACKUP_ADDRESS, hostName: "backup.acme-corp.example" });
  input.aws!.hosts.mx2 = { subnetId: "subnet-0f1e2d3c4b5a69788" };
  return input;
}
