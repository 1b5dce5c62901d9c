/**
 * Thunderbird's autoconfig document (clientConfig version 1.1, as served at
 * https://autoconfig.<domain>/mail/config-v1.1.xml; format: wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat)
 * for one group domain: one incoming server per enabled IMAP/POP3 service and host, one outgoing
 * server per enabled submission service and host, most preferred first (implicit TLS before
 * STARTTLS, RFC 8314), from the same endpoints as the SRV records.
 */
import { preferredClientServices } from "../../plan/client-endpoints";
import type { DomainPlan, Plan } from "../../plan/types";
import { xmlDnsName, xmlText } from "./xml-text";

/** Thunderbird's `socketType` for a TLS mode. */
export const THUNDERBIRD_SOCKET_TYPE = { implicit: "SSL", starttls: "STARTTLS" } as const;

/** The autoconfig document of one domain. */
export function thunderbirdConfig(plan: Plan, domain: DomainPlan): string {
  const file = `autoconfig for ${domain.name}`;
  const name = xmlDnsName(file, "domain", domain.name);
  const displayName = xmlText(file, "displayName", plan.autoconfig.served ? (plan.autoconfig.displayName ?? domain.name) : domain.name);
  const servers = preferredClientServices(plan, domain.group).flatMap(({ service, endpoints }) => {
    const element = service.protocol === "smtp" ? "outgoingServer" : "incomingServer";
    return endpoints.flatMap((endpoint) => [
      `    <${element} type="${service.protocol}">`,
      `      <hostname>${xmlDnsName(file, "hostname", endpoint.hostName)}</hostname>`,
      `      <port>${endpoint.port}</port>`,
      `      <socketType>${THUNDERBIRD_SOCKET_TYPE[service.tls]}</socketType>`,
      // Logins are full addresses (Dovecot's passdb and Postfix's sender logins key on them).
      "      <username>%EMAILADDRESS%</username>",
      // Cleartext only inside TLS: every listed socket is TLS from before AUTH.
      "      <authentication>password-cleartext</authentication>",
      `    </${element}>`,
    ]);
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${name}">`,
    `    <domain>${name}</domain>`,
    `    <displayName>${displayName}</displayName>`,
    `    <displayShortName>${displayName}</displayShortName>`,
    ...servers,
    "  </emailProvider>",
    "</clientConfig>",
    "",
  ].join("\n");
}
