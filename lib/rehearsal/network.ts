/**
 * The rehearsal's network: the host container in a network namespace of its own, joined by a veth
 * pair to a bridge on the test side. The bridge carries what a host sees of AWS and the Internet
 * (the instance metadata service and resolver at their link-local addresses, the AWS endpoints,
 * the ACME server, the Debian mirror, an outside mail server, the DNS root servers), each on its own address; the
 * container's interface carries every group address of the host, as its ENI does on AWS.
 * Several hosts join the same bridge, each in a namespace of its own; they reach each other's
 * addresses directly over the bridge, as a VPC's local route delivers between its subnets (each
 * namespace has an on-link route to every other host's addresses), not through the test side.
 *
 * The test side is this machine's own namespace, so tests probe the host directly. Its changes
 * are confined to interfaces named `mpr…` and host routes to the container's addresses, and are
 * removed by `destroy()`.
 */
import { UserError } from "../errors";
import { execFileSync, spawnSync } from "child_process";
import { existsSync } from "fs";
import { ROOT_ADDRESSES } from "./world-root";

/** Where each stand-in of the outside world listens, on the test side of the bridge. */
export const WORLD_ADDRESSES = {
  /** EC2's instance metadata service. */
  imds: "169.254.169.254",
  /** EC2's link-local DNS resolver (the VPC resolver). */
  resolver: "169.254.169.253",
  /** Every AWS API endpoint the host calls (one HTTPS server, dispatching by host name). */
  aws: "198.18.0.10",
  /** The ACME server (pebble). */
  acme: "198.18.0.20",
  /** pebble-challtestsrv: the DNS server pebble validates DNS-01 challenges with. */
  challengeDns: "198.18.0.21",
  /** An outside mail server: every foreign MX points here. */
  outsideMx: "198.18.0.25",
  /** The Debian mirror (a forwarder to the real one). */
  mirror: "198.18.0.30",
  /** Where probes come from when they must not be the gateway (an Internet client). */
  client: "198.18.0.40",
  /** An Internet client every configured blocklist lists (see world-dns). */
  listedClient: "198.18.0.66",
} as const;

function ip(args: readonly string[]): void {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  if (result.status !== 0) throw new UserError(`ip ${args.join(" ")} failed (a rehearsal needs iproute2 and root): ${result.stderr.trim()}`);
}

/** The gateway a host address's /24 uses (its .1), as in a default VPC subnet. */
export function gatewayOf(address: string): string {
  return `${address.split(".").slice(0, 3).join(".")}.1`;
}

/** One container's attachment: its namespace and the addresses on its interface. */
export interface ContainerLink {
  /** The host it belongs to (the model's name). */
  readonly host: string;
  /** Network namespace name (`ip netns`). */
  readonly namespace: string;
  /** Path for `systemd-nspawn --network-namespace-path`. */
  readonly namespacePath: string;
  /** The addresses configured on the container's eth0 before boot (the primary). */
  readonly primary: string;
  /** Every address of the host (the setup script adds the secondaries, as on EC2). */
  readonly addresses: readonly string[];
}

/** The bridge and the containers joined to it. */
export class RehearsalNetwork {
  private readonly links: ContainerLink[] = [];
  private readonly routes: string[] = [];
  private readonly bridge: string;

  /** @param id a short id (letters and digits) that names this rehearsal's interfaces. */
  constructor(private readonly id: string) {
    if (!/^[a-z0-9]{1,6}$/.test(id)) throw new UserError(`network id must be 1-6 lowercase letters or digits, got ${JSON.stringify(id)}`);
    this.bridge = `mprb-${id}`;
  }

  /** Create the bridge with the outside world's addresses. */
  create(): void {
    this.destroy();
    ip(["link", "add", this.bridge, "type", "bridge"]);
    for (const address of Object.values(WORLD_ADDRESSES)) ip(["addr", "add", `${address}/32`, "dev", this.bridge]);
    // The root servers' addresses: a host's own resolver starts there (see world-root).
    for (const address of ROOT_ADDRESSES) ip(["addr", "add", `${address}/32`, "dev", this.bridge]);
    ip(["link", "set", this.bridge, "up"]);
  }

  /**
   * A namespace for one host, joined to the bridge: eth0 carries the primary address (what EC2's
   * DHCP gives the ENI), a default route via the subnet's gateway, and the loopback interface.
   * @param mac the ENI's MAC address, given to eth0 so that the interface and the instance
   *   metadata's `network/interfaces/macs/` agree, as on EC2. @default the kernel's random one
   */
  attach(host: string, addresses: readonly string[], mac?: string): ContainerLink {
    const index = this.links.length;
    const namespace = `mpr-${this.id}-${index}`;
    const outer = `mprv-${this.id}-${index}`;
    const primary = addresses[0];
    if (primary === undefined) throw new UserError(`host ${host} has no address; a rehearsed host needs at least one group address`);
    const gateway = gatewayOf(primary);
    if (addresses.includes(gateway))
      throw new UserError(`host ${host} uses ${gateway}, the gateway address of its subnet (EC2 reserves it); choose another private address`);
    ip(["netns", "add", namespace]);
    ip(["link", "add", outer, "type", "veth", "peer", "name", `${outer}p`]);
    ip(["link", "set", `${outer}p`, "netns", namespace]);
    ip(["-n", namespace, "link", "set", `${outer}p`, "name", "eth0"]);
    if (mac !== undefined) ip(["-n", namespace, "link", "set", "eth0", "address", mac]);
    ip(["-n", namespace, "addr", "add", `${primary}/24`, "dev", "eth0"]);
    ip(["-n", namespace, "link", "set", "eth0", "up"]);
    ip(["-n", namespace, "link", "set", "lo", "up"]);
    ip(["-n", namespace, "route", "add", "default", "via", gateway]);
    ip(["link", "set", outer, "master", this.bridge]);
    ip(["link", "set", outer, "up"]);
    const assigned = spawnSync("ip", ["-4", "-o", "addr", "show", "dev", this.bridge], { encoding: "utf8" }).stdout;
    if (!assigned.includes(` ${gateway}/`)) ip(["addr", "add", `${gateway}/32`, "dev", this.bridge]);
    // The test side reaches each host address over the bridge, from the Internet client's address;
    // nothing else is routed there.
    for (const address of addresses) {
      ip(["route", "replace", `${address}/32`, "dev", this.bridge, "src", WORLD_ADDRESSES.client]);
      this.routes.push(address);
    }
    // The VPC's local route: every other host's addresses are on the link (the bridge), both ways.
    for (const other of this.links) {
      for (const address of other.addresses) ip(["-n", namespace, "route", "replace", `${address}/32`, "dev", "eth0"]);
      for (const address of addresses) ip(["-n", other.namespace, "route", "replace", `${address}/32`, "dev", "eth0"]);
    }
    const link = { host, namespace, namespacePath: `/run/netns/${namespace}`, primary, addresses: [...addresses] };
    this.links.push(link);
    return link;
  }

  /** Remove everything this rehearsal added (also what an earlier, interrupted run with this id left). */
  destroy(): void {
    for (const address of this.routes.splice(0)) spawnSync("ip", ["route", "del", `${address}/32`, "dev", this.bridge]);
    const namespaces = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout;
    for (const line of namespaces.split("\n")) {
      const name = line.split(" ")[0];
      if (name && name.startsWith(`mpr-${this.id}-`)) spawnSync("ip", ["netns", "del", name]);
    }
    this.links.splice(0);
    if (existsSync(`/sys/class/net/${this.bridge}`)) execFileSync("ip", ["link", "del", this.bridge]);
  }
}
