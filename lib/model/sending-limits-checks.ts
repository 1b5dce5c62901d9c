/**
 * Sending limits against the rest of the model: rspamd counts, so limits need the content
 * filter; and a user's limit above its group's would never be reached.
 */
import { issue, issuesOncePerPath, type PathSegment, type PlatformIssue } from "./issues";
import type { PlatformSpec } from "./schema";
import { check, type SemanticCheck } from "./semantic-checks";
import { DEFAULT_SENDING_LIMITS, type SendingLimitsSpec } from "./sending-limits";

type Group = PlatformSpec["groups"][number];

/** The platform's limits in effect: the model's, else the defaults (on). */
export function platformSendingLimits(spec: Pick<PlatformSpec, "sendingLimits">): SendingLimitsSpec {
  return spec.sendingLimits ?? DEFAULT_SENDING_LIMITS;
}

/** A group's limits in effect: its own fields, else the platform's. */
export function effectiveSendingLimits(spec: Pick<PlatformSpec, "sendingLimits">, group: Group) {
  const platform = platformSendingLimits(spec);
  const own = group.sendingLimits ?? {};
  return {
    perUser: { ...platform.perUser, ...definedOnly(own.perUser) },
    perGroup: { ...platform.perGroup, ...definedOnly(own.perGroup) },
    ...(own.warmUp === undefined ? {} : { warmUp: own.warmUp }),
  };
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A warm-up needs the limits on (its cap is one of them). */
const warmUpNeedsLimits = check(["sendingLimits", "contentFilter", "groups"], (spec) => {
  if (!spec.contentFilter.enabled || platformSendingLimits(spec).enabled) return [];
  return spec.groups.flatMap((group, g) =>
    group.sendingLimits?.warmUp === undefined
      ? []
      : [
          issue(
            ["groups", g, "sendingLimits", "warmUp"],
            group.sendingLimits.warmUp,
            "a warm-up is a sending limit: it needs sendingLimits.enabled; enable the limits or remove the warm-up",
          ),
        ],
  );
});

const needsFilter = check(["sendingLimits", "contentFilter", "groups"], (spec) => {
  if (spec.contentFilter.enabled) return [];
  const found: PlatformIssue[] = [];
  if (spec.sendingLimits?.enabled === true) {
    found.push(
      issue(
        ["sendingLimits"],
        spec.sendingLimits,
        "sending limits are counted by rspamd: they need contentFilter.enabled; enable the filter, remove sendingLimits or set sendingLimits.enabled to false",
      ),
    );
  }
  spec.groups.forEach((group, g) => {
    if (group.sendingLimits !== undefined) {
      found.push(
        issue(
          ["groups", g, "sendingLimits"],
          group.sendingLimits,
          "sending limits are counted by rspamd: they need contentFilter.enabled; enable the filter or remove the group's sendingLimits",
        ),
      );
    }
  });
  return found;
});

/** Where a limit is set: the group's own field when it has one, else the platform's. */
function limitPath(group: Group, g: number, scope: "perUser" | "perGroup", field: string): PathSegment[] {
  const own = group.sendingLimits?.[scope] as Record<string, unknown> | undefined;
  return own?.[field] !== undefined ? ["groups", g, "sendingLimits", scope, field] : ["sendingLimits", scope, field];
}

const order = check(["sendingLimits", "contentFilter", "groups"], (spec) => {
  if (!spec.contentFilter.enabled || !platformSendingLimits(spec).enabled) return [];
  const { found, report } = issuesOncePerPath();
  spec.groups.forEach((group, g) => {
    const l = effectiveSendingLimits(spec, group);
    if (l.perUser.messagesPerHour > l.perUser.messagesPerDay) {
      report(
        limitPath(group, g, "perUser", "messagesPerHour"),
        l.perUser.messagesPerHour,
        `expected at most the ${l.perUser.messagesPerDay} messages a day a user of group ${group.name} may send`,
      );
    }
    if (l.perGroup.messagesPerHour > l.perGroup.messagesPerDay) {
      report(
        limitPath(group, g, "perGroup", "messagesPerHour"),
        l.perGroup.messagesPerHour,
        `expected at most the ${l.perGroup.messagesPerDay} messages a day group ${group.name} may send`,
      );
    }
    if (l.perUser.messagesPerDay > l.perGroup.messagesPerDay) {
      report(
        limitPath(group, g, "perUser", "messagesPerDay"),
        l.perUser.messagesPerDay,
        `expected at most the ${l.perGroup.messagesPerDay} messages a day of group ${group.name} as a whole: a user's limit above it is never reached`,
      );
    }
  });
  return found;
});

/** Every check of this module. */
export const SENDING_LIMITS_CHECKS: readonly SemanticCheck[] = [needsFilter, warmUpNeedsLimits, order];
