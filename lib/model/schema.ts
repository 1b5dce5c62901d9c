/**
 * The platform model: what a `platform.yaml` (or the `MailPlatform` props) may say.
 *
 * Shape, ranges and syntax are checked here; relations between fields (duplicates,
 * references, combinations) are checked in `cross-checks.ts`. Defaults are applied here,
 * so a parsed {@link PlatformSpec} is complete and every renderer reads explicit values.
 */
import { z } from "zod";
import { TLS_PROFILE_NAMES, TLS_PROTOCOLS } from "../tls/profiles";
import { absolutePath, acknowledgement, dnsName, headerName, identifier, ownMailAddress, privateIpv4, publicIpv4, smtpReplyText } from "./syntax";
import { AwsSchema, DnsSchema } from "./deployment-schema";
import { dkimKeyProblem } from "./dkim-key";
import { PRIVATE_KEY_MESSAGE, PRIVATE_KEY_NOT_SHOWN } from "./private-key";
import { DEFAULT_HOST_OS, HOST_OS } from "../catalogue/host-os";
import type { ServiceName } from "../catalogue/services";
import { DovecotSchema, PostfixSchema } from "./operator-settings";
import { ContentFilterSchema, GroupContentFilterSchema } from "./content-filter";
import { GroupSendingLimitsSchema, SendingLimitsSchema } from "./sending-limits";
import { BlocklistWatchSchema } from "./blocklist-watch";
import { AccountsSchema, AliasSchema, MailboxAccountSchema, quotaMb } from "./accounts-schema";

export { DovecotSchema, PostfixSchema } from "./operator-settings";
export { ContentFilterSchema, GroupContentFilterSchema } from "./content-filter";
export { GroupSendingLimitsSchema, PerGroupLimitsSchema, PerUserLimitsSchema, SendingLimitsSchema } from "./sending-limits";
export { BlocklistWatchSchema } from "./blocklist-watch";
export type { BlocklistWatchSpec } from "./blocklist-watch";

/** A mail host: one machine running Postfix and Dovecot. */
export const HostSchema = z
  .strictObject({
    /**
     * Identifier of the host, unique in the platform; used in resource names and as the
     * directory name of its rendered files. Lowercase letters, digits, inner hyphens; ≤ 24 (so that `<platform>-<host>` fits IAM names).
     */
    name: identifier("a host name identifier such as mx1", 24).describe(
      "Identifier of the host (lowercase letters, digits, inner hyphens; at most 24), unique in the platform.",
    ),
    /**
     * The host's operating system, when it differs from the platform's `os` (e.g. one host still
     * on Debian 12 while the others run Debian 13).
     * @default - the platform's `os`
     */
    os: z.enum(HOST_OS).optional().describe("The host's operating system (debian-13, debian-12). Default: the platform's os."),
  })
  .describe("A mail host: one machine running Postfix and Dovecot.")
  .meta({ title: "HostInput" });

/** Where one customer group is reachable on one host. */
export const GroupAddressSchema = z
  .strictObject({
    /** Name of the host (from `hosts[].name`) that carries this address. */
    host: identifier("a host name identifier", 24).describe("Name of the host (from hosts[].name) that carries this address."),
    /**
     * Private IPv4 address on the host's network interface (RFC 1918). Inbound listeners bind
     * to it and outbound mail of the group leaves from it.
     */
    privateIp: privateIpv4.describe("Private IPv4 address (RFC 1918) on the host. Listeners bind to it; the group's outbound mail leaves from it."),
    /**
     * Public DNS name of this address: the target of the group's MX, the A record, the PTR of
     * the public IP, the HELO name of outbound mail, the SMTP banner name and the TLS
     * certificate name.
     */
    hostName: dnsName("the public host name of this address").describe(
      "Public DNS name of this address: MX target, A record, PTR, HELO name, banner and certificate name.",
    ),
    /**
     * Public IPv4 address mapped to `privateIp`, when already known (an adopted Elastic IP).
     * @default - unknown until deploy; Postfix then does not list it in `proxy_interfaces`
     */
    publicIp: publicIpv4.optional().describe("Public IPv4 address mapped to privateIp, when known. Default: unknown until deploy."),
    /**
     * SHA-256 of the certificate's public key (SubjectPublicKeyInfo), hex, for a DANE `TLSA 3 1 1`
     * record at `_25._tcp.<hostName>`. Published only when the host name's zone is DNSSEC-signed.
     * The host keeps its key across renewals (certbot `--reuse-key`) so the pin stays valid: read it
     * once after the first deploy with
     * `openssl x509 -in fullchain.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum`.
     * @default - no TLSA record
     */
    tlsaSpkiSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { error: "expected 64 lowercase hex digits (SHA-256 of the public key)" })
      .optional()
      .describe("SHA-256 (hex) of the certificate's public key for TLSA 3 1 1 in DNSSEC zones. Default: none."),
  })
  .describe("Where one customer group is reachable on one host.")
  .meta({ title: "GroupAddressInput" });

