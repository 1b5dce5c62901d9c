/**
 * The model a local instance runs: the user's model with each group address moved to its own
 * loopback address and certificates taken from the test CA. Nothing else changes, so the
 * rendered files are what production renders for those addresses.
 */
import type { PlatformSpec } from "../model/schema";
import type { LoopbackPlan } from "./conventions";

/** The user's spec with loopback addresses and the test certificate directory. */
export function localTestSpec(spec: PlatformSpec, loopback: LoopbackPlan, certificateDirectory: string): PlatformSpec {
  const hostIndex = new Map(spec.hosts.map((h, i) => [h.name, i]));
  return {
    ...spec,
    groups: spec.groups.map((group, g) => ({
      ...group,
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
