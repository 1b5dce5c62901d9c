/**
 * main.cf's part of SRS: the envelope sender of mail passing through cleanup goes to postsrsd
 * (forward table), SRS recipients of bounces come back through the reverse table. Only envelope
 * senders are rewritten, never a From: header (postsrsd's documented Postfix setup). postsrsd
 * leaves the platform's own domains alone, so only foreign senders — forwarded mail — change.
 */
import type { HostPlan, Plan } from "../../plan/types";
import { POSTSRSD_SOCKET, POSTSRSD_TCP } from "../postsrsd/postsrsd";
import type { PostconfSection } from "./main-cf-format";

/** The lookup tables of postsrsd as Postfix names them on a host's release. */
export function srsTables(host: HostPlan): { readonly forward: string; readonly reverse: string } {
  if (host.os === "debian-12") {
    return { forward: `tcp:${POSTSRSD_TCP.address}:${POSTSRSD_TCP.forwardPort}`, reverse: `tcp:${POSTSRSD_TCP.address}:${POSTSRSD_TCP.reversePort}` };
  }
  const socket = `socketmap:unix:${POSTSRSD_SOCKET.postfixName}`;
  return { forward: `${socket}:forward`, reverse: `${socket}:reverse` };
}

/** The SRS section of main.cf (empty when nothing is forwarded to a foreign domain). */
export function srsMainCfSection(plan: Plan, host: HostPlan): PostconfSection {
  if (!plan.srs.enabled) return { title: "Forwarding: SRS (postsrsd)", settings: [] };
  const tables = srsTables(host);
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
