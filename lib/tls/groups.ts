/**
 * Key exchange groups, as data: Mozilla's curves (Server Side TLS 5.7: X25519, prime256v1,
 * secp384r1), with the post-quantum hybrid X25519MLKEM768 first where the host's OpenSSL knows
 * it (3.5 on Debian 13; OpenSSL 3.0 on Debian 12 does not). Postfix 3.10 checks each name
 * with OpenSSL (SSL_CTX_set1_curves_list, tls_dh.c), Dovecot 2.4 and nginx pass the list to
 * OpenSSL as it is, so every program of a release names the same groups in the same order.
 * Finite-field DHE uses the RFC 7919 group ffdhe2048 (ffdhe2048.ts).
 */
import { HOST_OS_FACTS, type HostOs } from "../catalogue/host-os";

/** Mozilla's elliptic curves, most preferred first. */
export const MOZILLA_CURVES = ["X25519", "prime256v1", "secp384r1"] as const;

/** The hybrid of X25519 and ML-KEM-768 (draft-ietf-tls-ecdhe-mlkem), OpenSSL 3.5's first default group. */
export const POST_QUANTUM_GROUP = "X25519MLKEM768";

/** The key exchange groups of a host OS, most preferred first. */
export function keyExchangeGroups(os: HostOs): readonly string[] {
  return HOST_OS_FACTS[os].openssl === "3.5" ? [POST_QUANTUM_GROUP, ...MOZILLA_CURVES] : MOZILLA_CURVES;
}
