/**
 * The ffdhe2048 group of RFC 7919 (appendix A.1) as PEM "DH PARAMETERS": the Diffie-Hellman
 * parameters for DHE suites in Postfix, Dovecot and nginx. A published, named group instead of
 * Debian's RFC 3526 (MODP) file or Postfix's compiled-in prime: clients and graders recognise
 * it, and it is what Mozilla's guidelines ship (https://ssl-config.mozilla.org/ffdhe2048.txt).
 * Public constants, no secret; `openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048`
 * prints the same text (a unit test checks that OpenSSL reads it as `GROUP: ffdhe2048`).
 */

/** The RFC 7919 ffdhe2048 parameters, PEM, with a final newline. */
export const FFDHE2048_PEM = [
  "-----BEGIN DH PARAMETERS-----",
  "MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz",
  "+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a",
  "87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7",
  "YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi",
  "7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD",
  "ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==",
  "-----END DH PARAMETERS-----",
  "",
].join("\n");

/** The group's name as OpenSSL and Postfix spell it (tls_ffdhe_auto_groups). */
export const FFDHE2048 = "ffdhe2048";