/** A DNS label: letters, digits and inner hyphens, at most 63 characters. */
const dnsLabel = (what: string) =>
  z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: `expected ${what}: a DNS label (lowercase letters, digits, inner hyphens; at most 63)` });

/** A DKIM public key, checked for type and size. */
const dkimPublicKeyText = z.string().check((ctx) => {
  const problem = dkimKeyProblem(ctx.value);
  if (problem) ctx.issues.push({ code: "custom", input: problem === PRIVATE_KEY_MESSAGE ? PRIVATE_KEY_NOT_SHOWN : ctx.value, message: problem });
});

/** A DKIM signing key: its selector, public key (published) and where the private key lives. */
export const DkimKeySchema = z
  .strictObject({
    /** Selector: the key is published at `<selector>._domainkey.<domain>`. */
    selector: dnsLabel("a DKIM selector such as s2026").describe("Selector: published at <selector>._domainkey.<domain>."),
    /** Public key: base64 DER SubjectPublicKeyInfo or PEM; RSA ≥ 2048 bits or Ed25519. */
    publicKey: dkimPublicKeyText.describe("Public key (base64 DER SPKI or PEM); RSA ≥ 2048 bits or Ed25519."),
    /**
     * Name of the SSM SecureString parameter that holds the private key (PEM). The host reads it
     * at boot into /etc/opendkim/keys/<selector>.private (mode 0600, owner opendkim); it never
     * appears in synthesized output, user data or logs.
     */
    privateKeyParameter: z
      .string()
      .regex(/^\/[A-Za-z0-9_.\/-]{1,1000}$/, { error: "expected an SSM parameter name such as /acme-mail/dkim/s2026" })
      .describe("SSM SecureString parameter holding the private key (PEM); read by the host at boot."),
    /**
     * The previous key during a rotation: still published so that mail signed with it in the last
     * days verifies, no longer used for signing. Remove it a week after the switch.
     * @default - none
     */
    retiring: z
      .strictObject({
        /** Selector of the previous key, still published at `<selector>._domainkey.<domain>`. */
        selector: dnsLabel("a DKIM selector").describe("Selector of the previous key, still published at <selector>._domainkey.<domain>."),
        /** Public key of the previous key: base64 DER SubjectPublicKeyInfo or PEM; RSA ≥ 2048 bits or Ed25519. */
        publicKey: dkimPublicKeyText.describe("Public key of the previous key (base64 DER SPKI or PEM); RSA ≥ 2048 bits or Ed25519."),
      })
      .optional()
      .describe("Previous key during a rotation: published, not used for signing. Default: none."),
  })
  .describe("A DKIM signing key.")
  .meta({ title: "DkimKeyInput" });

/** The delivery priority classes. */
export const DELIVERY_PRIORITIES = ["high", "normal", "bulk"] as const;

/** A mail domain owned by one customer group. */
export const DomainSchema = z
  .strictObject({
    /** The domain name (lowercase ASCII; A-labels for internationalised names). */
    name: dnsName("a mail domain").describe("The mail domain (lowercase ASCII, A-labels for internationalised names)."),
    /**
     * Refuse inbound mail to this domain over a plaintext session: senders must use STARTTLS.
     * Peers that try plaintext get a 550 reply with `tls.plaintextRejectText`.
     * @default false
     */
    requireTlsInbound: z.boolean().default(false).describe("Refuse inbound mail to this domain unless the session uses STARTTLS. Default: false."),
    /**
     * Deliver mail to any unknown address of this domain to this mailbox or alias of the group
     * (which draws spam to it). Without it, unknown addresses are refused at RCPT.
     * @default - none: unknown addresses are refused
     */
    catchAll: ownMailAddress("a mailbox or alias address of the group")
      .optional()
      .describe("Mailbox or alias of the group that receives mail to unknown addresses of this domain. Default: none (refused at RCPT)."),
  })
  .describe("A mail domain owned by one customer group.")
  .meta({ title: "DomainInput" });

/** The brake on one group's outbound mail. */
export const GroupOutboundSchema = z
  .strictObject({
    /**
     * Hold back the group's outbound mail: Postfix keeps every message the group sends to a
     * foreign domain in its deferred queue (`defer_transports` of the group's transport) until the
     * group is resumed; nothing is bounced or refused. Mail to the platform's own mailboxes on the
     * same host, and inbound mail of the group, keep flowing. Mail waits at most Postfix's
     * `maximal_queue_lifetime` (5 days, 10 on a backup MX) and is then returned to the sender.
     * @default false
     */
    paused: z
      .boolean()
      .default(false)
      .describe(
        "Hold back the group's outbound mail in the queue until resumed (nothing is bounced or refused); its inbound mail and mail to the platform's own mailboxes on the same host keep flowing. Default: false.",
      ),
  })
  .describe("The brake on the group's outbound mail.")
  .meta({ title: "GroupOutboundInput" });

