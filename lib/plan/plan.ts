/**
 * The derivation: a validated model in, a Plan out. Pure: no I/O, no cdktf, no clock.
 * Listeners, firewall ports and (later) SRV records all come from `plan.services`, so a
 * service that is off is absent everywhere at once.
 */
import { clientAutoconfigNames, mtaStsNames, servesClientAutoconfig, servesMtaSts } from "../model/certificate-names";
import { groupDkimKey, type DkimKeySpec } from "../model/group-dkim-key";
import type { PlatformSpec } from "../model/schema";
import { NAMED_PROFILES, type TlsProfile, type TlsProfileName } from "../tls/profiles";
import { accountsPlan } from "./accounts";
import { DAEMONS } from "./daemons";
import { srsPlan } from "./srs";
import { bruteForcePlan } from "./brute-force";
import { contentFilterPlan } from "./content-filter";
import { DELIVERY_LIMITS, PRIORITY_RANK } from "./delivery-priority";
import { SERVICES } from "../catalogue/services";
import type { ServiceName } from "../model/schema";
import type {
  AddressPlan,
  BouncePlan,
  ChannelPlan,
  ClientAutoconfigPlan,
  DkimPlan,
  DomainPlan,
  ForwardPlan,
  GroupPlacement,
  HostPlan,
  MtaStsPlan,
  Plan,
  PlanOptions,
  PortPlan,
  TransportPlan,
} from "./types";
import { homeOf, mxHostsOf } from "../model/group-home";
import { when } from "./when";

/** The port nginx serves MTA-STS policies and client autoconfiguration on (HTTPS). */
const HTTPS_PORT = 443;

/**
 * The port of the host-to-host channel on a home host's private address. Not 25: the channel
 * takes only the platform's backup MX, skips what they already checked, and is never opened
 * to the Internet.
 */
export const HOST_CHANNEL_PORT = 10025;

/** Name of the forwarding transport of a group on its backup MX. */
export function forwardName(group: string): string {
  return `home-${group}`;
}

/** Name of the outbound transport of a group. */
export function transportName(group: string): string {
  return `out-${group}`;
}

/** Derive the plan of a validated platform. */
export function plan(spec: PlatformSpec, options: PlanOptions = {}): Plan {
  const services = SERVICES.filter((s) => spec.services[s.name]);
  const listenPorts = Object.fromEntries(SERVICES.map((s) => [s.name, options.listenPorts?.[s.name] ?? s.port])) as Record<ServiceName, number>;
  const defaultGroup = spec.outbound.defaultGroup ?? lowestPriorityGroup(spec);
  const dkim = dkimPlan(spec);
  const mtaSts = mtaStsPlan(spec);
  const accounts = accountsPlan(spec);
  const srs = srsPlan(spec, accounts);
  const autoconfig = clientAutoconfigPlan(spec);
  const bruteForce = bruteForcePlan(spec, services, listenPorts);
  const contentFilter = contentFilterPlan(spec);
  const https = mtaSts.served || autoconfig.served;
  const domains: DomainPlan[] = spec.groups.flatMap((g) =>
    g.domains.map((d) => ({ name: d.name, group: g.name, transport: transportName(g.name), requireTlsInbound: d.requireTlsInbound })),
  );
  const placed = placeGroups(spec);
  const hosts: HostPlan[] = spec.hosts.map((host) => {
    const addresses: AddressPlan[] = placed.flatMap(({ addressOn }) => addressOn.get(host.name) ?? []);
    const transports: TransportPlan[] = addresses.map((address) => {
      const group = spec.groups.find((g) => g.name === address.group)!;
      return {
        name: transportName(group.name),
        group: group.name,
        priority: group.priority,
        bindAddress: address.privateIp,
        heloName: address.hostName,
        limits: DELIVERY_LIMITS[group.priority],
        paused: group.outbound.paused,
      };
    });
    const homeAddresses = addresses.filter((a) => a.role === "home");
    // A backup address listens on port 25 only: clients and submission belong to the home.
    const listeners = services.flatMap((service) =>
      addresses.filter((a) => a.role === "home" || service.name === "smtp").map((address) => ({ service, address, port: listenPorts[service.name] })),
    );
    const forwards = addresses.filter((a) => a.role === "backup").map((address) => forwardPlan(spec, placed, address, host.name));
    const channel = channelPlan(placed, host.name);
    const bounce = bouncePlan(spec, dkim, hostDefaultGroup(spec, defaultGroup, addresses), addresses);
    return {
      name: host.name,
      os: host.os ?? spec.os,
      primaryHostName: bounce.hostName,
      addresses,
      listeners,
      transports,
      defaultTransport: bounce.transport,
      bounce,
      homeGroups: homeAddresses.map((a) => a.group),
      forwards,
      ...(channel === undefined ? {} : { channel }),
      expectedListeners: [
        ...listeners.map((l) => [l.address.privateIp, l.port] as const),
        ...(channel === undefined ? [] : [[channel.address.privateIp, channel.port] as const]),
        ...when(https, ...homeAddresses.map((a) => [a.privateIp, HTTPS_PORT] as const)),
      ],
    };
  });
  const placements: GroupPlacement[] = placed.map(({ group, home, mxHosts, addressOn }) => ({
    group,
    home,
    mxHosts: mxHosts.map((h) => ({ host: h, address: addressOn.get(h)! })),
  }));
  const ports: PortPlan[] = [
    ...services.map((s): PortPlan => ({ port: s.port, service: s.name, description: s.description })),
    ...when<PortPlan>(https, httpsPort(mtaSts, autoconfig)),
  ].sort((a, b) => a.port - b.port);
  return {
    spec,
    mxTls: resolveProfile(spec, spec.tls.profile),
    clientTls: resolveProfile(spec, spec.tls.clientProfile ?? spec.tls.profile),
    services,
    domains,
    hosts,
    placements,
    ports,
    ...(placed.some((p) => p.mxHosts.length > 1) ? { channelPort: HOST_CHANNEL_PORT } : {}),
    postscreen: spec.services.smtp && spec.dnsbl.sites.length > 0,
    dkim,
    mtaSts,
    autoconfig,
    daemons: DAEMONS.filter((daemon) => daemon.runs({ dkim, mtaSts, srs, autoconfig, bruteForce, contentFilter })),
    accounts,
    srs,
    bruteForce,
    contentFilter,
    listenPorts,
  };
}

