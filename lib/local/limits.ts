/**
 * What a local instance can run, checked before anything on this machine changes: a model the
 * instance cannot hold is refused while its state directory is still untouched, with the limit
 * named, instead of failing half-way through `local up`.
 */
import { UserError } from "../errors";
import type { PlatformSpec } from "../model/schema";
import { FIRST_GROUP_OCTET, GROUPS_PER_HOST, LAST_GROUP_OCTET, loopbackPlan } from "./conventions";

/**
 * Throw a {@link UserError} naming the limit when a local instance on `loopbackBlock` cannot run
 * `spec`: the block must be a valid `127.X.Y`, and every group address of every host needs its own
 * loopback address (at most {@link GROUPS_PER_HOST} groups; later hosts have fewer free addresses).
 */
export function checkLocalLimits(spec: PlatformSpec, loopbackBlock: string): void {
  const loopback = loopbackPlan(loopbackBlock);
  if (spec.groups.length > GROUPS_PER_HOST) {
    throw new UserError(
      `a local instance runs at most ${GROUPS_PER_HOST} groups (each group gets its own loopback address in ${loopback.block}.${FIRST_GROUP_OCTET}-${LAST_GROUP_OCTET}); ` +
        `this platform has ${spec.groups.length}. Try a copy of the model with fewer groups.`,
      { path: "groups" },
    );
  }
  const hostIndex = new Map(spec.hosts.map((host, index) => [host.name, index]));
  spec.groups.forEach((group, g) =>
    group.addresses.forEach((address, a) => {
      const index = hostIndex.get(address.host);
      if (index === undefined) return; // the model checks name every host of an address
      const last = FIRST_GROUP_OCTET + GROUPS_PER_HOST * index + g;
      if (last > LAST_GROUP_OCTET) {
        throw new UserError(
          `a local instance gives group ${g + 1} on host ${address.host} (host ${index + 1} of the model) the address ${loopback.block}.${last}, ` +
            `beyond the last group address .${LAST_GROUP_OCTET}: with ${spec.groups.length} groups it runs the first ` +
            `${Math.floor((LAST_GROUP_OCTET - FIRST_GROUP_OCTET - (spec.groups.length - 1)) / GROUPS_PER_HOST) + 1} hosts of the model.`,
          { path: `groups[${g}].addresses[${a}].host` },
        );
      }
    }),
  );
}
