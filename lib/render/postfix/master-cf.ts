/**
 * master.cf of one host: Postfix's internal services, one listener per group address and
 * enabled service, one outbound transport per group, and the backup MX's ways home and the
 * home's channel when groups have backups.
 */
import type { ChannelPlan, ForwardPlan, HostPlan, ListenerPlan, Plan, TransportPlan } from "../../plan/types";
import { generatedHeader } from "../header";
import type { PostconfValue } from "./main-cf-format";
import { serverTlsProfileSettings } from "./main-cf-tls";
import { formatMasterCf, type MasterEntry } from "./master-cf-format";
import { TABLES, tableRef } from "./table-names";
import { hasSubmissionCleanup } from "./tables";
import { withOperatorOptions } from "./operator-settings";
import { when } from "../../plan/when";
import { quotaRestriction } from "./quota-policy";
import { hasInboundHeaderChecks, hasLoopbackMilters, SUBMISSION_MILTER_MAIL_MACROS, submissionMilters } from "./main-cf-milters";
import { SUBMISSION_DAEMON_NAME } from "../rspamd/rspamd";
import { SUBMISSION_LIMITS, submissionLimitOptions } from "./submission-limits";

type Option = readonly [string, PostconfValue];
type Options = Option[];

/** Postfix's own services as Debian 12 ships them (chroot on where Debian has it on). */
const INTERNAL_SERVICES: readonly MasterEntry[] = [
  { service: "pickup", type: "unix", private: "n", chroot: "y", wakeup: "60", maxproc: 1, command: "pickup" },
  { service: "cleanup", type: "unix", private: "n", chroot: "y", maxproc: 0, command: "cleanup" },
  { service: "qmgr", type: "unix", private: "n", chroot: "n", wakeup: "300", maxproc: 1, command: "qmgr" },
  { service: "tlsmgr", type: "unix", chroot: "y", wakeup: "1000?", maxproc: 1, command: "tlsmgr" },
  { service: "rewrite", type: "unix", chroot: "y", command: "trivial-rewrite" },
  { service: "bounce", type: "unix", chroot: "y", maxproc: 0, command: "bounce" },
  { service: "defer", type: "unix", chroot: "y", maxproc: 0, command: "bounce" },
  { service: "trace", type: "unix", chroot: "y", maxproc: 0, command: "bounce" },
  { service: "verify", type: "unix", chroot: "y", maxproc: 1, command: "verify" },
  { service: "flush", type: "unix", private: "n", chroot: "y", wakeup: "1000?", maxproc: 0, command: "flush" },
  { service: "proxymap", type: "unix", chroot: "n", command: "proxymap" },
  { service: "proxywrite", type: "unix", chroot: "n", maxproc: 1, command: "proxymap" },
  { service: "smtp", type: "unix", chroot: "y", command: "smtp" },
  { service: "relay", type: "unix", chroot: "y", command: "smtp", options: [["syslog_name", "postfix/$service_name"]] },
  { service: "showq", type: "unix", private: "n", chroot: "y", command: "showq" },
  { service: "error", type: "unix", chroot: "y", command: "error" },
  { service: "retry", type: "unix", chroot: "y", command: "error" },
  { service: "discard", type: "unix", chroot: "y", command: "discard" },
  { service: "local", type: "unix", unprivileged: "n", chroot: "n", command: "local" },
  { service: "virtual", type: "unix", unprivileged: "n", chroot: "n", command: "virtual" },
  { service: "lmtp", type: "unix", chroot: "y", command: "lmtp" },
  { service: "anvil", type: "unix", chroot: "y", maxproc: 1, command: "anvil" },
  { service: "scache", type: "unix", chroot: "y", maxproc: 1, command: "scache" },
  { service: "postlog", type: "unix-dgram", private: "n", chroot: "n", maxproc: 1, command: "postlogd" },
];

const SUBMISSION_CLEANUP = "cleanup-submission";

function identity(listener: ListenerPlan, suffix: string): Options {
  const { address } = listener;
  return [
    ["syslog_name", `postfix/${address.group}${suffix}`],
    ["myhostname", address.hostName],
    ["smtpd_tls_chain_files", [address.certificate.keyFile, address.certificate.chainFile]],
  ];
}

