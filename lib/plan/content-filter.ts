/** The content filter of a platform: on or off, each group's inbound thresholds and sending limits in effect. */
import { effectiveInbound } from "../model/content-filter-checks";
import { effectiveSendingLimits, platformSendingLimits } from "../model/sending-limits-checks";
import type { PlatformSpec } from "../model/schema";
import type { ContentFilterPlan } from "./types";

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
    sendingLimits: platformSendingLimits(spec).enabled
      ? spec.groups.map((group) => ({ group: group.name, domains: group.domains.map((d) => d.name), ...effectiveSendingLimits(spec, group) }))
      : [],
  };
}
