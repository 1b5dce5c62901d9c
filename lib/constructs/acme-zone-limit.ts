/**
 * A host's role lists every zone it may write ACME challenges to, and IAM caps the inline
 * policies of a role at 10,240 characters in all. A zone ARN costs about 53 of them, so a role
 * holds about 150 zones next to its other policies. Past that, AWS would refuse the role at
 * deploy time; we say so at synth time, with the setting that causes it.
 */
import { issue, type PlatformIssue } from "../model/issues";
import type { Plan } from "../plan/types";

/** Most zones one host's ACME policy lists (IAM's 10,240-character budget, with room to spare). */
export const MAX_ACME_ZONES = 150;

/** Problems with the number of zones each host needs ACME rights in (by host name). */
export function acmeZoneLimitIssues(plan: Plan, zonesByHost: ReadonlyMap<string, readonly string[]>): PlatformIssue[] {
  const found: PlatformIssue[] = [];
  for (const [host, zones] of zonesByHost) {
    if (zones.length <= MAX_ACME_ZONES) continue;
    const because = plan.spec.dns?.mtaSts ? "dns.mtaSts needs a certificate for mta-sts.<domain> of every group domain" : "its certificate names lie in that many zones";
    found.push(
      issue(
        plan.spec.dns?.mtaSts ? ["dns", "mtaSts"] : ["dns", "zones"],
        `${zones.length} zones for host ${host}`,
        `${because}; the host's IAM policy would list ${zones.length} zones and IAM allows about ${MAX_ACME_ZONES} per role. Serve MTA-STS for at most ${MAX_ACME_ZONES} zones per host or leave it off`,
      ),
    );
  }
  return found;
}
