/**
 * Brute-force protection, derived: which login ports a ban closes and the jail's numbers.
 */
import type { ServiceInfo } from "../catalogue/services";
import type { PlatformSpec, ServiceName } from "../model/schema";
import type { BruteForcePlan } from "./types";

/**
 * The protection of a platform. Port 25 is never closed: MX peers do not log in, and a shared
 * address (a provider's outbound relay) that also hosts an attacker must still deliver mail. With
 * no login service enabled there is nothing to protect, and fail2ban does not run.
 */
export function bruteForcePlan(spec: PlatformSpec, services: readonly ServiceInfo[], listenPorts: Readonly<Record<ServiceName, number>>): BruteForcePlan {
  const settings = spec.bruteForce;
  const ports = services
    .filter((s) => s.name !== "smtp")
    .map((s) => listenPorts[s.name])
    .sort((a, b) => a - b);
  if (!settings.enabled || ports.length === 0) return { enabled: false };
  return {
    enabled: true,
    maxFailures: settings.maxFailures,
    findTimeSeconds: settings.findTimeMinutes * 60,
    banSeconds: settings.banMinutes * 60,
    ports,
    neverBan: settings.neverBan,
  };
}