/** A customer group: domains, addresses and delivery priority kept apart from other groups. */
export const GroupSchema = z
  .strictObject({
    /**
     * Identifier of the group, unique in the platform; used in Postfix service and transport
     * names (`out-<name>`) and syslog names. Lowercase letters, digits, inner hyphens; ≤ 20.
     */
    name: identifier("a group identifier such as business", 20).describe(
      "Identifier of the group (lowercase letters, digits, inner hyphens; at most 20), unique in the platform.",
    ),
    /**
     * Delivery priority of the group's outbound mail: `high` gets more parallel connections per
     * destination and more delivery processes, `bulk` is paced at one message per second per
     * destination, so a bulk run cannot crowd out the other groups.
     * @default "normal"
     */
    priority: z.enum(DELIVERY_PRIORITIES).default("normal").describe("Delivery priority of the group's outbound mail: high, normal or bulk. Default: normal."),
    /** The domains the group owns. A domain belongs to exactly one group. */
    domains: z.array(DomainSchema).min(1).describe("The domains the group owns; a domain belongs to exactly one group."),
    /**
     * The group's addresses, at most one per host: where the group listens and from where its
     * mail leaves. The hosts that carry one are the group's MX hosts: its home first, then the
     * others (its backup MX) in `hosts` order.
     */
    addresses: z
      .array(GroupAddressSchema)
      .min(1)
      .describe("The group's addresses, at most one per host: its MX hosts (home first, then the others as backup MX, in hosts order)."),
    /**
     * The group's home host (from `hosts[].name`; it must carry one of the group's addresses):
     * its mailboxes, IMAP/POP3, submission, client discovery and outbound mail live there. Every
     * other host that carries one of the group's addresses is a backup MX for the group: it
     * accepts mail for the group's existing addresses only, queues it and forwards it to the home.
     * @default - the first host, in `hosts` order, that carries one of the group's addresses
     */
    home: identifier("a host name identifier", 24)
      .optional()
      .describe("The group's home host: mailboxes, IMAP/POP3, submission, outbound mail. Default: the first host (hosts order) carrying one of its addresses."),
    /**
     * This group's own DKIM key (so one group's key compromise or rotation never touches another).
     * @default - the platform's `dkim` key
     */
    dkim: DkimKeySchema.optional().describe("The group's own DKIM key. Default: the platform's dkim key."),
    /** The group's mailboxes: each logs in and receives mail. @default [] */
    mailboxes: z.array(MailboxAccountSchema).max(100_000).default([]).describe("The group's mailboxes. Default: none."),
    /** The group's aliases: addresses that deliver to others. @default [] */
    aliases: z.array(AliasSchema).max(100_000).default([]).describe("The group's aliases. Default: none."),
    /**
     * Where `postmaster@` and `abuse@` of this group's domains deliver, instead of
     * `accounts.roleMailbox`.
     * @default - `accounts.roleMailbox`
     */
    roleMailbox: ownMailAddress("a mailbox or alias address")
      .optional()
      .describe("Where postmaster@ and abuse@ of this group's domains deliver. Default: accounts.roleMailbox."),
    /** The brake on the group's outbound mail (`mail-platform group pause|resume`). @default { paused: false } */
    outbound: GroupOutboundSchema.prefault({}).describe("The brake on the group's outbound mail (mail-platform group pause|resume). Default: not paused."),
    /** The group's own inbound content filter thresholds. @default - the platform's contentFilter.inbound */
    contentFilter: GroupContentFilterSchema.optional().describe("The group's own inbound content filter thresholds. Default: contentFilter.inbound."),
    /** The group's own sending limits (needs contentFilter.enabled). @default - the platform's sendingLimits */
    sendingLimits: GroupSendingLimitsSchema.optional().describe("The group's own sending limits on submitted mail. Default: sendingLimits."),
  })
  .describe("A customer group: domains, addresses and delivery priority kept apart from other groups.")
  .meta({ title: "GroupInput" });

