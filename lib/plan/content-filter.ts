/** The content filter of a platform: on or off, and each group's inbound thresholds in effect. */
import { effectiveInbound } from "../model/content-filter-checks";
import type { PlatformSpec } from "../model/schema";
import type { ContentFilterPlan } from "./types";

/** The `{daemon_name}` milter macro of a group's port-25 listeners (rspamd matches it as `MTA-Name`). */
export function inboundDaemonName(group: string): string {
  return `inbound-${group}`;
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
        daemonName: inboundDaemonName(group.name),
        rejectScore: t.rejectScore,
        addHeaderScore: t.addHeaderScore,
        ...(t.greylistScore === false ? {} : { greylistScore: t.greylistScore }),
      };
    }),
    holdScore: settings.outbound.holdScore,
    antivirus: settings.antivirus,
  };
}
