/**
 * Sieve filtering at delivery and ManageSieve (Dovecot Pigeonhole), one section of dovecot.conf
 * for each Dovecot. Every mailbox may have a personal Sieve script (filters, vacation replies);
 * ManageSieve (port 4190, `services.managesieve`) lets users upload it, after STARTTLS only (the
 * global `ssl = required` and the ban of plaintext authentication apply to it like to IMAP).
 *
 * Vacation replies (RFC 5230) keep Pigeonhole's defaults: one reply per sender per period
 * (`:days`, 7 days unless the script says otherwise, at least 1), never to mailing lists,
 * bulk or auto-submitted mail, or to system senders. They are sent from the recipient's address
 * instead of `<>`, so Postfix sends them through the recipient group's transport (its address
 * and HELO name) and they pass the receiver's SPF and DMARC checks for our domain. They leave
 * through Postfix's sendmail (pickup → cleanup → the group's transport).
 * References: Pigeonhole's settings for Dovecot 2.3 (`plugin { sieve = ... }`) and Dovecot 2.4
 * (`sieve_script personal { ... }`, `mail_plugins { sieve = yes }`).
 */
import { homeAddresses } from "../../plan/host-scope";
import { serviceInfo } from "../../catalogue/services";
import type { HostPlan, Plan } from "../../plan/types";
import { when } from "../../plan/when";
import { block, setting, trusted, type DovecotNode } from "./conf-format";

/** Title of the Sieve section in dovecot.conf. */
export const SIEVE_TITLE = "Sieve filters, vacation replies and ManageSieve (Pigeonhole)";

/** The user's scripts and the link to the active one, in the mail home (what ManageSieve manages). */
const SCRIPT_DIR = "~/sieve";
const ACTIVE_SCRIPT = "~/.dovecot.sieve";
/** Postfix's sendmail: replies and redirects enter Postfix like any local mail. */
const SENDMAIL = "/usr/sbin/sendmail";

function manageSieveLogin(plan: Plan, host: HostPlan, addressKeyword: "address" | "listen"): DovecotNode[] {
  return when(
    plan.spec.services.managesieve,
    block("service", "managesieve-login", [
      block(
        "inet_listener",
        "sieve",
        [
          setting(
            addressKeyword,
            homeAddresses(host)
              .map((a) => a.privateIp)
              .join(", "),
          ),
          setting("port", plan.listenPorts.managesieve),
        ],
        `${serviceInfo("managesieve").description}, on every group address. Plaintext until STARTTLS; AUTHENTICATE only after it.`,
      ),
    ]),
  );
}

const VACATION_FROM_RECIPIENT =
  "Replies leave from the recipient's address, not <>: Postfix picks the group's transport by sender, and the receiver's SPF/DMARC checks pass.";

/** The Sieve section of a Dovecot 2.3 dovecot.conf. */
export function sieveSection23(plan: Plan, host: HostPlan): { title: string; nodes: DovecotNode[] } {
  return {
    title: SIEVE_TITLE,
    nodes: [
      block("protocol", "lmtp", [trusted("mail_plugins", "$mail_plugins sieve", "Each delivery runs the recipient's active Sieve script, if any.")]),
      block("plugin", undefined, [
        trusted("sieve", `file:${SCRIPT_DIR};active=${ACTIVE_SCRIPT}`, "Personal scripts in the mail home; ManageSieve switches the active one."),
        setting("sieve_vacation_send_from_recipient", true, VACATION_FROM_RECIPIENT),
      ]),
      setting("sendmail_path", SENDMAIL, "Vacation replies and redirects go through Postfix."),
      ...manageSieveLogin(plan, host, "address"),
    ],
  };
}

/** The Sieve section of a Dovecot 2.4 dovecot.conf. */
export function sieveSection24(plan: Plan, host: HostPlan): { title: string; nodes: DovecotNode[] } {
  return {
    title: SIEVE_TITLE,
    nodes: [
      block(
        "protocol",
        "lmtp",
        [block("mail_plugins", undefined, [setting("sieve", true)])],
        "Each delivery runs the recipient's active Sieve script, if any.",
      ),
      block(
        "sieve_script",
        "personal",
        [setting("driver", "file"), trusted("path", SCRIPT_DIR), trusted("active_path", ACTIVE_SCRIPT)],
        "Personal scripts in the mail home; ManageSieve switches the active one.",
      ),
      setting("sieve_vacation_send_from_recipient", true, VACATION_FROM_RECIPIENT),
      setting("sendmail_path", SENDMAIL, "Vacation replies and redirects go through Postfix."),
      ...manageSieveLogin(plan, host, "listen"),
    ],
  };
}
