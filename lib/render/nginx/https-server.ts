/**
 * One nginx HTTPS server block: bound to one group address on 443, one name, that name's
 * certificate (certbot's layout below the certificate directory) and a TLS profile, with
 * Mozilla's details: the profile's cipher order, Mozilla's curves (X25519MLKEM768 first where
 * OpenSSL knows it), RFC 7919's ffdhe2048 for DHE suites, no session tickets (sessions resume
 * from a shared cache, as Mozilla's nginx configuration does), no version in headers, HSTS and
 * headers that forbid scripts, frames and type sniffing.
 */
import type { HostPlan, Plan } from "../../plan/types";
import { when } from "../../plan/when";
import { keyExchangeGroups } from "../../tls/groups";
import { TLS_PROTOCOLS, type TlsProfile } from "../../tls/profiles";
import type { HostPaths } from "../host-paths";

/**
 * The session cache every server block shares (one zone: nginx allows it in several servers when
 * name and size agree). 10 MB hold about 40 000 sessions (Mozilla's size).
 */
export const SESSION_CACHE = "shared:MailPlatformTLS:10m";

/** A server block for `name` on `address`:443 with the given locations (lines, indented by four). */
export function httpsServer(
  plan: Plan,
  host: HostPlan,
  paths: HostPaths,
  site: { readonly address: string; readonly name: string; readonly tls: TlsProfile },
  locations: readonly string[],
): string {
  const { address, name, tls } = site;
  const certificates = plan.spec.tls.certificateDirectory.replace(/\/$/, "");
  const protocols = TLS_PROTOCOLS.slice(TLS_PROTOCOLS.indexOf(tls.minProtocol)).join(" ");
  return [
    "server {",
    `    listen ${address}:443 ssl;`,
    `    server_name ${name};`,
    "    server_tokens off;",
    // Mozilla's HSTS (two years; this name only). The answers are plain policy, XML and 404s: no
    // script, frame or sniffing has a use, so the strictest policy costs nothing.
    '    add_header Strict-Transport-Security "max-age=63072000" always;',
    "    add_header X-Content-Type-Options nosniff always;",
    `    add_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'" always;`,
    `    ssl_certificate ${certificates}/${name}/fullchain.pem;`,
    `    ssl_certificate_key ${certificates}/${name}/privkey.pem;`,
    `    ssl_protocols ${protocols};`,
    `    ssl_ciphers ${tls.cipherList};`,
    `    ssl_prefer_server_ciphers ${tls.preferServerCiphers ? "on" : "off"};`,
    `    ssl_ecdh_curve ${keyExchangeGroups(host.os).join(":")};`,
    ...when(tls.usesDhe, `    ssl_dhparam ${paths.dhParameters};`),
    `    ssl_session_tickets ${tls.sessionTickets ? "on" : "off"};`,
    `    ssl_session_cache ${SESSION_CACHE};`,
    "    ssl_session_timeout 1d;",
    ...locations,
    "}",
  ].join("\n");
}