/** Mail services, each switched on or off for every group address. */
export const ServicesSchema = z
  .strictObject({
    /** SMTP on port 25 (MX, STARTTLS offered, no AUTH). @default true */
    smtp: z.boolean().default(true).describe("SMTP on port 25 (MX; STARTTLS offered, no AUTH). Default: true."),
    /** Submission on port 587 (STARTTLS required, AUTH after TLS). @default true */
    submission: z.boolean().default(true).describe("Submission on port 587 (STARTTLS required, AUTH after TLS). Default: true."),
    /** Submission over implicit TLS on port 465 (RFC 8314). @default true */
    submissions: z.boolean().default(true).describe("Submission over implicit TLS on port 465 (RFC 8314). Default: true."),
    /** IMAP on port 143 (STARTTLS required before login). @default false */
    imap: z.boolean().default(false).describe("IMAP on port 143 (STARTTLS required before login). Default: false."),
    /** IMAP over implicit TLS on port 993. @default true */
    imaps: z.boolean().default(true).describe("IMAP over implicit TLS on port 993. Default: true."),
    /** POP3 on port 110 (STLS required before login). @default false */
    pop3: z.boolean().default(false).describe("POP3 on port 110 (STLS required before login). Default: false."),
    /** POP3 over implicit TLS on port 995. @default false */
    pop3s: z.boolean().default(false).describe("POP3 over implicit TLS on port 995. Default: false."),
    /** ManageSieve on port 4190 (RFC 5804; STARTTLS required before AUTHENTICATE): users manage their Sieve filters and vacation replies. @default false */
    managesieve: z
      .boolean()
      .default(false)
      .describe("ManageSieve on port 4190 (RFC 5804; STARTTLS required before AUTHENTICATE): users manage their Sieve filters. Default: false."),
    // One switch per service of the catalogue's table, no more and no fewer.
  } satisfies Record<ServiceName, z.ZodType>)
  .describe("Mail services, each on or off for every group address.")
  .meta({ title: "ServicesInput" });

/** A TLS policy given cipher by cipher, for platforms with requirements no profile meets. */
export const CustomTlsSchema = z
  .strictObject({
    /** Lowest TLS protocol accepted. TLS 1.0/1.1 need `tls.legacyAcknowledgement`. */
    minProtocol: z.enum(TLS_PROTOCOLS).describe("Lowest TLS protocol accepted. TLSv1/TLSv1.1 need tls.legacyAcknowledgement."),
    /** OpenSSL cipher string for TLS ≤ 1.2, colon-separated. */
    ciphers: z.string().max(2000).describe("OpenSSL cipher string for TLS 1.2 and below, colon-separated."),
    /** Prefer the server's cipher order. @default true */
    preferServerCiphers: z.boolean().default(true).describe("Prefer the server's cipher order. Default: true."),
    /**
     * Written reason for allowing anonymous, null, RC4, MD5, export, DES/3DES or low-strength
     * suites, or a security level below OpenSSL's default (`@SECLEVEL=0`/`1`). Without it, a cipher
     * string that enables any of them (as the hosts' OpenSSL expands it) is refused.
     * @default - none: weak suites are refused
     */
    weakCipherAcknowledgement: acknowledgement
      .optional()
      .describe("Written reason for allowing aNULL/eNULL/RC4/MD5/EXPORT/DES/LOW suites or @SECLEVEL 0/1. Default: none (refused)."),
  })
  .describe("A TLS policy given cipher by cipher.")
  .meta({ title: "CustomTlsInput" });

/** TLS policy for every listener and for outbound mail. */
export const TlsSchema = z
  .strictObject({
    /**
     * TLS profile of the MX port (25) and, unless `clientProfile` is set, of every other port.
     * `intermediate` is Mozilla's intermediate profile, `modern` is TLS 1.3 only, `legacy-2015`
     * allows TLS 1.0 and 1.1 (needs `legacyAcknowledgement`), `custom` reads `custom`.
     * @default "intermediate"
     */
    profile: z
      .enum(TLS_PROFILE_NAMES)
      .default("intermediate")
      .describe("TLS profile: intermediate (Mozilla), modern (TLS 1.3 only), legacy-2015 or custom. Default: intermediate."),
    /**
     * TLS profile of the client-facing ports (587, 465, IMAP, POP3), where the operator knows
     * the clients; e.g. `modern` while port 25 stays `intermediate` for other mail servers.
     * @default - the same as `profile`
     */
    clientProfile: z.enum(TLS_PROFILE_NAMES).optional().describe("TLS profile of client ports (587, 465, IMAP, POP3). Default: the same as profile."),
    /** The custom policy; required when a profile is `custom`. @default - none */
    custom: CustomTlsSchema.optional().describe("The custom policy; required when a profile is custom."),
    /**
     * Written reason for accepting TLS 1.0/1.1 (deprecated by RFC 8996). Required for
     * `legacy-2015` and for a custom policy below TLS 1.2.
     * @default - none: deprecated protocols are refused
     */
    legacyAcknowledgement: acknowledgement.optional().describe("Written reason for accepting TLS 1.0/1.1. Required for legacy-2015. Default: none (refused)."),
    /**
     * Directory holding one sub-directory per certificate name with `fullchain.pem` and
     * `privkey.pem` (certbot's layout). Each group address presents the certificate named
     * after its `hostName`.
     * @default "/etc/letsencrypt/live"
     */
    certificateDirectory: absolutePath
      .default("/etc/letsencrypt/live")
      .describe("Directory with <hostName>/fullchain.pem and privkey.pem (certbot layout). Default: /etc/letsencrypt/live."),
    /**
     * Text appended to the 550 reply sent to a peer that tries to deliver mail in plaintext to
     * a domain with `requireTlsInbound`.
     * @default "This domain accepts mail only over an encrypted connection: use STARTTLS."
     */
    plaintextRejectText: smtpReplyText
      .default("This domain accepts mail only over an encrypted connection: use STARTTLS.")
      .describe("Text added to the 550 reply for plaintext mail to a TLS-required domain."),
  })
  .describe("TLS policy for every listener and for outbound mail.")
  .meta({ title: "TlsInput" });

