/**
 * TLS profiles as data. Renderers read these; nothing else decides protocols or ciphers.
 *
 * Sources:
 * - Mozilla Server Side TLS guidelines 5.7 (https://wiki.mozilla.org/Security/Server_Side_TLS),
 *   "intermediate" and "modern" configurations.
 * - RFC 8996 deprecates TLS 1.0 and 1.1; OpenSSL 3 (Debian 12) refuses them at its default
 *   security level, so the legacy profile lowers it with `@SECLEVEL=0` on purpose.
 */

/** TLS protocol versions as OpenSSL, Postfix and Dovecot spell them. */
export const TLS_PROTOCOLS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
/** A TLS protocol version. */
export type TlsProtocol = (typeof TLS_PROTOCOLS)[number];

/** The named profiles a platform can choose. */
export const TLS_PROFILE_NAMES = ["intermediate", "modern", "legacy-2015", "custom"] as const;
/** A profile name. */
export type TlsProfileName = (typeof TLS_PROFILE_NAMES)[number];

/** What a profile fixes: the lowest protocol, the TLS ≤ 1.2 cipher list, who orders them and session tickets. */
export interface TlsProfile {
  /** Which profile this is. */
  readonly name: TlsProfileName;
  /** Lowest protocol version accepted. */
  readonly minProtocol: TlsProtocol;
  /** OpenSSL cipher string for TLS 1.2 and below (TLS 1.3 suites are OpenSSL's defaults, all AEAD). */
  readonly cipherList: string;
  /** Whether the server's cipher order wins over the client's. */
  readonly preferServerCiphers: boolean;
  /** Why the profile lets the server (or the client) choose, shown next to the setting. */
  readonly cipherOrderWhy: string;
  /**
   * Whether the servers issue stateless TLS session tickets. Off in every named profile
   * (Mozilla): none of the programs rotates the ticket key on its own schedule, so a ticket key
   * that leaks decrypts every session it covered. Sessions still resume from the server's
   * session cache (Postfix's tlsmgr cache, nginx's shared cache); Dovecot keeps none.
   */
  readonly sessionTickets: boolean;
  /** Whether the list contains DHE suites, which need Diffie-Hellman parameters in Dovecot. */
  readonly usesDhe: boolean;
  /** One line on who this profile is for, shown as a comment in rendered files. */
  readonly summary: string;
}

const MOZILLA_INTERMEDIATE_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "DHE-RSA-AES128-GCM-SHA256",
  "DHE-RSA-AES256-GCM-SHA384",
  "DHE-RSA-CHACHA20-POLY1305",
].join(":");

/** Mozilla "intermediate": TLS 1.2 and 1.3, forward-secret AEAD suites only; the default. */
export const INTERMEDIATE: TlsProfile = {
  name: "intermediate",
  minProtocol: "TLSv1.2",
  cipherList: MOZILLA_INTERMEDIATE_CIPHERS,
  // Mozilla lets the client choose here; the 2015 recipe and testssl.sh ("NOT a cipher order
  // configured", HIGH) want the server's order, and the list is not of one strength.
  preferServerCiphers: true,
  cipherOrderWhy:
    "The server's order wins: the list mixes ECDHE with slower 2048-bit DHE and AES-128 with AES-256, and a client offering both gets ECDHE, in Mozilla's order.",
  sessionTickets: false,
  usesDhe: true,
  summary: "Mozilla intermediate (TLS 1.2 and 1.3, forward-secret AEAD suites)",
};

/** Mozilla "modern": TLS 1.3 only. For client-facing ports where every client is current. */
export const MODERN: TlsProfile = {
  name: "modern",
  minProtocol: "TLSv1.3",
  // Not used for negotiation (TLS 1.3 suites are fixed by OpenSSL); kept so the setting is never empty.
  cipherList: MOZILLA_INTERMEDIATE_CIPHERS,
  // TLS 1.3 suites are all AEAD of one strength class; Mozilla: the client chooses.
  preferServerCiphers: false,
  cipherOrderWhy: "TLS 1.3 only: every suite is AEAD with forward secrecy, so the client may choose what is fastest for it (Mozilla).",
  sessionTickets: false,
  usesDhe: false,
  summary: "Mozilla modern (TLS 1.3 only)",
};

/**
 * The 2015 hardening recipe: TLS 1.0 to 1.2, forward-secret suites, server order preferred.
 * Only for platforms that must serve clients stuck on TLS 1.0, and only with a written
 * acknowledgement. `@SECLEVEL=0` is required for OpenSSL 3 to negotiate TLS 1.0/1.1 at all.
 */
export const LEGACY_2015: TlsProfile = {
  name: "legacy-2015",
  minProtocol: "TLSv1",
  cipherList: "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH:@SECLEVEL=0",
  preferServerCiphers: true,
  cipherOrderWhy: "The server's order wins: the list reaches down to CBC suites for TLS 1.0 clients, which must never be chosen over AES-GCM.",
  sessionTickets: false,
  usesDhe: true,
  summary: "2015 recipe (TLS 1.0 to 1.2; deprecated by RFC 8996, acknowledged)",
};

/** The fixed profiles by name. */
export const NAMED_PROFILES: Readonly<Record<Exclude<TlsProfileName, "custom">, TlsProfile>> = {
  intermediate: INTERMEDIATE,
  modern: MODERN,
  "legacy-2015": LEGACY_2015,
};

/** Whether a protocol version is older than TLS 1.2 (deprecated by RFC 8996). */
export function isDeprecatedProtocol(protocol: TlsProtocol): boolean {
  return protocol === "TLSv1" || protocol === "TLSv1.1";
}
