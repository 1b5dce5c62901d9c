/**
 * The TLS settings of main.cf (and of the master.cf services that override them): protocol floor,
 * cipher list and key exchange of a TLS profile, with the written reasons for weakening them.
 * References: postconf(5), TLS_README.
 */
import type { HostOs } from "../../catalogue/host-os";
import { HOST_OS_FACTS } from "../../catalogue/host-os";
import type { Plan } from "../../plan/types";
import { FFDHE2048 } from "../../tls/ffdhe2048";
import { keyExchangeGroups } from "../../tls/groups";
import type { TlsProfile, TlsProtocol } from "../../tls/profiles";
import { when, whenDefined } from "../../plan/when";
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
    { name: "tls_preempt_cipherlist", value: profile.preferServerCiphers, why: profile.cipherOrderWhy },
    profile.sessionTickets
      ? { name: "tls_ssl_options", value: "", why: "Session tickets allowed by the profile." }
      : {
          name: "tls_ssl_options",
          value: "NO_TICKET",
          why: "No session tickets (Mozilla): sessions resume from the tlsmgr session cache instead (TLS 1.3 tickets carry only a cache id).",
        },
  ];
}

/**
 * Key exchange: Mozilla's curves, X25519MLKEM768 first where OpenSSL knows it (Postfix 3.10 checks
 * each name with OpenSSL, tls_dh.c, so it can be named), and RFC 7919's ffdhe2048 for DHE. Postfix
 * 3.7 takes it as explicit parameters (smtpd_tls_dh1024_param_file; otherwise its compiled-in
 * prime). Postfix 3.10 deprecates that parameter ("do not specify") and knows
 * tls_ffdhe_auto_groups instead, which covers TLS 1.3; its TLS 1.2 DHE suites get OpenSSL 3.5's
 * automatic group (RFC 3526 group 14, 2048 bits), the one thing of this that Debian 13 cannot name.
 * @param dhParameters - the ffdhe2048 file; @default - no DHE suite in any profile, nothing set
 */
export function keyExchangeSettings(os: HostOs, dhParameters: string | undefined): PostconfSetting[] {
  const modern = HOST_OS_FACTS[os].postfix !== "3.7";
  return [
    {
      name: "tls_eecdh_auto_curves",
      value: [...keyExchangeGroups(os)],
      why: modern
        ? "Mozilla's curves, the post-quantum hybrid X25519MLKEM768 first (OpenSSL 3.5)."
        : "Mozilla's curves (OpenSSL 3.0 has no post-quantum group).",
    },
    ...when<PostconfSetting>(modern, {
      name: "tls_ffdhe_auto_groups",
      value: FFDHE2048,
      why: "TLS 1.3 finite-field groups: only RFC 7919's ffdhe2048 (Mozilla).",
    }),
    ...whenDefined(modern ? undefined : dhParameters, (file): PostconfSetting[] => [
      { name: "smtpd_tls_dh1024_param_file", value: file, why: "DHE suites (TLS 1.2) use RFC 7919's ffdhe2048, a named group clients and graders recognise." },
    ]),
  ];
}
