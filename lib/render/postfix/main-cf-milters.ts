/**
 * main.cf's milters: rspamd (content filter) and OpenDKIM (DKIM signing; verifying when there is
 * no content filter). Postfix calls them in the order listed. Submitted mail: rspamd first, then
 * OpenDKIM signs what rspamd let through (master.cf's submission listeners).
 *
 * Port 25 with the content filter: rspamd alone. rspamd verifies SPF, DKIM, DMARC and ARC itself
 * and replaces every Authentication-Results field, OpenDKIM's too, so OpenDKIM's verification on
 * port 25 was work thrown away (port 25 gained 3–12 % without it in `npm run bench:mail`). Only
 * loopback clients, OpenDKIM's internal hosts, still get OpenDKIM first (smtpd_milter_maps): their
 * mail is signed. OpenDKIM also removed Authentication-Results fields
 * naming this host, forged from outside; main.cf's header_checks now remove every such field before
 * any milter sees the message, so that holds while rspamd is down too (milter_default_action).
 * Without the content filter OpenDKIM is port 25's milter, as before: it verifies, signs loopback
 * mail and removes the forged fields (its RemoveARFrom default).
 *
 * Which DKIM key signs is decided in OpenDKIM from what Postfix hands it: for submitted mail the
 * envelope sender (the `{mail_addr}` macro, sent only by the submission listeners), which
 * `reject_authenticated_sender_login_mismatch` binds to the login's own addresses, so a user signs
 * with the own group's key whatever the From: header says; for all other mail (loopback
 * applications, notifications) no such macro, and OpenDKIM reads the From: header as before.
 * The submission listeners use their own rspamd milter (master.cf): it holds instead of refusing.
 * References: MILTER_README, postconf(5), opendkim.conf(5), RFC 8601 section 5.
 */
import { isIPv6 } from "net";
import type { HostPlan, Plan } from "../../plan/types";
import { when } from "../../plan/when";
import { OPENDKIM_INTERNAL_HOSTS, OPENDKIM_SOCKET } from "../opendkim/opendkim";
import { RSPAMD_MILTER_SOCKETS } from "../rspamd/rspamd";
import type { PostconfSection, PostconfSetting } from "./main-cf-format";
import { TABLES, tableRef } from "./table-names";
import type { TableBlock } from "./table-format";

/** The main.cf parameter holding the submission listeners' macro list (master.cf refers to it as `$name`). */
export const SUBMISSION_MILTER_MAIL_MACROS = "submission_milter_mail_macros";

/** Postfix's default milter_mail_macros (3.7 and 3.10) without `{mail_addr}`, then with it. */
const MAIL_MACROS_WITHOUT_SENDER = "i {auth_type} {auth_authen} {auth_author} {mail_host} {mail_mailer}";
const MAIL_MACROS_WITH_SENDER = "i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}";

/** Whether a host runs submission listeners (587 or 465): only they refer to the submission macro list. */
function hasSubmissionListener(host: HostPlan): boolean {
  return host.listeners.some((l) => l.service.daemon === "postfix" && l.service.name !== "smtp");
}

/** The milters of port 25: rspamd's with the content filter, else OpenDKIM's (see above), or none. */
export function inboundMilters(plan: Plan): string[] {
  return plan.contentFilter.enabled ? [`unix:${RSPAMD_MILTER_SOCKETS.inbound}`] : [...when(plan.dkim.signs, `unix:${OPENDKIM_SOCKET}`)];
}

/**
 * Whether loopback clients get milters of their own on port 25 (smtpd_milter_maps): only where
 * the content filter took OpenDKIM off port 25 and OpenDKIM signs.
 */
export function hasLoopbackMilters(plan: Plan): boolean {
  return plan.contentFilter.enabled && plan.dkim.signs;
}

/** Whether main.cf's header_checks remove Authentication-Results fields (OpenDKIM no longer does on port 25). */
export function hasInboundHeaderChecks(plan: Plan): boolean {
  return plan.contentFilter.enabled;
}

/** The rows of the loopback milter table: OpenDKIM's internal hosts → OpenDKIM (signs), then rspamd's inbound milter. */
export function loopbackMilterBlocks(): TableBlock[] {
  const milters = [`unix:${OPENDKIM_SOCKET}`, `unix:${RSPAMD_MILTER_SOCKETS.inbound}`].join(",");
  return [
    {
      why: "Mail relayed from loopback (OpenDKIM's internal hosts) is signed by OpenDKIM, then scanned by rspamd as before.",
      rows: OPENDKIM_INTERNAL_HOSTS.map((ip) => [`${ip}/${isIPv6(ip) ? 128 : 32}`, milters] as const),
    },
  ];
}

/** The rows of the inbound header checks. */
export function inboundHeaderCheckBlocks(): TableBlock[] {
  return [
    {
      why: "Authentication-Results from outside (a forged one may name this host, RFC 8601 section 5); rspamd adds this host's own after this.",
      // Postfix pcre tables match without regard to case by default (a trailing i would turn that off).
      rows: [["/^Authentication-Results:/", "IGNORE"]],
    },
  ];
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
          ? "rspamd verifies SPF, DKIM, DMARC and ARC, scores inbound mail with its group's thresholds (refuses, marks, greylists) and adds Authentication-Results. The submission listeners have their own list (master.cf)."
          : "OpenDKIM signs submitted and local mail, and verifies inbound mail.",
      }),
      ...when<PostconfSetting>(hasLoopbackMilters(plan), {
        name: "smtpd_milter_maps",
        value: tableRef(TABLES.loopbackMilters),
        why: "Loopback clients (OpenDKIM's internal hosts) get OpenDKIM first: their mail is signed. No other client's mail passes OpenDKIM on port 25.",
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
          why: hasInboundHeaderChecks(plan)
            ? "Delivery status notifications pass OpenDKIM too, signed with the bounce group's key. main.cf's header checks only remove fields, they refuse none."
            : "Delivery status notifications pass OpenDKIM too, signed with the bounce group's key. Only the milter inspects them: main.cf has no header or body checks that could refuse one.",
        },
      ),
      ...when<PostconfSetting>(
        hasInboundHeaderChecks(plan),
        {
          name: "header_checks",
          value: tableRef(TABLES.inboundHeaderChecks),
          why: "Removes Authentication-Results fields from outside before any milter sees the message, also while rspamd is down; milters' own fields are not subject to it. The channel from a backup MX skips these checks: the backup's results are kept.",
        },
        { name: "nested_header_checks", value: "", why: "Attached messages are left as they are." },
        { name: "mime_header_checks", value: "", why: "No MIME header is checked." },
      ),
    ],
  };
}
