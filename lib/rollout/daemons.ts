/**
 * Which optional daemons run, in the shape the local instance runner still reads.
 */
import type { Plan } from "../plan/types";

/**
 * The daemons beyond Postfix and Dovecot that the platform runs.
 * @deprecated read `plan.daemons`; kept for the local instance runner until it reads the plan.
 */
export function optionalDaemons(plan: Plan): { readonly opendkim: boolean; readonly nginx: boolean } {
  const runs = (name: string) => plan.daemons.some((d) => d.name === name);
  return { opendkim: runs("opendkim"), nginx: runs("nginx") };
}
