/**
 * Delivery priority classes as Postfix per-transport limits.
 *
 * Postfix has no queue priorities; separate transports with their own limits are how one
 * group's traffic is kept from starving another's. Each group gets its own `out-<group>`
 * transport, so these limits also isolate the groups from each other.
 */
import type { DeliveryPriority } from "../model/schema";

/** Per-transport limits (postconf(5): `<transport>_destination_*`, master.cf maxproc). */
export interface DeliveryLimits {
  /** Parallel deliveries to one destination once it has proven responsive. */
  readonly destinationConcurrencyLimit: number;
  /** Parallel deliveries to one destination at first contact. */
  readonly initialDestinationConcurrency: number;
  /**
   * Pause between deliveries to one destination; above zero it also caps the destination
   * at one delivery at a time (postconf(5), default_destination_rate_delay).
   */
  readonly destinationRateDelaySeconds: number;
  /** Delivery processes of the transport (master.cf maxproc). */
  readonly processLimit: number;
}

/** The limits of each class. */
export const DELIVERY_LIMITS: Readonly<Record<DeliveryPriority, DeliveryLimits>> = {
  // Postfix's own defaults (20 per destination, 5 at first contact) and the most processes.
  high: { destinationConcurrencyLimit: 20, initialDestinationConcurrency: 5, destinationRateDelaySeconds: 0, processLimit: 100 },
  // Half of that: ordinary mail still flows while `high` keeps headroom.
  normal: { destinationConcurrencyLimit: 10, initialDestinationConcurrency: 3, destinationRateDelaySeconds: 0, processLimit: 50 },
  // One message per second per destination: large receivers throttle bursts, and a campaign
  // must not exhaust the processes that other groups need.
  bulk: { destinationConcurrencyLimit: 1, initialDestinationConcurrency: 1, destinationRateDelaySeconds: 1, processLimit: 20 },
};

/** Rank for choosing the default group: lower runs first to lose. */
export const PRIORITY_RANK: Readonly<Record<DeliveryPriority, number>> = { bulk: 0, normal: 1, high: 2 };
