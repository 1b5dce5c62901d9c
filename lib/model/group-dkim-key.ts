/**
 * Which DKIM key signs a group's mail. The one definition of it: the model checks read it before
 * a plan exists, the plan reads it once for everything after (`plan.dkim`).
 */
import type { GroupSpec, PlatformSpec } from "./schema";

/** A DKIM key as the model holds it: selector, public key, private-key parameter, retiring key. */
export type DkimKeySpec = NonNullable<PlatformSpec["dkim"]>;

/** The DKIM key that signs a group's mail: the group's own, else the platform's; undefined when the group does not sign. */
export function groupDkimKey(spec: Pick<PlatformSpec, "dkim">, group: Pick<GroupSpec, "dkim">): DkimKeySpec | undefined {
  return group.dkim ?? spec.dkim;
}
