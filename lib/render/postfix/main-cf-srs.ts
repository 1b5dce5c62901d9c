/**
 * main.cf's part of SRS: the envelope sender of mail passing through cleanup goes to postsrsd
 * (forward table), SRS recipients of bounces come back through the reverse table. Only envelope
 * senders are rewritten, never a From: header (postsrsd's documented Postfix setup). postsrsd
 * leaves the platform's own domains alone, so only foreign senders — forwarded mail — change.
 * Both Debian releases ship postsrsd 1.10: the same TCP tables on both.
 */
import type { Plan } from "../../plan/types";
import { POSTSRSD_TCP } from "../postsrsd/postsrsd";
import type { PostconfSection } from "./main-cf-format";

/**
 * The lookup tables of postsrsd as Postfix names them. tcp: tables on loopback: Postfix's cleanup
 * and smtpd run chrooted in /var/spool/postfix on Debian and reach a TCP port from there, with no
 * socket file inside the chroot to keep in place.
 */
export function srsTables(): { readonly forward: string; readonly reverse: string } {
  return { forward: `tcp:${POSTSRSD_TCP.address}:${POSTSRSD_TCP.forwardPort}`, reverse: `tcp:${POSTSRSD_TCP.address}:${POSTSRSD_TCP.reversePort}` };
}

/** The SRS section of main.cf (empty when nothing is forwarded to a foreign domain). */
export function srsMainCfSection(plan: Plan): PostconfSection {
  if (!plan.srs.enabled) return { title: "Forwarding: SRS (postsrsd)", settings: [] };
  const tables = srsTables();
  return {
    title: "Forwarding: SRS (postsrsd)",
    settings: [
      {
        name: "sender_canonical_maps",
        value: tables.forward,
        why: `Forwarded mail keeps passing SPF: a foreign envelope sender becomes SRS0=...@${plan.srs.domain}.`,
      },
      { name: "sender_canonical_classes", value: ["envelope_sender"], why: "Only the envelope: the From: header the recipient sees stays as written." },
      {
        name: "recipient_canonical_maps",
        value: tables.reverse,
        why: "Bounces to an SRS address go back to the original sender; a forged or expired one matches nothing and is refused.",
      },
      { name: "recipient_canonical_classes", value: ["envelope_recipient", "header_recipient"] },
    ],
  };
}
