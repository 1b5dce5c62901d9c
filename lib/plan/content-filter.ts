/** The content filter of a platform: on or off, each group's inbound thresholds and sending limits in effect. */
import { effectiveInbound } from "../model/content-filter-checks";
import { effectiveSendingLimits, platformSendingLimits } from "../model/sending-limits-checks";
import type { PlatformSpec } from "../model/schema";
import type { WarmUpSpec } from "../model/sending-limits";
import type { ContentFilterPlan, WarmUpDay } from "./types";

/**
 * The warm-up ramp as data: from the start date, the first day's cap doubling each day, for as
 * long as it stays below the group's normal daily cap (from then on the normal cap alone applies).
 * Pure date arithmetic on the model's date: nothing reads the clock.
 */
export function warmUpRamp(warmUp: WarmUpSpec | undefined, normalDailyCap: number): WarmUpDay[] {
  if (warmUp === undefined) return [];
  const start = Date.parse(`${warmUp.startDate}T00:00:00Z`);
  const days: WarmUpDay[] = [];
  for (let k = 0, cap = warmUp.firstDayMessages; cap < normalDailyCap; k++, cap *= 2) {
    days.push({ date: new Date(start + k * 86_400_000).toISOString().slice(0, 10), messages: cap });
  }
  return days;
}

/** Derive the content filter plan. */
export function contentFilterPlan(spec: PlatformSpec): ContentFilterPlan {
  const settings = spec.contentFilter;
  if (!settings.enabled) return { enabled: false };
  return {
    enabled: true,
    groups: spec.groups.map((group) => {
      const t = effectiveInbound(spec, group);
      return {
        group: group.name,
        rejectScore: t.rejectScore,
        addHeaderScore: t.addHeaderScore,
        ...(t.greylistScore === false ? {} : { greylistScore: t.greylistScore }),
      };
    }),
    holdScore: settings.outbound.holdScore,
    antivirus: settings.antivirus,
    ...(settings.textAnalysisMaxBytes === false ? {} : { textAnalysisMaxBytes: settings.textAnalysisMaxBytes }),
    sendingLimits: platformSendingLimits(spec).enabled
      ? spec.groups.map((group) => {
          const { perUser, perGroup, warmUp } = effectiveSendingLimits(spec, group);
          return { group: group.name, domains: group.domains.map((d) => d.name), perUser, perGroup, warmUp: warmUpRamp(warmUp, perGroup.messagesPerDay) };
        })
      : [],
  };
}