/** TLS security levels for outbound mail (see Postfix TLS_README). */
export const OUTBOUND_TLS_LEVELS = ["may", "encrypt", "verify", "dane"] as const;

/** A TLS requirement for mail to one destination. */
export const OutboundTlsRuleSchema = z
  .strictObject({
    /** The destination domain (and its subdomains are not included). */
    destination: dnsName("a destination domain").describe("The destination domain this rule applies to."),
    /**
     * `may`: TLS when offered; `encrypt`: TLS required, certificate not checked; `verify`: TLS
     * required and the certificate must match the MX name; `dane`: DANE TLSA when published
     * (needs a DNSSEC-validating resolver on the host).
     * @default "encrypt"
     */
    level: z.enum(OUTBOUND_TLS_LEVELS).default("encrypt").describe("may, encrypt, verify or dane. Default: encrypt."),
    /** Lowest TLS protocol for this destination. @default "TLSv1.2" */
    minProtocol: z.enum(TLS_PROTOCOLS).default("TLSv1.2").describe("Lowest TLS protocol for this destination. Default: TLSv1.2."),
  })
  .describe("A TLS requirement for mail to one destination.")
  .meta({ title: "OutboundTlsRuleInput" });

/** A smart host that relays all outbound mail. */
export const RelayHostSchema = z
  .strictObject({
    /** Host name of the relay (looked up as A record, not MX). */
    host: dnsName("the relay host name").describe("Host name of the relay (A record, no MX lookup)."),
    /** Port of the relay: 25 or 587 (STARTTLS) or 465 (implicit TLS). @default 587 */
    port: z.literal([25, 587, 465]).default(587).describe("Port: 25 or 587 (STARTTLS) or 465 (implicit TLS). Default: 587."),
    /** TLS requirement towards the relay. @default "encrypt" */
    level: z.enum(OUTBOUND_TLS_LEVELS).default("encrypt").describe("TLS level towards the relay. Default: encrypt."),
    /** Lowest TLS protocol towards the relay. @default "TLSv1.2" */
    minProtocol: z.enum(TLS_PROTOCOLS).default("TLSv1.2").describe("Lowest TLS protocol towards the relay. Default: TLSv1.2."),
    /**
     * Authenticate to the relay with SASL. The credentials are never part of the model: the
     * host reads them from `<config>/relay_password` (`[host]:port user:password`), which the
     * deployment provisions from a secret store.
     * @default false
     */
    authenticate: z.boolean().default(false).describe("Authenticate with SASL using the host's relay_password file. Default: false."),
  })
  .describe("A smart host that relays all outbound mail.")
  .meta({ title: "RelayHostInput" });

/** Outbound mail: TLS rules per destination, an optional relay, the group for foreign senders. */
export const OutboundSchema = z
  .strictObject({
    /**
     * TLS level for destinations without a rule. `dane` (opportunistic DANE) is right for the
     * public internet: a destination that publishes DNSSEC-signed TLSA records gets TLS with its
     * certificate checked against them, any other gets opportunistic TLS (`may`), since refusing
     * plaintext would bounce mail to servers without TLS. Every host validates DNSSEC with its
     * own resolver (unbound), which `dane` needs.
     * @default "dane"
     */
    defaultTlsLevel: z
      .enum(["may", "encrypt", "dane"])
      .default("dane")
      .describe("TLS level for destinations without a rule: may, encrypt or dane (TLSA checked where published, else may). Default: dane."),
    /** Lowest TLS protocol used when TLS is negotiated with destinations without a rule. @default "TLSv1.2" */
    minProtocol: z.enum(TLS_PROTOCOLS).default("TLSv1.2").describe("Lowest TLS protocol for destinations without a rule. Default: TLSv1.2."),
    /** TLS requirements for particular destinations. @default [] */
    tlsRules: z.array(OutboundTlsRuleSchema).default([]).describe("TLS requirements for particular destinations. Default: none."),
    /** A smart host for all outbound mail. @default - direct delivery via MX */
    relayHost: RelayHostSchema.optional().describe("A smart host for all outbound mail. Default: direct delivery via MX."),
    /**
     * The bounce group: delivery status notifications (bounces, delay and success notices) leave
     * through its address and HELO name as `MAILER-DAEMON@` its host name, signed with its DKIM
     * key; mail from senders outside every group domain (forwards, system mail) leaves through it
     * too. On a host that is not its home, the host's lowest-priority home group takes its place.
     * @default - the group with the lowest delivery priority (first listed on a tie), so that
     * bounces never spend the reputation of a higher-priority group
     */
    defaultGroup: identifier("a group identifier", 20)
      .optional()
      .describe(
        "The bounce group: sends delivery status notifications (MAILER-DAEMON@ its host name, its DKIM key) and carries mail from senders outside every group domain. Default: the lowest-priority group.",
      ),
  })
  .describe("Outbound mail settings.")
  .meta({ title: "OutboundInput" });

