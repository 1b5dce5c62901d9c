/** The content filter of a platform: on or off, and each group's inbound thresholds in effect. */
import { effectiveInbound } from "../model/content-filter-checks";
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
  };
}
