/**
 * Where a mail client finds a group's services: per discoverable service (the SRV-labelled ones
 * of the services table), whether it is on and, if so, the group's home host name, the standard
 * port and the SRV priority. The SRV records (RFC 6186/8314), Thunderbird's autoconfig and Outlook's
 * autodiscover documents are all written from this one list, so they cannot disagree.
 */
import { SERVICES, type ServiceInfo } from "../catalogue/services";
import type { Plan } from "./types";

/** One place a client may connect to for a service. */
export interface ClientEndpoint {
  /** The group address's host name (the certificate's name). */
  readonly hostName: string;
  /** The service's standard port (DNS and clients never see a local instance's moved ports). */
  readonly port: number;
  /** SRV priority (0: the group's home is its only endpoint). */
  readonly priority: number;
  /** SRV weight. */
  readonly weight: number;
}

/** A discoverable service of a group. */
export interface ClientService {
  /** The service (its protocol and TLS mode). */
  readonly service: ServiceInfo & { readonly srvLabel: string; readonly protocol: "smtp" | "imap" | "pop3" };
  /** Whether the platform runs it. */
  readonly enabled: boolean;
  /** Where to connect (the group's home); empty when off. */
  readonly endpoints: readonly ClientEndpoint[];
}

/** The discoverable services of a group, in services-table order, the disabled ones included (their SRV says "not available"). */
export function clientServices(plan: Plan, group: string): ClientService[] {
  // Clients connect to the group's home only: its mailboxes and submission live there.
  const placement = plan.placements.find((p) => p.group === group);
  if (!placement) throw new Error(`no group ${group} in the plan`);
  const hostNames = [placement.mxHosts[0]!.address.hostName];
  // Mail clients discover reading and sending only (ManageSieve has no SRV label either).
  return SERVICES.filter((s): s is ClientService["service"] => s.srvLabel !== undefined && s.protocol !== "managesieve").map((service) => {
    const enabled = plan.spec.services[service.name];
    return {
      service,
      enabled,
      endpoints: enabled ? hostNames.map((hostName, i) => ({ hostName, port: service.port, priority: i * 10, weight: 1 })) : [],
    };
  });
}

/**
 * The order clients should try a protocol's services in: implicit TLS first (RFC 8314 section
 * 3.3 prefers it), then STARTTLS; IMAP before POP3 (a mailbox on the server, not a download).
 */
const PREFERENCE = ["imaps", "imap", "pop3s", "pop3", "submissions", "submission"] as const;

/** The enabled discoverable services of a group, most preferred first. */
export function preferredClientServices(plan: Plan, group: string): ClientService[] {
  const rank = (s: ClientService) => PREFERENCE.indexOf(s.service.name as (typeof PREFERENCE)[number]);
  return clientServices(plan, group)
    .filter((s) => s.enabled)
    .sort((a, b) => rank(a) - rank(b));
}