/** One DNS blocklist consulted by postscreen. */
export const DnsblSiteSchema = z
  .strictObject({
    /** The blocklist zone, e.g. `zen.spamhaus.org`. */
    zone: dnsName("a DNSBL zone").describe("The blocklist zone, e.g. zen.spamhaus.org."),
    /** Score added when the client is listed; negative for allowlists. @default 1 */
    weight: z
      .int()
      .min(-99)
      .max(99)
      .refine((w) => w !== 0, { error: "expected a non-zero weight" })
      .default(1)
      .describe("Score added when listed (negative for allowlists), -99..99, not 0. Default: 1."),
    /**
     * Only these reply addresses count, in postscreen's filter syntax: four octets, each a
     * number, `[a..b]` range or `[a;b;c]` list, e.g. `127.0.0.[2..11]`.
     * @default - any reply counts
     */
    replyFilter: z
      .string()
      .regex(/^(?:(?:\d{1,3}|\[\d{1,3}(?:\.\.\d{1,3}|(?:;\d{1,3})+)\])\.){3}(?:\d{1,3}|\[\d{1,3}(?:\.\.\d{1,3}|(?:;\d{1,3})+)\])$/, {
        error: "expected a reply filter of four octets, each a number, [a..b] or [a;b;c], such as 127.0.0.[2..11]",
      })
      .optional()
      .describe("Reply addresses that count, e.g. 127.0.0.[2..11]. Default: any reply."),
  })
  .describe("One DNS blocklist consulted by postscreen.")
  .meta({ title: "DnsblSiteInput" });

/** Connection-time DNS blocklisting on port 25 (postscreen). */
export const DnsblSchema = z
  .strictObject({
    /** The blocklists; empty turns postscreen off. @default [] */
    sites: z.array(DnsblSiteSchema).max(20).default([]).describe("The blocklists; empty turns postscreen off. Default: none."),
    /** Total weight at which a client is rejected. @default 1 */
    threshold: z.int().min(1).max(99).default(1).describe("Total weight at which a client is rejected, 1..99. Default: 1."),
  })
  .describe("Connection-time DNS blocklisting on port 25 (postscreen).")
  .meta({ title: "DnsblInput" });

/** What is removed from mail that users submit. */
export const PrivacySchema = z
  .strictObject({
    /**
     * Header fields removed from mail submitted on 587/465 (webmail and clients add them with
     * the user's IP address).
     * @default ["X-Originating-IP"]
     */
    stripHeaders: z.array(headerName).max(50).default(["X-Originating-IP"]).describe("Header fields removed from submitted mail. Default: [X-Originating-IP]."),
    /**
     * Replace the client's name and IP address in the `Received:` header that Postfix adds to
     * authenticated (submitted) mail, so recipients do not learn where the user was.
     * @default true
     */
    hideClientIpInReceived: z.boolean().default(true).describe("Remove the client's IP from the Received header of submitted mail. Default: true."),
  })
  .describe("What is removed from mail that users submit.")
  .meta({ title: "PrivacyInput" });

/** Mailbox features of Dovecot. */
export const MailboxSchema = z
  .strictObject({
    /** Create and subscribe an `Archive` folder with the `\Archive` special use for every user. @default true */
    archiveFolder: z.boolean().default(true).describe("Create an Archive special-use folder for every user. Default: true."),
    /**
     * Full-text search: Dovecot's flatcurve backend on Debian 13 (dovecot-flatcurve, Xapian-based,
     * built from Dovecot's own source), the Xapian plugin on Debian 12 (dovecot-fts-xapian).
     * @default false
     */
    fullTextSearch: z.boolean().default(false).describe("Full-text search (Debian 13: dovecot-flatcurve; Debian 12: dovecot-fts-xapian). Default: false."),
    /** Quota in MiB of every mailbox without its own `quotaMb`. @default - unlimited */
    defaultQuotaMb: quotaMb.optional().describe("Quota in MiB of every mailbox without its own quotaMb. Default: unlimited."),
  })
  .describe("Mailbox features of Dovecot.")
  .meta({ title: "MailboxInput" });