/** A group with its home, its MX hosts (home first) and its address on each. */
interface PlacedGroup {
  readonly group: string;
  readonly home: string;
  readonly mxHosts: readonly string[];
  readonly addressOn: ReadonlyMap<string, AddressPlan>;
}

function placeGroups(spec: PlatformSpec): PlacedGroup[] {
  return spec.groups.map((group) => {
    const home = homeOf(spec, group);
    if (home === undefined) throw new Error(`group ${group.name} has no home host (the model checks prevent this)`);
    const addressOn = new Map<string, AddressPlan>();
    for (const address of group.addresses) {
      const dir = `${spec.tls.certificateDirectory.replace(/\/$/, "")}/${address.hostName}`;
      addressOn.set(address.host, {
        group: group.name,
        role: address.host === home ? "home" : "backup",
        privateIp: address.privateIp,
        ...(address.publicIp === undefined ? {} : { publicIp: address.publicIp }),
        hostName: address.hostName,
        certificate: { name: address.hostName, chainFile: `${dir}/fullchain.pem`, keyFile: `${dir}/privkey.pem` },
      });
    }
    return { group: group.name, home, mxHosts: mxHostsOf(spec, group), addressOn };
  });
}

/** The address a home host's channel listens on: its first home address (group order). */
function channelAddressOf(placed: readonly PlacedGroup[], host: string): AddressPlan | undefined {
  return placed.find((p) => p.home === host)?.addressOn.get(host);
}

/** The channel of a home host, open to the backup addresses of its groups (none when they have no backup). */
function channelPlan(placed: readonly PlacedGroup[], host: string): ChannelPlan | undefined {
  const peers = placed.filter((p) => p.home === host).flatMap((p) => p.mxHosts.slice(1).map((backup) => p.addressOn.get(backup)!.privateIp));
  const address = channelAddressOf(placed, host);
  if (peers.length === 0 || address === undefined) return undefined;
  return { address, port: HOST_CHANNEL_PORT, peers };
}

/** How a backup MX forwards one group's mail to the group's home channel. */
function forwardPlan(spec: PlatformSpec, placed: readonly PlacedGroup[], address: AddressPlan, host: string): ForwardPlan {
  const group = placed.find((p) => p.group === address.group)!;
  if (address.role !== "backup" || host === group.home) throw new Error(`host ${host} is not a backup MX of group ${group.group}`);
  const channelAddress = channelAddressOf(placed, group.home)!;
  return {
    name: forwardName(group.group),
    group: group.group,
    domains: spec.groups.find((g) => g.name === group.group)!.domains.map((d) => d.name),
    homeHost: group.home,
    channelAddress: channelAddress.privateIp,
    channelPort: HOST_CHANNEL_PORT,
    channelCertificateName: channelAddress.hostName,
    bindAddress: address.privateIp,
    heloName: address.hostName,
  };
}

