import type { HostOs } from "../catalogue/host-os";
/**
 * The Plan: everything derived from a platform model, before any file is written.
 * Renderers and constructs read only this (and the spec it came from).
 */
import type { DeliveryPriority, PlatformSpec, ServiceName } from "../model/schema";
import type { TlsProfile } from "../tls/profiles";
import type { DeliveryLimits } from "./delivery-priority";
import type { ServiceInfo } from "../catalogue/services";

/** A certificate file pair in certbot's layout. */
export interface CertificatePlan {
  /** The certificate's name: the address host name. */
  readonly name: string;
  /** Full chain, leaf first. */
  readonly chainFile: string;
  /** Private key. */
  readonly keyFile: string;
}

/** One group address on one host. */
export interface AddressPlan {
  /** Owning group. */
  readonly group: string;
  /** Private IPv4 the listeners bind to and outbound mail leaves from. */
  readonly privateIp: string;
  /** Public IPv4, when known before deploy. */
  readonly publicIp?: string;
  /** Host name for A, PTR, HELO, banner and certificate. */
  readonly hostName: string;
  /** The certificate this address presents. */
  readonly certificate: CertificatePlan;
}

/** A listening socket: one enabled service on one group address. */
export interface ListenerPlan {
  /** The service. */
  readonly service: ServiceInfo;
  /** The TCP port listened on (the service's standard port unless a local instance moves it). */
  readonly port: number;
  /** The address. */
  readonly address: AddressPlan;
}

/** An outbound transport: a Postfix smtp clone bound to one group address. */
export interface TransportPlan {
  /** master.cf service name, e.g. `out-business`. */
  readonly name: string;
  /** The group whose mail it carries. */
  readonly group: string;
  /** The group's delivery priority. */
  readonly priority: DeliveryPriority;
  /** Source address of outbound connections. */
  readonly bindAddress: string;
  /** Name sent in EHLO; equals the PTR of the public IP. */
  readonly heloName: string;
  /** Concurrency and pacing. */
  readonly limits: DeliveryLimits;
}

/** A firewall opening: one port for one enabled service. */
export interface PortPlan {
  /** TCP port. */
  readonly port: number;
  /** The service behind it: a mail service, or the MTA-STS policy host. */
  readonly service: ServiceName | "mta-sts";
  /** Why the port is open (used as the rule description). */
  readonly description: string;
}

/** Everything derived for one host. */
export interface HostPlan {
  /** Host identifier. */
  readonly name: string;
  /** The host's operating system (the host's own, else the platform's). */
  readonly os: HostOs;
  /** Postfix `myhostname`: the host name of the first group address. */
  readonly primaryHostName: string;
  /** The group addresses, in group order. */
  readonly addresses: readonly AddressPlan[];
  /** Every listener, by service order then group order. */
  readonly listeners: readonly ListenerPlan[];
  /** One outbound transport per group. */
  readonly transports: readonly TransportPlan[];
  /** Transport for senders outside every group domain. */
  readonly defaultTransport: string;
}

/** A domain with its owner. */
export interface DomainPlan {
  /** Domain name. */
  readonly name: string;
  /** Owning group. */
  readonly group: string;
  /** Transport of mail sent from this domain. */
  readonly transport: string;
  /** Whether inbound mail needs TLS. */
  readonly requireTlsInbound: boolean;
}

/** The whole derivation. */
export interface Plan {
  /** The validated model. */
  readonly spec: PlatformSpec;
  /** Resolved TLS profile of port 25 and outbound mail. */
  readonly mxTls: TlsProfile;
  /** Resolved TLS profile of client ports (587, 465, IMAP, POP3). */
  readonly clientTls: TlsProfile;
  /** Enabled services, in table order. */
  readonly services: readonly ServiceInfo[];
  /** Every domain, in group order then input order. */
  readonly domains: readonly DomainPlan[];
  /** Per host. */
  readonly hosts: readonly HostPlan[];
  /** Firewall openings (the same on every host), by port. */
  readonly ports: readonly PortPlan[];
  /** Whether postscreen fronts port 25 (DNS blocklists configured). */
  readonly postscreen: boolean;
  /** The port each service listens on: the standard ports, unless {@link PlanOptions} moves one. */
  readonly listenPorts: Readonly<Record<ServiceName, number>>;
}

/** Options of the derivation. Production uses none. */
export interface PlanOptions {
  /**
   * Listen on other ports than the standard ones (a local test instance whose standard ports
   * are taken). Firewall rules and DNS always use the standard ports.
   * @default - the standard port of every service
   */
  readonly listenPorts?: Partial<Record<ServiceName, number>>;
}
