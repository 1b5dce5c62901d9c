/**
 * One nginx HTTPS server block: bound to one group address on 443, one name, that name's
 * certificate (certbot's layout below the certificate directory) and a TLS profile.
 */
import type { Plan } from "../../plan/types";
import { TLS_PROTOCOLS, type TlsProfile } from "../../tls/profiles";

/** A server block for `name` on `address`:443 with the given locations (lines, indented by four). */
export function httpsServer(plan: Plan, address: string, name: string, tls: TlsProfile, locations: readonly string[]): string {
  const certificates = plan.spec.tls.certificateDirectory.replace(/\/$/, "");
  const protocols = TLS_PROTOCOLS.slice(TLS_PROTOCOLS.indexOf(tls.minProtocol)).join(" ");
  return [
    "server {",
    `    listen ${address}:443 ssl;`,
    `    server_name ${name};`,
    `    ssl_certificate ${certificates}/${name}/fullchain.pem;`,
    `    ssl_certificate_key ${certificates}/${name}/privkey.pem;`,
    `    ssl_protocols ${protocols};`,
    `    ssl_ciphers ${tls.cipherList};`,
    `    ssl_prefer_server_ciphers ${tls.preferServerCiphers ? "on" : "off"};`,
    ...locations,
    "}",
  ].join("\n");
}