function submissionOptions(plan: Plan, listener: ListenerPlan): Options {
  const implicit = listener.service.tls === "implicit";
  const clientTlsDiffers = plan.clientTls !== plan.mxTls;
  return [
    ...identity(listener, `/${listener.service.name}`),
    implicit ? (["smtpd_tls_wrappermode", true] as const) : (["smtpd_tls_security_level", "encrypt"] as const),
    ["smtpd_sasl_auth_enable", true],
    ...submissionLimitOptions(),
    ["smtpd_client_restrictions", ["permit_sasl_authenticated", "reject"]],
    // Authentication decides here; a mail program's HELO is a laptop's name (often not fully
    // qualified, with underscores), so port 25's HELO checks would refuse real users.
    ["smtpd_helo_restrictions", ""],
    ["smtpd_relay_restrictions", ["permit_sasl_authenticated", "reject"]],
    // The quota check comes before permit_sasl_authenticated: a user's mail to a full mailbox of
    // the platform is refused at RCPT like everyone else's.
    [
      "smtpd_recipient_restrictions",
      ["reject_non_fqdn_recipient", "reject_unknown_recipient_domain", ...quotaRestriction(plan), "permit_sasl_authenticated", "reject"],
    ],
    ["smtpd_sender_login_maps", tableRef(TABLES.senderLogin)],
    // The null sender first: the login mismatch check skips it (no address to compare).
    [
      "smtpd_sender_restrictions",
      ["check_sender_access", tableRef(TABLES.submissionSenderAccess), "reject_non_fqdn_sender", "reject_authenticated_sender_login_mismatch"],
    ],
    ...when<Option>(hasSubmissionCleanup(plan), ["cleanup_service_name", SUBMISSION_CLEANUP]),
    // Tells OpenDKIM this mail was submitted by a user: it is signed, not verified; and hands it
    // the envelope sender, which the login binds, to choose the key by (SenderMacro). Tells rspamd
    // the same (MTA-Name): the outbound thresholds apply.
    ...when<Option>(plan.dkim.signs || plan.contentFilter.enabled, ["milter_macro_daemon_name", SUBMISSION_DAEMON_NAME]),
    ...when<Option>(plan.dkim.signs, ["milter_mail_macros", `$${SUBMISSION_MILTER_MAIL_MACROS}`]),
    // rspamd's submission milter: it holds (quarantines) what the inbound one would refuse; the
    // loopback map of port 25 would replace it for a user on loopback.
    ...when<Option>(plan.contentFilter.enabled, ["smtpd_milters", submissionMilters(plan)]),
    ...when<Option>(hasLoopbackMilters(plan), ["smtpd_milter_maps", ""]),
    ...when(clientTlsDiffers, ...serverTlsProfileSettings(plan.clientTls).map((s): Option => [s.name, s.value])),
  ];
}

function inboundEntries(plan: Plan, host: HostPlan): MasterEntry[] {
  const entries: MasterEntry[] = [];
  const operator = plan.spec.postfix?.masterCf;
  for (const listener of host.listeners.filter((l) => l.service.daemon === "postfix")) {
    const { address, service } = listener;
    const socket = `${address.privateIp}:${listener.port}`;
    if (service.name === "smtp") {
      // myhostname is also the {daemon_name} the milters get (milter_macro_daemon_name's default):
      // rspamd tells the groups apart by it, and names it in Authentication-Results.
      const mx: Options = [...identity(listener, ""), ["smtpd_sasl_auth_enable", false]];
      if (plan.postscreen) {
        const pass = `smtpd-${address.group}`;
        entries.push(
          {
            comment: `Group ${address.group}: port 25 on ${address.hostName}, screened by postscreen (DNSBL), then handed to ${pass}.`,
            service: socket,
            type: "inet",
            private: "n",
            chroot: "y",
            maxproc: 1,
            command: "postscreen",
            options: [
              ["syslog_name", `postfix/${address.group}`],
              ["myhostname", address.hostName],
              ["smtpd_service_name", pass],
            ],
          },
          withOperatorOptions({ service: pass, type: "pass", chroot: "y", command: "smtpd", options: mx }, "smtp", operator?.smtp),
        );
      } else {
        entries.push(
          withOperatorOptions(
            {
              comment: `Group ${address.group}: port 25 on ${address.hostName}; STARTTLS offered, no AUTH.`,
              service: socket,
              type: "inet",
              private: "n",
              chroot: "y",
              command: "smtpd",
              options: mx,
            },
            "smtp",
            operator?.smtp,
          ),
        );
      }
    } else {
      entries.push(
        withOperatorOptions(
          {
            comment: `Group ${address.group}: ${service.description} (port ${service.port}) on ${address.hostName}; AUTH only over TLS; ${SUBMISSION_LIMITS.processes} processes, per-client limits and short timeouts (mua_* in main.cf).`,
            service: socket,
            type: "inet",
            private: "n",
            chroot: "y",
            maxproc: SUBMISSION_LIMITS.processes,
            command: "smtpd",
            options: submissionOptions(plan, listener),
          },
          service.name,
          service.name === "submission" || service.name === "submissions" ? operator?.[service.name] : undefined,
        ),
      );
    }
  }
  return entries;
}

