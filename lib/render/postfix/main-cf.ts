/**
 * main.cf of one host, built from the plan. Each security setting carries its reason.
 * References: postconf(5), TLS_README, POSTSCREEN_README, SASL_README (Postfix 3.7 on Debian 12,
 * 3.10 on Debian 13; the few differences are named where they are made).
 */
import type { Plan, HostPlan } from "../../plan/types";
import { generatedHeader } from "../header";
import { formatMainCf, type PostconfSection, type PostconfSetting } from "./main-cf-format";
import { keyExchangeSettings, minProtocolSyntax, serverTlsProfileSettings, tlsAcknowledgements } from "./main-cf-tls";
import { HOST_PATHS, type HostPaths } from "../host-paths";
import { platformUsesDhe } from "../dh-parameters";
import { TABLES, tableRef } from "./table-names";
import { NULL_SENDER_KEY } from "./tables";
import { milterMainCfSection } from "./main-cf-milters";
import { withOperatorMainCf } from "./operator-settings";
import { srsMainCfSection } from "./main-cf-srs";
import { when, whenDefined } from "../../plan/when";
import { quotaMainCf, quotaRestriction } from "./quota-policy";
import { heloSettings } from "./helo-checks";
import { submissionLimitSettings } from "./submission-limits";

/**
 * A backup MX: the domains of the groups it backs relayed for their known addresses only,
 * forwarded home through their own transports, and kept long enough for a home to come back.
 */
function backupMxSettings(): PostconfSetting[] {
  return [
    { name: "relay_domains", value: tableRef(TABLES.backupDomains), why: "This host is a backup MX for these groups' domains." },
    {
      name: "relay_recipient_maps",
      value: tableRef(TABLES.backupRecipients),
      why: "Only the addresses their home accepts; any other is refused at RCPT (550 5.1.1), never accepted and bounced later.",
    },
    {
      name: "transport_maps",
      value: tableRef(TABLES.backupTransport),
      why: "Each backed group's mail goes to its home host's channel, through the group's own forwarding transport.",
    },
    {
      name: "maximal_queue_lifetime",
      value: "10d",
      why: "A backup keeps mail for a home that is down for up to 10 days (Postfix's default is 5); this host's own undeliverable mail also waits as long.",
    },
  ];
}

/**
 * The brake of paused groups (groups[].outbound.paused): the queue manager delivers nothing
 * through their transports and keeps the mail deferred, recipient by recipient, so a message's
 * copies for the platform's own mailboxes (LMTP) still go out. A hold would stop whole messages,
 * those copies too. `postqueue -f`, `-i` and `sendmail -q` override this setting for one run:
 * resuming flushes only the resumed group's mail (the apply script's release step).
 */
function pausedTransports(host: HostPlan): PostconfSetting[] {
  const paused = host.transports.filter((t) => t.paused);
  return when<PostconfSetting>(paused.length > 0, {
    name: "defer_transports",
    value: paused.map((t) => t.name),
    why: `Paused (groups[].outbound.paused): ${paused.map((t) => t.group).join(", ")}; their outbound mail waits in the queue until resumed.`,
  });
}

/**
 * Build main.cf for one host.
 * @param paths - host locations (the DH parameters file); Debian's by default
 */