/** An IPv4 or IPv6 address, or a network in CIDR form, that brute-force protection never bans. */
const neverBanEntry = z
  .string()
  .regex(
    /^(?:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\/(?:3[0-2]|[12]?\d))?|[0-9a-f]*:[0-9a-f:]*(?:\/(?:12[0-8]|1[01]\d|[1-9]?\d))?)$/,
    { error: "expected an IPv4 or IPv6 address or network in CIDR form, such as 198.51.100.0/24 or 2001:db8::/48 (IPv6 in lowercase)" },
  )
  .refine((value) => !value.includes(":") || (value.split("/")[0]!.match(/::/g) ?? []).length <= 1, { error: "expected at most one :: in an IPv6 address" });

/**
 * Brute-force protection of every login port (SMTP AUTH on 587/465, IMAP, POP3, ManageSieve):
 * fail2ban from Debian counts each failed password in Dovecot's authentication log (Postfix asks
 * Dovecot, so SMTP AUTH counts too) and bans the client address with nftables on the login ports.
 */
export const BruteForceSchema = z
  .strictObject({
    /** Ban addresses that fail to log in too often. @default true */
    enabled: z.boolean().default(true).describe("Ban addresses that fail to log in too often (fail2ban, nftables). Default: true."),
    /** Failed logins from one address within `findTimeMinutes` that ban it. @default 5 */
    maxFailures: z.int().min(3).max(100).default(5).describe("Failed logins from one address within findTimeMinutes that ban it, 3..100. Default: 5."),
    /** The window in which failures are counted, in minutes. @default 10 */
    findTimeMinutes: z.int().min(1).max(1440).default(10).describe("Window in which failures are counted, in minutes, 1..1440. Default: 10."),
    /** How long a banned address stays banned, in minutes. @default 60 */
    banMinutes: z.int().min(1).max(10080).default(60).describe("How long an address stays banned, in minutes, 1..10080 (a week). Default: 60."),
    /**
     * Addresses and networks never banned (an office NAT with many users, a monitoring probe).
     * The hosts' own addresses are never banned either.
     * @default []
     */
    neverBan: z.array(neverBanEntry).max(50).default([]).describe("Addresses or CIDR networks never banned, at most 50. Default: none."),
  })
  .describe("Brute-force protection of the login ports (fail2ban with nftables).")
  .meta({ title: "BruteForceInput" });