/** The bounce group of a host: its address there, and the domain whose key signs its notifications. */
function bouncePlan(spec: PlatformSpec, dkim: DkimPlan, group: string, addresses: readonly AddressPlan[]): BouncePlan {
  const address = addresses.find((a) => a.group === group)!;
  const domains = spec.groups.find((g) => g.name === group)!.domains.map((d) => d.name);
  const signs = dkim.groupKeys.has(group) && address.role === "home";
  // The domain the host name lies in aligns with MAILER-DAEMON@<host name> (DMARC, relaxed).
  const aligned = domains.find((d) => address.hostName === d || address.hostName.endsWith(`.${d}`));
  return {
    group,
    transport: transportName(group),
    hostName: address.hostName,
    ...(signs ? { signingDomain: aligned ?? domains[0]! } : {}),
  };
}

/**
 * The host's bounce group (and default transport): the platform's default group where this is its
 * home, else the host's lowest-priority home group (signed, under a name of its own), else the
 * platform's default or lowest-priority group among those it backs up (a pure backup MX).
 */
function hostDefaultGroup(spec: PlatformSpec, platformDefault: string, addresses: readonly AddressPlan[]): string {
  const home = addresses.filter((a) => a.role === "home");
  const candidates = home.length > 0 ? home : addresses;
  if (candidates.some((a) => a.group === platformDefault)) return platformDefault;
  return lowestPriorityGroup({ groups: spec.groups.filter((g) => candidates.some((a) => a.group === g.name)) });
}

function dkimPlan(spec: PlatformSpec): DkimPlan {
  const groupKeys = new Map<string, DkimKeySpec>();
  for (const group of spec.groups) {
    const key = groupDkimKey(spec, group);
    if (key) groupKeys.set(group.name, key);
  }
  return {
    signs: groupKeys.size > 0,
    groupKeys,
    privateKeyParameters: [...new Set([...groupKeys.values()].map((key) => key.privateKeyParameter))],
  };
}

function mtaStsPlan(spec: PlatformSpec): MtaStsPlan {
  const settings = spec.dns?.mtaSts;
  return settings && servesMtaSts(spec) ? { served: true, settings, hostNames: mtaStsNames(spec) } : { served: false, hostNames: [] };
}

function clientAutoconfigPlan(spec: PlatformSpec): ClientAutoconfigPlan {
  const settings = spec.dns?.clientAutoconfig;
  if (!settings || !servesClientAutoconfig(spec)) return { served: false, hostNames: [] };
  return { served: true, ...(settings.displayName === undefined ? {} : { displayName: settings.displayName }), hostNames: clientAutoconfigNames(spec) };
}

/**
 * The one firewall opening of nginx. Its service stays `mta-sts` whenever MTA-STS is served: the
 * name is the rule's construct id, and switching autoconfiguration on must not replace the rule.
 */
function httpsPort(mtaSts: MtaStsPlan, autoconfig: ClientAutoconfigPlan): PortPlan {
  if (!autoconfig.served) return { port: HTTPS_PORT, service: "mta-sts", description: "MTA-STS policy over HTTPS" };
  if (!mtaSts.served) return { port: HTTPS_PORT, service: "autoconfig", description: "mail client autoconfiguration over HTTPS" };
  return { port: HTTPS_PORT, service: "mta-sts", description: "MTA-STS policy and mail client autoconfiguration over HTTPS" };
}

function lowestPriorityGroup(spec: Pick<PlatformSpec, "groups">): string {
  let chosen = spec.groups[0]!;
  for (const group of spec.groups) {
    if (PRIORITY_RANK[group.priority] < PRIORITY_RANK[chosen.priority]) chosen = group;
  }
  return chosen.name;
}

function resolveProfile(spec: PlatformSpec, name: TlsProfileName): TlsProfile {
  if (name !== "custom") return NAMED_PROFILES[name];
  const custom = spec.tls.custom;
  if (!custom) throw new Error("custom TLS profile without tls.custom (the model checks prevent this)");
  return {
    name: "custom",
    minProtocol: custom.minProtocol,
    cipherList: custom.ciphers,
    preferServerCiphers: custom.preferServerCiphers,
    cipherOrderWhy: custom.preferServerCiphers
      ? "The server's order wins (tls.custom.preferServerCiphers)."
      : "The client chooses (tls.custom.preferServerCiphers).",
    sessionTickets: false,
    // Whether a free-form string selects DHE is OpenSSL's call; providing the parameters is harmless.
    usesDhe: true,
    summary: "custom policy",
  };
}