function transportEntry(plan: Plan, transport: TransportPlan): MasterEntry {
  const relay = plan.spec.outbound.relayHost;
  return {
    comment: `Group ${transport.group}: outbound mail from ${transport.bindAddress} as ${transport.heloName} (${transport.priority} priority).`,
    service: transport.name,
    type: "unix",
    chroot: "y",
    maxproc: transport.limits.processLimit,
    command: "smtp",
    options: [
      ["syslog_name", `postfix/${transport.group}/out`],
      ["smtp_bind_address", transport.bindAddress],
      ["smtp_helo_name", transport.heloName],
      ...when<Option>(relay?.port === 465, ["smtp_tls_wrappermode", true], ["smtp_tls_security_level", "encrypt"]),
    ],
  };
}

/**
 * A backup MX's way home for one group: leaves from the group's address on the backup and
 * delivers to the home host's channel (the TLS policy table requires the home's certificate).
 */
function forwardEntry(forward: ForwardPlan): MasterEntry {
  return {
    comment: `Group ${forward.group}: this host is its backup MX; mail goes home to ${forward.homeHost} (${forward.channelAddress}:${forward.channelPort}) over verified TLS.`,
    service: forward.name,
    type: "unix",
    chroot: "y",
    command: "smtp",
    options: [
      ["syslog_name", `postfix/${forward.group}/home`],
      ["smtp_bind_address", forward.bindAddress],
      ["smtp_helo_name", forward.heloName],
      // The channel is reached by address, which is never sent as SNI: name the home's certificate.
      ["smtp_tls_servername", forward.channelCertificateName],
    ],
  };
}

/**
 * The channel of a home host: its backup MX hand over mail they accepted (and checked: DNSBL,
 * TLS-required domains, known recipients) for the host's own mailboxes. Only their addresses
 * may connect, only over TLS, only for the domains whose home this host is; no AUTH, no
 * relaying, no second DKIM verification.
 */
function channelEntry(plan: Plan, channel: ChannelPlan): MasterEntry {
  const { address } = channel;
  return {
    comment: `Host-to-host channel on ${address.privateIp}: mail from the backup MX of this host's groups, over TLS, for its own mailboxes only.`,
    service: `${address.privateIp}:${channel.port}`,
    type: "inet",
    private: "n",
    chroot: "y",
    command: "smtpd",
    options: [
      ["syslog_name", "postfix/channel"],
      ["myhostname", address.hostName],
      ["smtpd_tls_chain_files", [address.certificate.keyFile, address.certificate.chainFile]],
      ["smtpd_tls_security_level", "encrypt"],
      ["smtpd_sasl_auth_enable", false],
      ["mynetworks", channel.peers.map((ip) => `${ip}/32`)],
      ["smtpd_client_restrictions", ["permit_mynetworks", "reject"]],
      ["smtpd_helo_restrictions", ""],
      ["smtpd_sender_restrictions", ""],
      // Never a relay, and only this host's own mailbox domains: a domain it merely backs up is not
      // taken over the channel (the access map alone would also match subdomains).
      ["smtpd_relay_restrictions", ["reject_unauth_destination", "check_recipient_access", tableRef(TABLES.mailboxDomains), "reject"]],
      ["smtpd_recipient_restrictions", [...quotaRestriction(plan), "permit"]],
      // The backup MX scanned and verified this mail on its port 25, and its Authentication-Results stay.
      ...when<Option>(plan.dkim.signs || plan.contentFilter.enabled, ["smtpd_milters", ""]),
      ...when<Option>(hasLoopbackMilters(plan), ["smtpd_milter_maps", ""]),
      ...when<Option>(hasInboundHeaderChecks(plan), ["receive_override_options", "no_header_body_checks"]),
    ],
  };
}

function supportEntries(plan: Plan): MasterEntry[] {
  const entries: MasterEntry[] = [];
  if (plan.postscreen) {
    entries.push(
      { comment: "DNS blocklist lookups for postscreen.", service: "dnsblog", type: "unix", chroot: "y", maxproc: 0, command: "dnsblog" },
      { service: "tlsproxy", type: "unix", chroot: "y", maxproc: 0, command: "tlsproxy" },
    );
  }
  if (hasSubmissionCleanup(plan)) {
    entries.push({
      comment: "Cleanup for submitted mail: removes what reveals the user's address (privacy).",
      service: SUBMISSION_CLEANUP,
      type: "unix",
      private: "n",
      chroot: "y",
      maxproc: 0,
      command: "cleanup",
      options: [
        ["header_checks", tableRef(TABLES.submissionHeaderChecks)],
        ["nested_header_checks", ""],
      ],
    });
  }
  return entries;
}

/** Build master.cf for one host (the milters' sockets are relative to Postfix's queue directory: the same text everywhere). */
export function renderMasterCf(plan: Plan, host: HostPlan): string {
  return formatMasterCf(generatedHeader(plan.spec.name, host.name), [
    ...inboundEntries(plan, host),
    ...(host.channel === undefined ? [] : [channelEntry(plan, host.channel)]),
    ...host.transports.map((t) => transportEntry(plan, t)),
    ...host.forwards.map(forwardEntry),
    ...supportEntries(plan),
    ...INTERNAL_SERVICES,
  ]);
}
