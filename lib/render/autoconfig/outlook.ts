/**
 * Outlook's autodiscover answer (POX, "Autodiscover for Outlook" response schema 2006a) for one
 * group: one `Protocol` per enabled IMAP/POP3/submission service and host, most preferred first,
 * from the same endpoints as the SRV records. It is the same for every address of the group, so
 * it is a static file: `LoginName` is left out (Outlook then logs in with the address it asked
 * about, which is the login here).
 */
import { preferredClientServices } from "../../plan/client-endpoints";
import type { Plan } from "../../plan/types";
import { xmlDnsName } from "./xml-text";

/** The outer and inner namespaces of the response. */
export const AUTODISCOVER_NAMESPACE = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
export const OUTLOOK_RESPONSE_NAMESPACE = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/** Autodiscover's `Type` of a protocol. */
export const OUTLOOK_TYPE = { imap: "IMAP", pop3: "POP3", smtp: "SMTP" } as const;

/**
 * Autodiscover's `Encryption` of a TLS mode: `SSL` is TLS from the first byte, `TLS` is STARTTLS.
 * `SSL` (the older element, which `Encryption` overrides) is on only for implicit TLS, so that a
 * client that knows no `Encryption` never speaks TLS first on a STARTTLS port.
 */
export const OUTLOOK_ENCRYPTION = { implicit: "SSL", starttls: "TLS" } as const;

/** The autodiscover response of one group. */
export function outlookAutodiscover(plan: Plan, group: string): string {
  const file = `autodiscover for group ${group}`;
  const protocols = preferredClientServices(plan, group).flatMap(({ service, endpoints }) =>
    endpoints.flatMap((endpoint) => [
      "      <Protocol>",
      `        <Type>${OUTLOOK_TYPE[service.protocol]}</Type>`,
      `        <Server>${xmlDnsName(file, "Server", endpoint.hostName)}</Server>`,
      `        <Port>${endpoint.port}</Port>`,
      "        <DomainRequired>off</DomainRequired>",
      // No NTLM/SPA: password authentication inside TLS.
      "        <SPA>off</SPA>",
      `        <SSL>${service.tls === "implicit" ? "on" : "off"}</SSL>`,
      `        <Encryption>${OUTLOOK_ENCRYPTION[service.tls]}</Encryption>`,
      "        <AuthRequired>on</AuthRequired>",
      "      </Protocol>",
    ]),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Autodiscover xmlns="${AUTODISCOVER_NAMESPACE}">`,
    `  <Response xmlns="${OUTLOOK_RESPONSE_NAMESPACE}">`,
    "    <Account>",
    "      <AccountType>email</AccountType>",
    "      <Action>settings</Action>",
    ...protocols,
    "    </Account>",
    "  </Response>",
    "</Autodiscover>",
    "",
  ].join("\n");
}
