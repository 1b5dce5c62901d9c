/**
 * The TLS settings of main.cf (and of the master.cf services that override them): protocol floor,
 * cipher list and key exchange of a TLS profile, with the written reasons for weakening them.
 * References: postconf(5), TLS_README.
 */
import type { Plan } from "../../plan/types";
import type { TlsProfile, TlsProtocol } from "../../tls/profiles";
import { whenDefined } from "../../plan/when";
import type { PostconfSetting } from "./main-cf-format";

/** Postfix protocol syntax for "this version or newer" (Postfix ≥ 3.6). */
export function minProtocolSyntax(protocol: TlsProtocol): string {
  return `>=${protocol}`;
}

/** The written reasons for weakened TLS, shown next to the settings they weaken. */
export function tlsAcknowledgements(spec: Plan["spec"]): string[] {
  return [
    ...whenDefined(spec.tls.legacyAcknowledgement, (reason) => [`Legacy protocols acknowledged: ${reason}`]),
    ...whenDefined(spec.tls.custom?.weakCipherAcknowledgement, (reason) => [`Weak ciphers acknowledged: ${reason}`]),
  ];
}

/** The settings that select a TLS profile on the server side (global or per service). */
export function serverTlsProfileSettings(profile: TlsProfile, notes: readonly string[] = []): PostconfSetting[] {
  return [
    {
      name: "smtpd_tls_protocols",
      value: minProtocolSyntax(profile.minProtocol),
      why: [`${profile.summary}; older protocols are refused.`, ...notes].join(" "),
    },
    { name: "smtpd_tls_mandatory_protocols", value: minProtocolSyntax(profile.minProtocol), why: "Also where TLS is required (587, 465 wrapper mode)." },
    {
      name: "smtpd_tls_ciphers",
      value: "high",
      why: "Even opportunistic TLS on port 25 uses only the profile's list: stock settings would offer anonymous (aNULL) suites.",
    },
    { name: "smtpd_tls_mandatory_ciphers", value: "high" },
    {
      name: "tls_high_cipherlist",
      value: profile.cipherList,
      why: "The profile's cipher list for TLS 1.2 and below (TLS 1.3 suites are OpenSSL's, all AEAD).",
    },
    {
      name: "tls_preempt_cipherlist",
      value: profile.preferServerCiphers,
      why: profile.preferServerCiphers
        ? "The server's cipher order wins."
        : "Every suite is strong, so the client may choose what is fastest for it (Mozilla).",
    },
  ];
}

/**
 * Key exchange chosen by OpenSSL (Postfix 3.10 with OpenSSL 3.5, Debian 13): with both lists
 * empty, Postfix leaves the groups to OpenSSL, whose defaults put the post-quantum hybrid
 * X25519MLKEM768 first, then X25519, P-256, X448, P-384, P-521 and the RFC 7919 groups
 * (postconf(5), tls_eecdh_auto_curves). With Postfix's own lists, TLS 1.3 stops at X25519.
 */
export function postQuantumKeyExchange(): PostconfSetting[] {
  return [
    { name: "tls_eecdh_auto_curves", value: "", why: "Empty: OpenSSL's groups, the post-quantum hybrid X25519MLKEM768 first (Postfix 3.10, OpenSSL 3.5)." },
    { name: "tls_ffdhe_auto_groups", value: "", why: "Empty as well: Postfix hands the choice to OpenSSL only when both lists are empty." },
  ];
}
