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
import { DELIVERY_LIMITS, PRIORITY_RANK } from "./delivery-priority";
import { SERVICES } from "../catalogue/services";
import type { ServiceName } from "../model/schema";
import type { AddressPlan, ClientAutoconfigPlan, DkimPlan, DomainPlan, HostPlan, MtaStsPlan, Plan, PlanOptions, PortPlan, TransportPlan } from "./types";
import { when } from "./when";

/** The port nginx serves MTA-STS policies and client autoconfiguration on (HTTPS). */
const HTTPS_PORT = 443;

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
  const https = mtaSts.served || autoconfig.served;
  const domains: DomainPlan[] = spec.groups.flatMap((g) =>
    g.domains.map((d) => ({ name: d.name, group: g.name, transport: transportName(g.name), requireTlsInbound: d.requireTlsInbound })),
  );
  const hosts: HostPlan[] = spec.hosts.map((host) => {
    const addresses: AddressPlan[] = spec.groups.map((group) => {
      const address = group.addresses.find((a) => a.host === host.name);
      if (!address) throw new Error(`group ${group.name} has no address on host ${host.name} (the model checks prevent this)`);
      const dir = `${spec.tls.certificateDirectory.replace(/\/$/, "")}/${address.hostName}`;
      return {
        group: group.name,
        privateIp: address.privateIp,
        ...(address.publicIp === undefined ? {} : { publicIp: address.publicIp }),
        hostName: address.hostName,
        certificate: { name: address.hostName, chainFile: `${dir}/fullchain.pem`, keyFile: `${dir}/privkey.pem` },
      };
    });
    const transports: TransportPlan[] = spec.groups.map((group, i) => ({
      name: transportName(group.name),
      group: group.name,
      priority: group.priority,
      bindAddress: addresses[i]!.privateIp,
      heloName: addresses[i]!.hostName,
      limits: DELIVERY_LIMITS[group.priority],
    }));
    const listeners = services.flatMap((service) => addresses.map((address) => ({ service, address, port: listenPorts[service.name] })));
    return {
      name: host.name,
      os: host.os ?? spec.os,
      primaryHostName: addresses[0]!.hostName,
      addresses,
      listeners,
      transports,
      defaultTransport: transportName(defaultGroup),
      expectedListeners: [
        ...listeners.map((l) => [l.address.privateIp, l.port] as const),
        ...when(https, ...addresses.map((a) => [a.privateIp, HTTPS_PORT] as const)),
      ],
    };
  });
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
    ports,
    postscreen: spec.services.smtp && spec.dnsbl.sites.length > 0,
    dkim,
    mtaSts,
    autoconfig,
    daemons: DAEMONS.filter((daemon) => daemon.runs({ dkim, mtaSts, srs, autoconfig })),
    accounts,
    srs,
    listenPorts,
  };
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

function lowestPriorityGroup(spec: PlatformSpec): string {
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
    // Whether a free-form string selects DHE is OpenSSL's call; providing the parameters is harmless.
    usesDhe: true,
    summary: "custom policy",
  };
}