/** A whole mail platform. */
export const PlatformSchema = z
  .strictObject({
    /** Name of the platform: the prefix of every cloud resource name. Lowercase letters, digits, inner hyphens; ≤ 32. */
    name: identifier("a platform name such as acme-mail", 32).describe(
      "Name of the platform, prefix of cloud resource names (lowercase letters, digits, inner hyphens; at most 32).",
    ),
    /**
     * The operating system of the hosts: `debian-13` (Postfix 3.10, Dovecot 2.4; Debian's stable
     * release) or `debian-12` (Postfix 3.7, Dovecot 2.3; LTS). It decides the AMI, the packages and
     * the configuration language of every rendered file. Changing it on a running host means
     * replacing the instance (the data volume stays); see the README.
     * @default "debian-13"
     */
    os: z.enum(HOST_OS).default(DEFAULT_HOST_OS).describe("Operating system of the hosts: debian-13 or debian-12. Default: debian-13."),
    /**
     * The mail hosts. Each carries addresses of some groups; after a group's home, their order
     * is the group's MX preference order.
     */
    hosts: z.array(HostSchema).min(1).max(16).describe("The mail hosts; after a group's home, their order is its MX preference order."),
    /** The customer groups (each host's one network interface limits how many one host carries). */
    groups: z.array(GroupSchema).min(1).max(256).describe("The customer groups."),
    /** Which services listen. @default smtp, submission, submissions and imaps on; imap, pop3, pop3s, managesieve off */
    services: ServicesSchema.prefault({}).describe("Which services listen."),
    /** TLS policy. @default Mozilla intermediate everywhere */
    tls: TlsSchema.prefault({}).describe("TLS policy."),
    /** Outbound mail. @default opportunistic TLS ≥ 1.2, direct delivery */
    outbound: OutboundSchema.prefault({}).describe("Outbound mail."),
    /** DNS blocklists on port 25. @default none */
    dnsbl: DnsblSchema.prefault({}).describe("DNS blocklists on port 25."),
    /**
     * The blocklist watch of the platform's own group addresses: a check on every host on a schedule,
     * a CloudWatch metric and alarm per group address, optionally a pause of a listed group.
     * @default off
     */
    blocklistWatch: BlocklistWatchSchema.prefault({}).describe(
      "The blocklist watch of the group addresses: scheduled checks, a metric and alarm per address, optionally a pause of a listed group. Default: off.",
    ),
    /** Privacy of submitted mail. @default strip X-Originating-IP, hide the client IP */
    privacy: PrivacySchema.prefault({}).describe("Privacy of submitted mail."),
    /** Mailbox features. @default Archive folder on, full-text search off */
    mailbox: MailboxSchema.prefault({}).describe("Mailbox features."),
    /** Brute-force protection of the login ports. @default on: 5 failures in 10 minutes ban an address for 60 minutes */
    bruteForce: BruteForceSchema.prefault({}).describe("Brute-force protection of the login ports."),
    /** Content filtering with rspamd. @default on: inbound reject at 15, header at 6, no greylisting; outbound hold at 10; no ClamAV */
    contentFilter: ContentFilterSchema.prefault({}).describe("Content filtering with rspamd (a Postfix milter) and redis."),
    /**
     * Sending limits on submitted mail, per user and per group, counted by rspamd (over a limit: 451).
     * Absent: on with the defaults when contentFilter.enabled, else none; set, it needs contentFilter.enabled.
     * @default - on with the defaults (200 an hour, 1000 a day, 2000 recipients a day per user; 2000 an hour, 10000 a day per group) when the content filter is on
     */
    sendingLimits: SendingLimitsSchema.optional().describe(
      "Sending limits on submitted mail, per user and per group (rspamd; over a limit: 451). Default: on with the defaults when contentFilter.enabled, else none.",
    ),
    /** Platform-wide settings of accounts (role addresses, where password hashes live). @default - none set */
    accounts: AccountsSchema.prefault({}).describe("Platform-wide settings of accounts."),
    /**
     * Largest message accepted, in bytes (the whole message, after base64).
     * @default 36700160 (35 MiB: a 25 MiB attachment grows by a third in base64)
     */
    messageSizeLimitBytes: z
      .int()
      .min(1_048_576)
      .max(1_073_741_824)
      .default(36_700_160)
      .describe("Largest message accepted, in bytes, 1 MiB..1 GiB. Default: 36700160 (35 MiB)."),
    /**
     * DKIM signing of all outbound mail (OpenDKIM on the host) and its public key in DNS.
     * @default - no DKIM signing
     */
    dkim: DkimKeySchema.optional().describe("DKIM key for every group without its own. Default: no DKIM."),
    /**
     * Postfix settings the model has no field for (main.cf, master.cf `-o` per listener), rendered
     * last; judged by the security rule pack at synth.
     * @default - none
     */
    postfix: PostfixSchema.optional().describe("Postfix operator settings: main.cf and master.cf parameters, rendered last. Default: none."),
    /**
     * Dovecot settings the model has no field for, rendered last in dovecot.conf; judged by the
     * security rule pack at synth.
     * @default - none
     */
    dovecot: DovecotSchema.optional().describe("Dovecot operator settings: top-level dovecot.conf settings, rendered last. Default: none."),
    /** DNS zones of the platform's records. Required by the constructs. @default - none */
    dns: DnsSchema.optional().describe("DNS zones of the platform's records. Required to deploy."),
    /** AWS placement. Required by the constructs. @default - none */
    aws: AwsSchema.optional().describe("AWS placement. Required to deploy."),
  })
  .describe("A mail platform: hosts, customer groups, services and policies.");

/**
 * What users write: `PlatformInput` (the model with every default optional) and the input type
 * of each part (`GroupInput`, `HostInput`, `TlsInput`, ...): declared types generated from the
 * JSON Schema (`npm run schema`), so their documentation survives into the package's `.d.ts`
 * files; test/unit/input-types.test.ts proves each equals the zod input type of its schema.
 */
export * from "./input-types";
/** The validated model with every default applied. */
export type PlatformSpec = z.output<typeof PlatformSchema>;
/** A validated customer group. */
export type GroupSpec = PlatformSpec["groups"][number];
/** A validated group address. */
export type GroupAddressSpec = GroupSpec["addresses"][number];
/** A validated domain. */
export type DomainSpec = GroupSpec["domains"][number];
/** A validated host. */
export type HostSpec = PlatformSpec["hosts"][number];
/** The service switches. */
export type ServicesSpec = PlatformSpec["services"];
/** A service name (one list, in the catalogue; the switches above must name exactly these). */
export type { ServiceName } from "../catalogue/services";
/** The validated TLS policy. */
export type TlsSpec = PlatformSpec["tls"];
/** The validated outbound settings. */
export type OutboundSpec = PlatformSpec["outbound"];
/** A delivery priority class. */
export type DeliveryPriority = (typeof DELIVERY_PRIORITIES)[number];
/** An outbound TLS level. */
export type OutboundTlsLevel = (typeof OUTBOUND_TLS_LEVELS)[number];
/** The validated brute-force protection settings. */
export type BruteForceSpec = PlatformSpec["bruteForce"];
export type { ContentFilterSpec, GroupContentFilterSpec } from "./content-filter";
export type { GroupSendingLimitsSpec, SendingLimitsSpec } from "./sending-limits";
