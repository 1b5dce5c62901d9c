/**
 * What dovecot.conf says the same way in Dovecot 2.3 and 2.4, read off the plan once: the
 * protocols, the login services with their listeners, the sockets inside Postfix's spool and the
 * special-use folders. Only the listener's address keyword differs (`address` in 2.3, `listen`
 * in 2.4).
 */
import { homeAddresses } from "../../plan/host-scope";
import { serviceInfo } from "../../catalogue/services";
import type { HostPlan, Plan } from "../../plan/types";
import { when } from "../../plan/when";
import type { ServiceName } from "../../model/schema";
import type { HostPaths } from "../host-paths";
import { block, setting, type DovecotNode } from "./conf-format";

/** Standard special-use folders (RFC 6154) every mailbox gets. */
export const SPECIAL_USE_FOLDERS: ReadonlyArray<readonly [string, string]> = [
  ["Drafts", "\\Drafts"],
  ["Junk", "\\Junk"],
  ["Sent", "\\Sent"],
  ["Trash", "\\Trash"],
];

/** The protocols Dovecot serves: IMAP and POP3 when any of their ports is on, LMTP always, ManageSieve (`sieve`) when on. */
export function dovecotProtocols(plan: Plan): string[] {
  const { services } = plan.spec;
  return [...when(services.imap || services.imaps, "imap"), ...when(services.pop3 || services.pop3s, "pop3"), "lmtp", ...when(services.managesieve, "sieve")];
}

function listenerBlock(plan: Plan, host: HostPlan, service: ServiceName, addressKeyword: "address" | "listen"): DovecotNode {
  const info = serviceInfo(service);
  const enabled = plan.spec.services[service];
  return block(
    "inet_listener",
    service,
    [
      setting(
        addressKeyword,
        homeAddresses(host)
          .map((a) => a.privateIp)
          .join(", "),
      ),
      setting("port", enabled ? plan.listenPorts[service] : 0),
      ...when(info.tls === "implicit", setting("ssl", true)),
    ],
    enabled ? `${info.description} on every group address.` : `${info.description} is off: port 0, so Dovecot's built-in listener stays closed.`,
  );
}

/** The imap-login and pop3-login services with both listeners each (the one that is off on port 0). */
export function loginServices(plan: Plan, host: HostPlan, addressKeyword: "address" | "listen"): DovecotNode[] {
  const { services } = plan.spec;
  const nodes: DovecotNode[] = [];
  if (services.imap || services.imaps) {
    nodes.push(block("service", "imap-login", [listenerBlock(plan, host, "imap", addressKeyword), listenerBlock(plan, host, "imaps", addressKeyword)]));
  }
  if (services.pop3 || services.pop3s) {
    nodes.push(block("service", "pop3-login", [listenerBlock(plan, host, "pop3", addressKeyword), listenerBlock(plan, host, "pop3s", addressKeyword)]));
  }
  return nodes;
}

function postfixSocket(paths: HostPaths, path: string, mode: string): DovecotNode {
  return block("unix_listener", `${paths.postfixSpool}/${path}`, [setting("mode", mode), setting("user", "postfix"), setting("group", "postfix")]);
}

/** LMTP delivery and SASL sockets inside Postfix's queue directory (reachable from its chroot). */
export function postfixSockets(paths: HostPaths): DovecotNode[] {
  return [
    block(
      "service",
      "lmtp",
      [postfixSocket(paths, "private/dovecot-lmtp", "0600")],
      "Delivery socket inside Postfix's queue directory (reachable from its chroot).",
    ),
    block("service", "auth", [postfixSocket(paths, "private/auth", "0660")], "SASL socket for Postfix submission (smtpd_sasl_path = private/auth)."),
  ];
}
