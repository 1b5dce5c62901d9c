/**
 * main.cf's milters: rspamd (content filter) and OpenDKIM (DKIM signing and verifying). Postfix
 * calls them in the order listed. Submitted mail: rspamd first, then OpenDKIM signs what rspamd
 * let through (master.cf's submission listeners). Port 25: OpenDKIM first, then rspamd. OpenDKIM
 * removes every Authentication-Results field that names this host (its RemoveARFrom default: the
 * listener's host name, as a forgery), and rspamd's names exactly that host (the listener's
 * `{daemon_name}`): after OpenDKIM, rspamd's field reaches the mailbox (rspamd in turn removes the
 * fields it finds, OpenDKIM's dkim= included, whose result its own field carries).
 *
 * Which DKIM key signs is decided in OpenDKIM from what Postfix hands it: for submitted mail the
 * envelope sender (the `{mail_addr}` macro, sent only by the submission listeners), which
 * `reject_authenticated_sender_login_mismatch` binds to the login's own addresses, so a user signs
 * with the own group's key whatever the From: header says; for all other mail (loopback
 * applications, notifications) no such macro, and OpenDKIM reads the From: header as before.
 * The submission listeners use their own rspamd milter (master.cf): it holds instead of refusing.
 * References: MILTER_README, postconf(5), opendkim.conf(5).
 */
import type { HostPlan, Plan } from "../../plan/types";
import { when } from "../../plan/when";
import { OPENDKIM_SOCKET } from "../opendkim/opendkim";
import { RSPAMD_MILTER_SOCKETS } from "../rspamd/rspamd";
import type { PostconfSection, PostconfSetting } from "./main-cf-format";

/** The main.cf parameter holding the submission listeners' macro list (master.cf refers to it as `$name`). */
export const SUBMISSION_MILTER_MAIL_MACROS = "submission_milter_mail_macros";

/** Postfix's default milter_mail_macros (3.7 and 3.10) without `{mail_addr}`, then with it. */
const MAIL_MACROS_WITHOUT_SENDER = "i {auth_type} {auth_authen} {auth_author} {mail_host} {mail_mailer}";
const MAIL_MACROS_WITH_SENDER = "i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}";

/** Whether a host runs submission listeners (587 or 465): only they refer to the submission macro list. */
function hasSubmissionListener(host: HostPlan): boolean {
  return host.listeners.some((l) => l.service.daemon === "postfix" && l.service.name !== "smtp");
}

/** The milters of port 25 (OpenDKIM's, then rspamd's; see above), or none. */
export function inboundMilters(plan: Plan): string[] {
  return [...when(plan.dkim.signs, `unix:${OPENDKIM_SOCKET}`), ...when(plan.contentFilter.enabled, `unix:${RSPAMD_MILTER_SOCKETS.inbound}`)];
}

/** The milters of the submission listeners: rspamd's submission milter (holds, never refuses), then OpenDKIM's. */
export function submissionMilters(plan: Plan): string[] {
  return [...when(plan.contentFilter.enabled, `unix:${RSPAMD_MILTER_SOCKETS.submission}`), ...when(plan.dkim.signs, `unix:${OPENDKIM_SOCKET}`)];
}

/** The milter section of main.cf (empty when neither filter nor signer runs). */
export function milterMainCfSection(plan: Plan, host: HostPlan): PostconfSection {
  const milters = inboundMilters(plan);
  const filter = plan.contentFilter.enabled;
  return {
    title: filter ? "Milters: DKIM (OpenDKIM) and content filter (rspamd)" : "DKIM signing (OpenDKIM milter)",
    settings: [
      ...when<PostconfSetting>(milters.length > 0, {
        name: "smtpd_milters",
        value: milters.join(","),
        why: filter
          ? "OpenDKIM signs local mail and verifies inbound mail; rspamd then scores inbound mail with its group's thresholds (refuses, marks, greylists) and adds Authentication-Results. The submission listeners have their own list (master.cf)."
          : "OpenDKIM signs submitted and local mail, and verifies inbound mail.",
      }),
      ...when<PostconfSetting>(plan.dkim.signs, {
        name: "non_smtpd_milters",
        value: filter ? `unix:${OPENDKIM_SOCKET}` : "$smtpd_milters",
        why: filter
          ? "Mail from local programs (sendmail) is signed too; it is not scanned (it comes from this host)."
          : "Mail from local programs (sendmail) is signed too.",
      }),
      ...when<PostconfSetting>(milters.length > 0, {
        name: "milter_default_action",
        value: "accept",
        why: filter
          ? "If a milter is down, mail flows unscanned or unsigned rather than being refused (rspamd's restart takes seconds; a refusal would bounce at the sender after days)."
          : "If the signer is down, mail flows unsigned rather than being refused.",
      }),
      ...when<PostconfSetting>(
        plan.dkim.signs,
        {
          name: "milter_mail_macros",
          value: MAIL_MACROS_WITHOUT_SENDER,
          why: "No envelope sender for OpenDKIM here: mail of loopback applications is signed for its From: domain (OpenDKIM's SenderMacro finds nothing).",
        },
        // Postfix warns about a parameter no service refers to (a backup MX has no submission).
        ...when<PostconfSetting>(hasSubmissionListener(host), {
          name: SUBMISSION_MILTER_MAIL_MACROS,
          value: MAIL_MACROS_WITH_SENDER,
          why: "The submission listeners send {mail_addr}: a user's mail is signed for the envelope sender's domain, bound to the login, never for a From: of another group.",
        }),
        {
          name: "internal_mail_filter_classes",
          value: ["bounce"],
          why: "Delivery status notifications pass OpenDKIM too, signed with the bounce group's key. Only the milter inspects them: main.cf has no header or body checks that could refuse one.",
        },
      ),
    ],
  };
}
