/**
 * The content filter against the rest of the model: thresholds that rspamd would apply in an order
 * that makes one of them unreachable, and ClamAV on an instance type without the memory for it.
 */
import { instanceMemoryGiB } from "./instance-memory";
import { issue, issuesOncePerPath, type PathSegment } from "./issues";
import type { PlatformSpec } from "./schema";
import { check, type SemanticCheck } from "./semantic-checks";

/**
 * Memory an instance needs for ClamAV, in GiB. clamd holds the whole signature database in memory
 * (about 1.5 GB with the official databases) and, while it reloads after a freshclam update, the
 * new one beside the old (ConcurrentDatabaseReload, on by default): about 3 GB at the peak, on top
 * of Postfix, Dovecot, rspamd and redis (about 0.5 GB). 2 GiB types would swap or kill clamd.
 */
export const ANTIVIRUS_MIN_MEMORY_GIB = 4;

/** The inbound thresholds of each group in effect: its own, else the platform's. */
export function effectiveInbound(spec: Pick<PlatformSpec, "contentFilter">, group: PlatformSpec["groups"][number]) {
  const platform = spec.contentFilter.inbound;
  const own = group.contentFilter ?? {};
  return {
    rejectScore: own.rejectScore ?? platform.rejectScore,
    addHeaderScore: own.addHeaderScore ?? platform.addHeaderScore,
    greylistScore: own.greylistScore ?? platform.greylistScore,
  };
}

/** Where a threshold is set: the group's own field when it has one, else the platform's. */
function thresholdPath(group: PlatformSpec["groups"][number], g: number, field: "rejectScore" | "addHeaderScore" | "greylistScore"): PathSegment[] {
  return group.contentFilter?.[field] !== undefined ? ["groups", g, "contentFilter", field] : ["contentFilter", "inbound", field];
}

const thresholdOrder = check(["contentFilter", "groups"], (spec) => {
  // A platform threshold out of order is one problem, reported once (for the first group it affects).
  const { found, report } = issuesOncePerPath();
  spec.groups.forEach((group, g) => {
    const t = effectiveInbound(spec, group);
    if (t.addHeaderScore >= t.rejectScore) {
      report(
        thresholdPath(group, g, "addHeaderScore"),
        t.addHeaderScore,
        `expected below the reject score ${t.rejectScore} in effect for group ${group.name}: mail at or above the reject score is refused, so it would never be marked`,
      );
    }
    if (t.greylistScore !== false && t.greylistScore >= t.addHeaderScore) {
      report(
        thresholdPath(group, g, "greylistScore"),
        t.greylistScore,
        `expected below the add-header score ${t.addHeaderScore} in effect for group ${group.name} (or false): greylisting is for mail that is only suspicious`,
      );
    }
  });
  return found;
});

const antivirusMemory = check(["contentFilter", "aws"], ({ contentFilter, aws }) => {
  if (!contentFilter.enabled || !contentFilter.antivirus || !aws) return [];
  const small = Object.entries(aws.hosts).flatMap(([host, placement]) => {
    const gib = instanceMemoryGiB(placement.instanceType);
    return gib !== undefined && gib < ANTIVIRUS_MIN_MEMORY_GIB ? [`${host} (${placement.instanceType}, ${gib} GiB)`] : [];
  });
  return small.length === 0
    ? []
    : [
        issue(
          ["contentFilter", "antivirus"],
          true,
          `ClamAV needs an instance type with at least ${ANTIVIRUS_MIN_MEMORY_GIB} GiB of memory (clamd holds about 1.5 GB of signatures, twice that while it reloads them); too small: ${small.join(", ")}; choose a larger aws.hosts.<host>.instanceType or set antivirus to false`,
        ),
      ];
});

const antivirusNeedsFilter = check(["contentFilter"], ({ contentFilter }) =>
  contentFilter.antivirus && !contentFilter.enabled
    ? [issue(["contentFilter", "antivirus"], true, "ClamAV scans through rspamd: it needs contentFilter.enabled; set antivirus to false or enable the filter")]
    : [],
);

/** Every check of this module. */
export const CONTENT_FILTER_CHECKS: readonly SemanticCheck[] = [thresholdOrder, antivirusMemory, antivirusNeedsFilter];
