/**
 * The blocklist watch: each host looks up each group address it carries in DNS blocklists on a
 * schedule, publishes how many list it (a CloudWatch metric per host and group, an alarm on it
 * that notifies an SNS topic) and, when asked to, pauses that group's outbound mail on that host
 * until an operator resumes it. A listed address is the moment one group's spam run starts to
 * cost the others: mox (`MonitorDNSBLs`) and Mail-in-a-Box check their own addresses the same way;
 * none of the self-hosted peers pauses one tenant by itself.
 */
import { z } from "zod";
import { dnsName } from "./syntax";

/** Default minutes between two checks: the listings that matter (Spamhaus SBL/CSS) appear within minutes, and a check is one query per zone and address. */
export const BLOCKLIST_WATCH_DEFAULT_INTERVAL_MINUTES = 30;

/** The blocklist watch of the platform's own addresses. */
export const BlocklistWatchSchema = z
  .strictObject({
    /** Look up the group addresses in the blocklists on a schedule and publish the result. @default false */
    enabled: z.boolean().default(false).describe("Look up every group address in the blocklists on a schedule; publish a metric and alarm. Default: false."),
    /** Minutes between two checks on each host. @default 30 */
    intervalMinutes: z
      .int()
      .min(5)
      .max(1440)
      .default(BLOCKLIST_WATCH_DEFAULT_INTERVAL_MINUTES)
      .describe(`Minutes between two checks on each host, 5..1440. Default: ${BLOCKLIST_WATCH_DEFAULT_INTERVAL_MINUTES}.`),
    /**
     * The blocklist zones to look the addresses up in (IPv4 blocklists: the reversed address below
     * the zone). An answer in 127.255.255.0/24 is the list refusing the query (Spamhaus answers so
     * to public resolvers), counted as an error, not as a listing.
     * @default - the zones of dnsbl.sites with a positive weight
     */
    zones: z
      .array(dnsName("a blocklist zone"))
      .min(1)
      .max(20)
      .optional()
      .describe("Blocklist zones to look the addresses up in, 1..20. Default: the zones of dnsbl.sites with a positive weight."),
    /**
     * Pause a listed group's outbound mail on the host that found it listed (its mail waits in the
     * queue, as with `groups[].outbound.paused`) until an operator runs
     * `mail-platform-blocklist-watch resume <group>` on that host; the other groups keep sending.
     * @default false
     */
    pauseWhenListed: z
      .boolean()
      .default(false)
      .describe("Pause a listed group's outbound mail on the host that found it listed, until resumed on that host. Default: false."),
    /**
     * Email addresses subscribed to the alert topic (SNS asks each to confirm once).
     * @default [] - none: subscribe to the topic (output `blocklistAlertTopicArn`) otherwise
     */
    alertEmails: z
      .array(z.email({ error: "expected an email address" }).max(254))
      .max(10)
      .default([])
      .describe("Email addresses subscribed to the alert topic (each confirms once), at most 10. Default: none."),
  })
  .describe("The blocklist watch of the platform's own group addresses.")
  .meta({ title: "BlocklistWatchInput" });

/** The validated watch. */
export type BlocklistWatchSpec = z.output<typeof BlocklistWatchSchema>;

/** The zones the watch consults: its own, else the positive-weight dnsbl sites' (each once, in order). */
export function blocklistWatchZones(spec: {
  readonly blocklistWatch: BlocklistWatchSpec;
  readonly dnsbl: { readonly sites: readonly { zone: string; weight: number }[] };
}): string[] {
  const zones = spec.blocklistWatch.zones ?? spec.dnsbl.sites.filter((s) => s.weight > 0).map((s) => s.zone);
  return [...new Set(zones.map((z) => z.toLowerCase()))];
}

/** The CloudWatch namespace of a platform's blocklist metrics. */
export function blocklistMetricNamespace(platform: string): string {
  return `MailPlatform/${platform}/Blocklists`;
}

/** The metric: how many of the zones list the address (0 when none). */
export const BLOCKLIST_METRIC_NAME = "Listed";
