/**
 * SRS (Sender Rewriting Scheme) for forwarded mail: a message that an alias or forward sends on
 * to a foreign domain keeps its original envelope sender, which that sender's SPF does not
 * authorise our addresses for. postsrsd rewrites such senders to `SRS0=hash=time=domain=local@<srs
 * domain>` and reverses them for bounces. Needed only when some alias or forward leaves the platform.
 */
import { domainOf } from "../model/address-book";
import type { PlatformSpec } from "../model/schema";
import type { AccountsPlan, SrsPlan } from "./types";

/** The SRS facts of a platform: on when some alias, forward or catch-all has a foreign target. */
export function srsPlan(spec: PlatformSpec, accounts: AccountsPlan): SrsPlan {
  const ownDomains = spec.groups.flatMap((g) => g.domains.map((d) => d.name));
  const own = new Set(ownDomains);
  const forwarding = accounts.aliases.find((entry) => entry.targets.some((target) => !own.has(domainOf(target).toLowerCase())));
  if (!forwarding) return { enabled: false };
  // The group whose alias forwards first (model order) lends its first domain: bounces to SRS
  // addresses reach this platform through that domain's MX.
  const group = spec.groups.find((g) => g.name === forwarding.group)!;
  return { enabled: true, domain: group.domains[0]!.name, excludedDomains: ownDomains };
}
