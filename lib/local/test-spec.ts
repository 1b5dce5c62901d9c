/**
 * The model a local instance runs: the user's model with each group address moved to its own
 * loopback address, certificates taken from the test CA, and the test mailbox added (with the
 * role addresses routed to it when the model routes them nowhere). Nothing else changes, so the
 * rendered files are what production renders for those addresses and mailboxes.
 */
import { addressBook } from "../model/address-book";
import type { PlatformSpec } from "../model/schema";
import type { LoopbackPlan } from "./conventions";
import { LocalInstanceError } from "./instance-error";

/** The local runner's test mailbox: `tester@` the first domain of the first group. */
export function testMailboxAddress(spec: Pick<PlatformSpec, "groups">): string {
  return `tester@${spec.groups[0]!.domains[0]!.name}`;
}

/**
 * The spec with the test mailbox in the first group (unless the model declares it as mailbox
 * already) and, when the model names no `accounts.roleMailbox`, the test mailbox as role target.
 */
export function withTestMailbox(spec: PlatformSpec): PlatformSpec {
  const tester = testMailboxAddress(spec);
  const book = addressBook(spec);
  if (book.aliases.has(tester) && !book.mailboxes.has(tester)) {
    throw new LocalInstanceError(`${tester} is the local runner's test mailbox; the model declares it as an alias, rename that alias to run locally`);
  }
  const groups = book.mailboxes.has(tester)
    ? spec.groups
    : spec.groups.map((group, g) => (g === 0 ? { ...group, mailboxes: [...group.mailboxes, { address: tester, forwardTo: [], keepCopy: true }] } : group));
  return { ...spec, groups, accounts: { ...spec.accounts, roleMailbox: spec.accounts.roleMailbox ?? tester } };
}

/**
 * The user's spec with the test mailbox, loopback addresses, the test certificate directory and the test DKIM
 * public keys (`dkimPublicKeys`: private-key parameter → public key the test generated).
 */
export function localTestSpec(
  spec: PlatformSpec,
  loopback: LoopbackPlan,
  certificateDirectory: string,
  dkimPublicKeys: ReadonlyMap<string, string> = new Map(),
): PlatformSpec {
  const testKey = <K extends { privateKeyParameter: string; publicKey: string }>(key: K | undefined): K | undefined =>
    key && dkimPublicKeys.has(key.privateKeyParameter) ? { ...key, publicKey: dkimPublicKeys.get(key.privateKeyParameter)! } : key;
  const hostIndex = new Map(spec.hosts.map((h, i) => [h.name, i]));
  const withTester = withTestMailbox(spec);
  return {
    ...withTester,
    dkim: testKey(spec.dkim),
    groups: withTester.groups.map((group, g) => ({
      ...group,
      dkim: testKey(group.dkim),
      addresses: group.addresses.map((address) => {
        const { publicIp: _public, ...rest } = address;
        return { ...rest, privateIp: loopback.address(hostIndex.get(address.host)!, g) };
      }),
    })),
    tls: { ...spec.tls, certificateDirectory },
    // Nothing of the cloud placement applies on this machine.
    aws: undefined,
  };
}
