/**
 * The host's own DNS resolver: unbound (Debian package), validating DNSSEC with the root trust
 * anchor of Debian's dns-root-data, answering this host only. Postfix's DNS blocklists need it:
 * large blocklists (Spamhaus) refuse or answer with error codes the queries of shared cloud
 * resolvers such as the VPC resolver, so they must come from the host's own address; and DANE
 * needs answers whose DNSSEC was checked. Rendered as the whole /etc/unbound/unbound.conf (Debian's
 * include of unbound.conf.d is replaced), the same text for Debian 12 (unbound 1.17) and Debian 13 (a newer 1.x; every option here exists in both).
 */
import type { HostPlan, Plan } from "../../plan/types";
import { generatedHeader } from "../header";
import { UnsafeValueError, type RenderedFile } from "../rendered-file";

/** Where the rendered configuration goes on a host. */
export const UNBOUND_CONF = "etc/unbound/unbound.conf";

/** Where the host's resolver listens and what it trusts; a live test moves them. */
export interface ResolverPlacement {
  /** The addresses unbound listens on (port 53). @default ["127.0.0.1", "::1"] */
  readonly interfaces: readonly string[];
  /**
   * The root trust anchor, kept current by unbound (RFC 5011); Debian's unbound unit copies
   * dns-root-data's key there before the first start.
   * @default "/var/lib/unbound/root.key"
   */
  readonly rootTrustAnchorFile: string;
  /** unbound-control's socket (root only). @default "/run/unbound.ctl" */
  readonly controlSocket: string;
}

/** The production placement: loopback only, Debian's paths. */
export const HOST_RESOLVER: ResolverPlacement = {
  interfaces: ["127.0.0.1", "::1"],
  rootTrustAnchorFile: "/var/lib/unbound/root.key",
  controlSocket: "/run/unbound.ctl",
};

/** The address resolv.conf names (the first listening address). */
export function resolverAddress(placement: ResolverPlacement = HOST_RESOLVER): string {
  return placement.interfaces[0]!;
}

function address(value: string): string {
  if (!/^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]+)$/.test(value)) throw new UnsafeValueError("unbound.conf", "interface", value, "an IPv4 or IPv6 address");
  return value;
}

function path(value: string): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(value))
    throw new UnsafeValueError("unbound.conf", "a file path", value, "an absolute path of letters, digits and ._/- only");
  return `"${value}"`;
}

/** One setting with the reason it is there (a comment above it). */
type Line = readonly [why: string | undefined, setting: string];

/** Render unbound.conf of a host. */
export function renderUnboundConf(plan: Plan, host: HostPlan, placement: ResolverPlacement = HOST_RESOLVER): RenderedFile {
  const server: Line[] = [
    [
      "Loopback only: this host's resolver, never an open resolver for the Internet.",
      placement.interfaces.map((a) => `interface: ${address(a)}`).join("\n    "),
    ],
    [undefined, "port: 53"],
    [
      "Queries from anywhere but this host are refused, even if a listening address were reachable.",
      ["access-control: 0.0.0.0/0 refuse", "access-control: ::/0 refuse", "access-control: 127.0.0.0/8 allow", "access-control: ::1/128 allow"].join("\n    "),
    ],
    [
      "The validator in front of the iterator, nothing else: Debian's build would add the EDNS client-subnet cache,\n    # which a host's own resolver has no use for (and which warns that prefetch does not cover it).",
      'module-config: "validator iterator"',
    ],
    [
      "DNSSEC: answers are validated from the root down; a forged or broken signature gives SERVFAIL, never the\n    # forged answer, and Postfix sees the AD flag that DANE needs (smtp_dns_support_level = dnssec).",
      `auto-trust-anchor-file: ${path(placement.rootTrustAnchorFile)}`,
    ],
    ["Why a validation failed, in the log (one line per failure).", "val-log-level: 1"],
    ["Ask each server only for the next label it must know (RFC 9156): blocklists and zones learn less.", "qname-minimisation: yes"],
    ["Relaxed mode: a server that answers NXDOMAIN for an empty name does not break the lookup.", "qname-minimisation-strict: no"],
    [
      "Spoofing defences: records outside the answering server's zone are ignored, and a reply of a signed zone\n    # stripped of its signatures is bogus, not insecure.",
      "harden-glue: yes\n    harden-dnssec-stripped: yes",
    ],
    ["Many unexpected replies are a poisoning attempt: the cache is flushed when they pile up.", "unwanted-reply-threshold: 10000000"],
    ["Nothing tells a prober which server and version answers.", "hide-identity: yes\n    hide-version: yes"],
    [
      "Modest caches: the smallest instance a mail host runs on has 2 GiB (unbound's defaults are 4 MB each). The\n    # rrset cache is twice the message cache, as unbound advises; one thread serves one host's lookups.",
      "num-threads: 1\n    msg-cache-size: 16m\n    rrset-cache-size: 32m",
    ],
    [
      "Popular names are refreshed shortly before they expire, so a DNSBL or MX lookup seldom waits. Blocklist answers\n    # (127.0.0.x) are kept as they are: no private-address filter, which would drop them.",
      "prefetch: yes",
    ],
  ];
  const text = [
    generatedHeader(plan.spec.name, host.name),
    "# The host's own validating resolver; /etc/resolv.conf names it, and Postfix's chroot copies that file.",
    "# Debian's unbound.conf.d is not included: every setting is here.",
    "server:",
    ...server.flatMap(([why, setting]) => [...(why === undefined ? [] : [`    # ${why}`]), `    ${setting}`]),
    "",
    "# unbound-control (flush a name, show statistics) over a Unix socket only root can use: no TCP port, no keys.",
    "remote-control:",
    "    control-enable: yes",
    `    control-interface: ${path(placement.controlSocket)}`,
    "",
  ].join("\n");
  return { path: UNBOUND_CONF, content: text, mode: "0644" };
}
