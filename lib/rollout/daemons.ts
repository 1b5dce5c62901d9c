/**
 * What a bundle restarts and checks, whatever the host: the optional daemons the platform runs
 * and the listeners that must answer after a reload. Production and local bundles differ only
 * in how they call the daemons.
 */
import type { HostPlan, Plan } from "../plan/types";
import { mtaStsHostNames } from "../render/nginx/mta-sts";
import { signsDkim } from "../render/opendkim/opendkim";

/** The daemons beyond Postfix and Dovecot that the platform runs. */
export function optionalDaemons(plan: Plan): { readonly opendkim: boolean; readonly nginx: boolean } {
  return { opendkim: signsDkim(plan.spec), nginx: mtaStsHostNames(plan).length > 0 };
}

/** Every listener of the host (address, port), with nginx's 443 per group address when it serves MTA-STS. */
export function expectedListeners(plan: Plan, host: HostPlan): Array<readonly [string, number]> {
  return [
    ...host.listeners.map((l) => [l.address.privateIp, l.port] as const),
    ...(optionalDaemons(plan).nginx ? host.addresses.map((a) => [a.privateIp, 443] as const) : []),
  ];
}
