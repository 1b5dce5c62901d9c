/**
 * main.cf's part of DKIM signing (OpenDKIM milter). Which key signs is decided in OpenDKIM from
 * what Postfix hands it: for submitted mail the envelope sender (the `{mail_addr}` macro, sent
 * only by the submission listeners), which `reject_authenticated_sender_login_mismatch` binds to
 * the login's own addresses, so a user signs with the own group's key whatever the From: header
 * says; for all other mail (loopback applications, notifications) no such macro, and OpenDKIM
 * reads the From: header as before. References: MILTER_README, postconf(5), opendkim.conf(5).
 */
import type { HostPlan, Plan } from "../../plan/types";
import { when } from "../../plan/when";
import { OPENDKIM_SOCKET } from "../opendkim/opendkim";
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

/** The DKIM section of main.cf (empty when no group signs). */
export function dkimMainCfSection(plan: Plan, host: HostPlan): PostconfSection {
  return {
    title: "DKIM signing (OpenDKIM milter)",
    settings: when<PostconfSetting>(
      plan.dkim.signs,
      { name: "smtpd_milters", value: `unix:${OPENDKIM_SOCKET}`, why: "OpenDKIM signs submitted and local mail, and verifies inbound mail." },
      { name: "non_smtpd_milters", value: "$smtpd_milters", why: "Mail from local programs (sendmail) is signed too." },
      { name: "milter_default_action", value: "accept", why: "If the signer is down, mail flows unsigned rather than being refused." },
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
  };
}
