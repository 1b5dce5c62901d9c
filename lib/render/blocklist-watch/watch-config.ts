/**
 * The configuration of a host's blocklist watch (lib/apply/mail-platform-blocklist-watch.py):
 * the zones, the host's resolver, and the group addresses it carries with the outbound transport
 * a pause would hold. JSON, so no value can break its syntax; zones are validated DNS names.
 */
import { BLOCKLIST_METRIC_NAME, blocklistMetricNamespace, blocklistWatchZones } from "../../model/blocklist-watch";
import type { HostPlan, Plan } from "../../plan/types";
import { HOST_PATHS, type HostPaths } from "../host-paths";
import type { RenderedFile } from "../rendered-file";
import { generatedHeader } from "../header";

/** Where the watch reads its configuration (below etc/mail-platform: a local instance moves it with the rest). */
export const BLOCKLIST_WATCH_CONFIG = "etc/mail-platform/blocklist-watch.json";

/** One watched address in the configuration. */
export interface WatchedAddress {
  readonly group: string;
  readonly privateIp: string;
  /** The model's public address; `null`: the host asks its instance metadata (an Elastic IP allocated at deploy). */
  readonly publicIp: string | null;
  /** The group's outbound transport on this host (what a pause holds). */
  readonly transport: string | null;
  /** Whether the model pauses it too (groups[].outbound.paused): a resume of the watch's hold keeps it deferred. */
  readonly pausedByModel: boolean;
}

/** The configuration document. */
export interface WatchConfig {
  /** JSON has no comments: the generated-file note. */
  readonly comment: string;
  readonly enabled: boolean;
  readonly platform: string;
  readonly host: string;
  readonly intervalMinutes: number;
  readonly zones: readonly string[];
  readonly resolver: string;
  readonly pauseWhenListed: boolean;
  readonly metrics: { readonly namespace: string; readonly name: string };
  readonly addresses: readonly WatchedAddress[];
}

/** The watch's configuration of one host, or none when the watch is off (the program then does nothing). */
export function renderBlocklistWatchConfig(plan: Plan, host: HostPlan, paths: HostPaths = HOST_PATHS): RenderedFile[] {
  const watch = plan.spec.blocklistWatch;
  if (!watch.enabled) return [];
  const config: WatchConfig = {
    comment: generatedHeader(plan.spec.name, host.name, "").trim(),
    enabled: true,
    platform: plan.spec.name,
    host: host.name,
    intervalMinutes: watch.intervalMinutes,
    zones: blocklistWatchZones(plan.spec),
    resolver: paths.resolverAddress,
    pauseWhenListed: watch.pauseWhenListed,
    metrics: { namespace: blocklistMetricNamespace(plan.spec.name), name: BLOCKLIST_METRIC_NAME },
    addresses: host.addresses.map((address) => {
      const transport = host.transports.find((t) => t.group === address.group);
      return {
        group: address.group,
        privateIp: address.privateIp,
        publicIp: address.publicIp ?? null,
        transport: transport?.name ?? null,
        pausedByModel: transport?.paused ?? false,
      };
    }),
  };
  return [{ path: BLOCKLIST_WATCH_CONFIG, content: `${JSON.stringify(config, null, 1)}\n`, mode: "0644" }];
}
