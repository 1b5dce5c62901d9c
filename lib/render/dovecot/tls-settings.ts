/**
 * What dovecot.conf says the same way in Dovecot 2.3 and 2.4 about TLS details and greetings:
 * session tickets off as the profile says, and greetings that name no software (Dovecot's
 * defaults are "Dovecot (Debian) ready." and, on ManageSieve, "Dovecot (Debian) Pigeonhole").
 */
import type { Plan } from "../../plan/types";
import { when } from "../../plan/when";
import type { TlsProfile } from "../../tls/profiles";
import { setting, type DovecotNode } from "./conf-format";

/** The greeting of IMAP, POP3 and ManageSieve logins. */
export const LOGIN_GREETING = "Ready.";

/** The IMPLEMENTATION capability ManageSieve announces before login. */
export const MANAGESIEVE_IMPLEMENTATION = "ManageSieve";

/** Why the curve list. */
export const KEY_EXCHANGE_WHY = "Mozilla's curves, the post-quantum hybrid X25519MLKEM768 first where OpenSSL knows it (3.5).";

/** Why the DH parameters file. */
export const DH_WHY = "DHE suites use RFC 7919's ffdhe2048 (rendered), not Debian's RFC 3526 group.";

/** `ssl_options = no_ticket` unless the profile allows tickets (Dovecot keeps no session cache: a new handshake each time). */
export function sessionTicketSettings(tls: TlsProfile): DovecotNode[] {
  return when(
    !tls.sessionTickets,
    setting("ssl_options", "no_ticket", "No session tickets (Mozilla); Dovecot has no session cache, so every login is a full handshake."),
  );
}

/** Greetings without the software's name or version. */
export function neutralGreetings(plan: Plan): DovecotNode[] {
  return [
    setting("login_greeting", LOGIN_GREETING, "No software name or version in the IMAP and POP3 greetings."),
    ...when(
      plan.spec.services.managesieve,
      setting("managesieve_implementation_string", MANAGESIEVE_IMPLEMENTATION, "Nor in ManageSieve's IMPLEMENTATION capability."),
    ),
  ];
}
