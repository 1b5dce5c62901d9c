/**
 * The model a local instance runs: the user's model with each group address moved to its own
 * loopback address and certificates taken from the test CA. Nothing else changes, so the
 * rendered files are what production renders for those addresses.
 */
import type { PlatformSpec } from "../model/schema";
import type { LoopbackPlan } from "./conventions";

/**
 * The user's spec with loopback addresses, the test certificate directory and the test DKIM
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
  return {
    ...spec,
    dkim: testKey(spec.dkim),
    groups: spec.groups.map((group, g) => ({
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