export function renderMainCf(plan: Plan, host: HostPlan, paths: HostPaths = HOST_PATHS): string {
  const { spec } = plan;
  const first = host.addresses[0]!;
  const publicIps = host.addresses.flatMap((a) => (a.publicIp === undefined ? [] : [a.publicIp]));
  const anyTlsRequired = plan.domains.some((d) => d.requireTlsInbound);
  const relay = spec.outbound.relayHost;

  const sections: PostconfSection[] = [
    {
      title: "Identity and trust",
      settings: [
        { name: "compatibility_level", value: "3.6", why: "Safe defaults of Postfix 3.6+ (e.g. mynetworks_style = host instead of the whole subnet)." },
        {
          name: "myhostname",
          value: host.primaryHostName,
          why: `The bounce group's (${host.bounce.group}) host name: notifications come from MAILER-DAEMON@ it (myorigin). Each group listener and transport overrides it with the group's own (master.cf).`,
        },
        { name: "smtpd_banner", value: "$myhostname ESMTP", why: "No software name or version in the banner." },
        { name: "biff", value: false },
        { name: "append_dot_mydomain", value: false },
        { name: "readme_directory", value: false },
        { name: "mynetworks", value: "127.0.0.0/8", why: "Only loopback may relay without authentication; never the subnet (an open relay inside the VPC)." },
        { name: "mynetworks_style", value: "host" },
        {
          name: "inet_interfaces",
          value: "all",
          why: "Listeners bind explicit group addresses in master.cf; this only tells Postfix which addresses are its own.",
        },
        { name: "inet_protocols", value: "ipv4" },
        ...when<PostconfSetting>(publicIps.length > 0, {
          name: "proxy_interfaces",
          value: publicIps,
          why: "The public (NAT) addresses are ours too: mail to them must not loop.",
        }),
        { name: "mydestination", value: "localhost", why: "Only system mail is local; the customer domains are virtual mailbox domains." },
        { name: "alias_maps", value: "hash:/etc/aliases" },
        { name: "alias_database", value: "hash:/etc/aliases" },
        { name: "recipient_delimiter", value: "+" },
        { name: "message_size_limit", value: spec.messageSizeLimitBytes },
        { name: "mailbox_size_limit", value: 0 },
      ],
    },
    {
      title: "Mailbox domains, delivered to Dovecot over LMTP",
      settings: [
        { name: "virtual_mailbox_domains", value: tableRef(TABLES.mailboxDomains) },
        {
          name: "virtual_mailbox_maps",
          value: tableRef(TABLES.virtualMailboxes),
          why: "The mailboxes the model declares; Dovecot's userdb serves the same list.",
        },
        {
          name: "virtual_alias_maps",
          value: tableRef(TABLES.virtualAliases),
          why: "Aliases, forwards, role addresses (postmaster@, abuse@) and catch-alls, rewritten before delivery.",
        },
        { name: "virtual_transport", value: "lmtp:unix:private/dovecot-lmtp" },
        ...(host.forwards.length === 0 ? [{ name: "relay_domains", value: "", why: "Relay for no other domain." }] : backupMxSettings()),
        {
          name: "smtpd_reject_unlisted_recipient",
          value: true,
          why: "An address that is no mailbox or alias is refused at RCPT (550 5.1.1), so no backscatter bounces; no probe of Dovecot, whose replies would name internal paths.",
        },
      ],
    },
    {
      title: "SMTP server restrictions (port 25; submission listeners override them)",
      settings: [
        { name: "smtpd_helo_required", value: true },
        ...heloSettings(),
        { name: "disable_vrfy_command", value: true, why: "No address harvesting with VRFY." },
        {
          name: "smtpd_relay_restrictions",
          value: ["permit_mynetworks", "permit_sasl_authenticated", "reject_unauth_destination"],
          why: "Never an open relay: only authenticated users and loopback send to foreign domains.",
        },
        {
          name: "smtpd_recipient_restrictions",
          value: [
            "reject_non_fqdn_recipient",
            "reject_unknown_recipient_domain",
            ...when(anyTlsRequired, `check_recipient_access ${tableRef(TABLES.recipientTlsRequired)}`),
            // A full mailbox is refused to every client (loopback too), never bounced later.
            ...quotaRestriction(plan),
          ],
          why: `${
            anyTlsRequired
              ? "TLS-only domains refuse plaintext sessions (even from loopback); unknown addresses are refused by smtpd_reject_unlisted_recipient."
              : "Unknown addresses are refused by smtpd_reject_unlisted_recipient."
          }${plan.accounts.enforcesQuota ? " Full mailboxes get 452 4.2.2 (quota), from every client." : ""}`,
        },
        ...quotaMainCf(plan),
        { name: "smtpd_sender_restrictions", value: ["reject_non_fqdn_sender", "reject_unknown_sender_domain"] },
        {
          name: "smtpd_null_access_lookup_key",
          value: NULL_SENDER_KEY,
          why: "The null sender's key in submission_sender_access: refused from authenticated users (master.cf).",
        },
        { name: "smtpd_data_restrictions", value: ["reject_unauth_pipelining"] },
        {
          name: "smtpd_forbid_unauth_pipelining",
          value: true,
          why: "Spamware sends commands before the server allows it; real clients wait (Postfix 3.7.10+).",
        },
        {
          name: "smtpd_forbid_bare_newline",
          value: "normalize",
          why: "SMTP smuggling: a bare LF never ends the message (CVE-2023-51764; Postfix 3.7.10+).",
        },
        { name: "smtpd_forbid_bare_newline_exclusions", value: "$mynetworks" },
        ...when<PostconfSetting>(
          anyTlsRequired,
          { name: "plaintext_reject_code", value: 550, why: "Plaintext mail to a TLS-only domain is refused for good, not deferred." },
          { name: "smtpd_reject_footer_maps", value: tableRef(TABLES.rejectFooter), why: "Tells the sender why (tls.plaintextRejectText)." },
        ),
      ],
    },
    {
      title: "Submission (587, 465): no lockout by idle or slow clients (the listeners in master.cf use these)",
      settings: host.listeners.some((l) => l.service.name === "submission" || l.service.name === "submissions") ? submissionLimitSettings() : [],
    },
    {
      title: "Authentication (SASL via Dovecot)",
      settings: [
        { name: "smtpd_sasl_type", value: "dovecot" },
        { name: "smtpd_sasl_path", value: "private/auth" },
        { name: "smtpd_sasl_auth_enable", value: false, why: "Off by default; only the submission listeners (587, 465) turn AUTH on." },
        { name: "smtpd_tls_auth_only", value: true, why: "AUTH is never offered before STARTTLS: no password crosses the network in clear." },
        { name: "smtpd_sasl_security_options", value: ["noanonymous", "noplaintext"] },
        { name: "smtpd_sasl_tls_security_options", value: ["noanonymous"] },
        { name: "broken_sasl_auth_clients", value: false },
      ],
    },
    {
      title: `TLS, server side (${plan.mxTls.summary})`,
      settings: [
        {
          name: "smtpd_tls_chain_files",
          value: [first.certificate.keyFile, first.certificate.chainFile],
          why: "Default certificate; each group listener presents the certificate of its own host name (master.cf).",
        },
        {
          name: "smtpd_tls_security_level",
          value: "may",
          why: "STARTTLS offered on port 25, never required: a public MX must accept plaintext (RFC 3207). 587 overrides with encrypt.",
        },
        ...serverTlsProfileSettings(plan.mxTls, tlsAcknowledgements(spec)),
        ...keyExchangeSettings(host.os, platformUsesDhe(plan) ? paths.dhParameters : undefined),
        { name: "smtpd_tls_loglevel", value: 1 },
        { name: "smtpd_tls_session_cache_database", value: "btree:${data_directory}/smtpd_scache" },
      ],
    },
    {
      title: "Outbound mail: one transport per customer group",
      settings: [
        {
          name: "sender_dependent_default_transport_maps",
          value: tableRef(TABLES.senderTransport),
          why: "Mail leaves through the transport of the sender's group: its own source address and HELO name.",
        },
        {
          name: "empty_address_default_transport_maps_lookup_key",
          value: NULL_SENDER_KEY,
          why: "The null sender's key in sender_transport: notifications leave through the bounce group's transport.",
        },
        {
          name: "default_transport",
          value: host.defaultTransport,
          why: "Senders outside every group domain (forwards, system mail) use the lowest-priority group unless outbound.defaultGroup says otherwise.",
        },
        { name: "relay_transport", value: host.defaultTransport },
        {
          name: "smtp_bind_address_enforce",
          value: true,
          why: "Defer rather than send from the wrong address when a group address is missing. No global smtp_bind_address: transports would inherit it.",
        },
        ...pausedTransports(host),
        ...host.transports.flatMap((t): PostconfSetting[] => [
          { name: `${t.name}_destination_concurrency_limit`, value: t.limits.destinationConcurrencyLimit, why: `Group ${t.group}: ${t.priority} priority.` },
          { name: `${t.name}_initial_destination_concurrency`, value: t.limits.initialDestinationConcurrency },
          { name: `${t.name}_destination_rate_delay`, value: `${t.limits.destinationRateDelaySeconds}s` },
        ]),
        ...whenDefined(relay, (smartHost): PostconfSetting[] => [
          { name: "relayhost", value: `[${smartHost.host}]:${smartHost.port}`, why: "All outbound mail goes through the smart host (outbound.relayHost)." },
        ]),
        ...when<PostconfSetting>(
          relay?.authenticate === true,
          {
            name: "smtp_sasl_auth_enable",
            value: true,
            why: "Credentials live in relay_password on the host, provisioned from a secret store, never in this file.",
          },
          { name: "smtp_sasl_password_maps", value: tableRef(TABLES.relayPassword) },
          { name: "smtp_sasl_security_options", value: ["noanonymous"] },
          { name: "smtp_sasl_tls_security_options", value: ["noanonymous"] },
        ),
      ],
    },
    {
      title: "TLS, client side",
      settings: [
        {
          name: "smtp_tls_security_level",
          value: spec.outbound.defaultTlsLevel,
          why: {
            dane: "Opportunistic DANE: TLSA-checked TLS where a destination publishes DNSSEC-signed TLSA records, otherwise TLS when offered (refusing plaintext would bounce mail to servers without TLS).",
            may: "Opportunistic TLS: refusing plaintext would bounce mail to servers without TLS.",
            encrypt: "Set by outbound.defaultTlsLevel.",
          }[spec.outbound.defaultTlsLevel],
        },
        { name: "smtp_tls_protocols", value: minProtocolSyntax(spec.outbound.minProtocol) },
        { name: "smtp_tls_mandatory_protocols", value: minProtocolSyntax(spec.outbound.minProtocol) },
        { name: "smtp_tls_ciphers", value: "medium", why: "Opportunistic: any encryption a peer offers beats the plaintext fallback." },
        { name: "smtp_tls_mandatory_ciphers", value: "high", why: "Where TLS is required, the profile's strong list." },
        { name: "smtp_tls_policy_maps", value: tableRef(TABLES.tlsPolicy), why: "Per-destination TLS requirements (outbound.tlsRules, relay host)." },
        { name: "smtp_tls_CAfile", value: "/etc/ssl/certs/ca-certificates.crt", why: "Loaded before chroot, so verify works inside it." },
        { name: "smtp_tls_loglevel", value: 1 },
        { name: "smtp_tls_session_cache_database", value: "btree:${data_directory}/smtp_scache" },
        {
          name: "smtp_tls_servername",
          value: "hostname",
          why: "SNI: each group's transport names the MX host it connects to, so a server with several names presents the right certificate (the way home of a backup MX names the home's certificate, master.cf).",
        },
        {
          name: "smtp_dns_support_level",
          value: "dnssec",
          why: "Every host resolves through its own validating unbound (127.0.0.1): Postfix asks for DNSSEC and trusts its AD flag, which DANE needs.",
        },
      ],
    },
    milterMainCfSection(plan, host),
    srsMainCfSection(plan),
    {
      title: "Connection screening (postscreen on port 25)",
      settings: when<PostconfSetting>(
        plan.postscreen,
        { name: "postscreen_access_list", value: "permit_mynetworks" },
        { name: "postscreen_denylist_action", value: "drop" },
        {
          name: "postscreen_dnsbl_sites",
          value: spec.dnsbl.sites.map((s) => `${s.zone}${s.replyFilter === undefined ? "" : `=${s.replyFilter}`}*${s.weight}`),
          why: "DNS blocklists and their weights (dnsbl.sites).",
        },
        { name: "postscreen_dnsbl_threshold", value: spec.dnsbl.threshold },
        { name: "postscreen_dnsbl_action", value: "enforce", why: "Listed clients get 550 for every recipient, and the attempt is logged in full." },
        { name: "postscreen_greet_action", value: "enforce", why: "Clients that talk before the greeting are spamware." },
        {
          name: "postscreen_cache_map",
          value: "proxy:btree:$data_directory/postscreen_cache",
          why: "Shared through proxymap: each group address runs its own postscreen process.",
        },
      ),
    },
  ];
  return formatMainCf(generatedHeader(spec.name, host.name), withOperatorMainCf(sections, spec.postfix?.mainCf));
}
