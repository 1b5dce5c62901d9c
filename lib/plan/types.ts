import type { HostOs } from "../catalogue/host-os";
/**
 * The Plan: everything derived from a platform model, before any file is written.
 * Renderers and constructs read only this (and the spec it came from).
 */
import type { DnsSpec } from "../model/deployment-schema";
import type { DkimKeySpec } from "../model/group-dkim-key";
import type { DeliveryPriority, PlatformSpec, ServiceName } from "../model/schema";
import type { TlsProfile } from "../tls/profiles";
import type { DeliveryLimits } from "./delivery-priority";
import type { ServiceInfo } from "../catalogue/services";

/** A certificate file pair in certbot's layout. */
export interface CertificatePlan {
  /** The certificate's name: the address host name. */
  readonly name: string;
  /** Full chain, leaf first. */
  readonly chainFile: string;
  /** Private key. */
  readonly keyFile: string;
}

/**
 * What a host is for a group: its `home` (mailboxes, IMAP/POP3, submission, outbound mail) or
 * a `backup` MX (accepts mail for the group's existing addresses, queues it, forwards it home).
 */
export type GroupRole = "home" | "backup";

/** One group address on one host. */
export interface AddressPlan {
  /** Owning group. */
  readonly group: string;
  /** What the host is for the group. */
  readonly role: GroupRole;
  /** Private IPv4 the listeners bind to and outbound mail leaves from. */
  readonly privateIp: string;
  /** Public IPv4, when known before deploy. */
  readonly publicIp?: string;
  /** Host name for A, PTR, HELO, banner and certificate. */
  readonly hostName: string;
  /** The certificate this address presents. */
  readonly certificate: CertificatePlan;
}

/** A listening socket: one enabled service on one group address. */
export interface ListenerPlan {
  /** The service. */
  readonly service: ServiceInfo;
  /** The TCP port listened on (the service's standard port unless a local instance moves it). */
  readonly port: number;
  /** The address. */
  readonly address: AddressPlan;
}

/** An outbound transport: a Postfix smtp clone bound to one group address. */
export interface TransportPlan {
  /** master.cf service name, e.g. `out-business`. */
  readonly name: string;
  /** The group whose mail it carries. */
  readonly group: string;
  /** The group's delivery priority. */
  readonly priority: DeliveryPriority;
  /** Source address of outbound connections. */
  readonly bindAddress: string;
  /** Name sent in EHLO; equals the PTR of the public IP. */
  readonly heloName: string;
  /** Concurrency and pacing. */
  readonly limits: DeliveryLimits;
  /** Whether the group's outbound mail is held back (`groups[].outbound.paused`): Postfix defers this transport. */
  readonly paused: boolean;
}

/**
 * A backup MX's forwarding of one group's mail to the group's home host: a Postfix smtp clone
 * that leaves from the group's address on the backup and delivers to the home host's channel
 * listener over verified TLS.
 */
export interface ForwardPlan {
  /** master.cf service name, e.g. `home-business`. */
  readonly name: string;
  /** The group whose mail it forwards. */
  readonly group: string;
  /** The group's domains (the backup relays them, and only to their existing addresses). */
  readonly domains: readonly string[];
  /** The home host. */
  readonly homeHost: string;
  /** Private address and port of the home host's channel listener. */
  readonly channelAddress: string;
  /** The channel listener's port. */
  readonly channelPort: number;
  /** The certificate name the home presents on the channel (verified). */
  readonly channelCertificateName: string;
  /** Source address of the forwarding connections (the group's address on the backup). */
  readonly bindAddress: string;
  /** Name sent in EHLO. */
  readonly heloName: string;
}

/**
 * The host-to-host channel of a home host: an SMTP listener on a private address that takes
 * mail only from the backup MX of the host's groups (by source address, inside the VPC; the
 * security group opens its port only between platform hosts), only over TLS, only for the
 * host's own mailboxes.
 */
export interface ChannelPlan {
  /** The address it listens on (the host's first home address); its certificate is presented. */
  readonly address: AddressPlan;
  /** TCP port. */
  readonly port: number;
  /** Source addresses allowed: the backup addresses of the groups whose home this host is. */
  readonly peers: readonly string[];
}

/** A firewall opening: one port for one enabled service. */
export interface PortPlan {
  /** TCP port. */
  readonly port: number;
  /**
   * The service behind it: a mail service, or nginx on 443 (named `mta-sts` whenever MTA-STS is
   * served, also when it serves client autoconfiguration too, so that the rule's construct id
   * stays; `autoconfig` when it serves client autoconfiguration alone).
   */
  readonly service: ServiceName | "mta-sts" | "autoconfig";
  /** Why the port is open (used as the rule description). */
  readonly description: string;
}

/** Everything derived for one host. */
export interface HostPlan {
  /** Host identifier. */
  readonly name: string;
  /** The host's operating system (the host's own, else the platform's). */
  readonly os: HostOs;
  /**
   * Postfix `myhostname` (and so `myorigin`): the host name of the bounce group's address on this
   * host, the name delivery status notifications are sent from (`MAILER-DAEMON@` it).
   */
  readonly primaryHostName: string;
  /** The addresses of the groups it carries, in group order. */
  readonly addresses: readonly AddressPlan[];
  /**
   * Every listener, by service order then group order: every enabled service on the addresses
   * of the groups whose home this is, only SMTP (port 25) on backup addresses.
   */
  readonly listeners: readonly ListenerPlan[];
  /** One outbound transport per group it carries. */
  readonly transports: readonly TransportPlan[];
  /** The groups whose home it is, in group order. */
  readonly homeGroups: readonly string[];
  /** Forwarding of the mail of each group it is a backup MX for, in group order. */
  readonly forwards: readonly ForwardPlan[];
  /** The channel backups forward to, when it is home to a group that has a backup MX. */
  readonly channel?: ChannelPlan;
  /** Transport for senders outside every group domain. */
  readonly defaultTransport: string;
  /** Who sends this host's delivery status notifications (bounces, delay and success notices). */
  readonly bounce: BouncePlan;
  /**
   * Every (address, port) that must accept connections once the daemons run: the listeners, the
   * channel, and nginx's port 443 on each home address when the platform serves MTA-STS or
   * client autoconfiguration.
   */
  readonly expectedListeners: readonly (readonly [string, number])[];
}

/**
 * The bounce group of a host. Postfix makes every delivery status notification of an instance in
 * one bounce daemon, flushed by the one queue manager: nothing ties a notification to the group
 * of the mail it concerns. So one group sends them all: the platform's `outbound.defaultGroup`
 * where the host carries it, else the host's lowest-priority group (the host's default transport).
 */
export interface BouncePlan {
  /** The group. */
  readonly group: string;
  /** Its outbound transport: its address and HELO name (null-sender mail is routed to it). */
  readonly transport: string;
  /** Its host name on this host: notifications come from `MAILER-DAEMON@` it. */
  readonly hostName: string;
  /**
   * The domain whose key signs them (DKIM `d=`): the group's domain that the host name is in
   * (aligned with the From: address for DMARC), else the group's first domain. Absent when the
   * group does not sign or this host is not its home (a backup MX signs nothing).
   */
  readonly signingDomain?: string;
}

/** A domain with its owner. */
export interface DomainPlan {
  /** Domain name. */
  readonly name: string;
  /** Owning group. */
  readonly group: string;
  /** Transport of mail sent from this domain. */
  readonly transport: string;
  /** Whether inbound mail needs TLS. */
  readonly requireTlsInbound: boolean;
}

/** DKIM signing: whether the platform signs, and with which key each group signs. */
export interface DkimPlan {
  /** Whether any group signs: OpenDKIM runs and Postfix hands mail to it. */
  readonly signs: boolean;
  /** The signing key of each group that signs (its own, else the platform's), by group name, in group order. */
  readonly groupKeys: ReadonlyMap<string, DkimKeySpec>;
  /** The distinct private-key parameters of the signing keys, in order of first use (keys shared by groups once). */
  readonly privateKeyParameters: readonly string[];
}

/** The MTA-STS settings of the model (mode, max age). */
export type MtaStsSettings = NonNullable<DnsSpec["mtaSts"]>;

/**
 * MTA-STS (RFC 8461): served when the model sets a policy and port 25 is on (the policy protects
 * inbound mail). Then nginx serves the policy at `mta-sts.<domain>` of every group domain.
 */
export type MtaStsPlan =
  | {
      /** Not served: no policy, or port 25 is off. */
      readonly served: false;
      /** None. */
      readonly hostNames: readonly string[];
    }
  | {
      /** Served. */
      readonly served: true;
      /** The policy's mode and max age. */
      readonly settings: MtaStsSettings;
      /** The policy host `mta-sts.<domain>` of every group domain, in model order (each needs a certificate). */
      readonly hostNames: readonly string[];
    };

/**
 * Client autoconfiguration: served when the model sets `dns.clientAutoconfig` and a client can
 * both read and send mail. Then nginx serves Thunderbird's autoconfig at `autoconfig.<domain>`
 * and Outlook's autodiscover at `autodiscover.<domain>` of every group domain.
 */
export type ClientAutoconfigPlan =
  | {
      /** Not served: not set, or no service to read or to send mail with. */
      readonly served: false;
      /** None. */
      readonly hostNames: readonly string[];
    }
  | {
      /** Served. */
      readonly served: true;
      /** The provider name clients show; absent: each domain's name. */
      readonly displayName?: string;
      /** `autoconfig.<domain>` and `autodiscover.<domain>` of every group domain, in model order (each needs a certificate). */
      readonly hostNames: readonly string[];
    };

/** One mailbox the hosts serve. */
export interface MailboxPlan {
  /** Address and login. */
  readonly address: string;
  /** Owning group. */
  readonly group: string;
  /** The user's name, when given. */
  readonly displayName?: string;
  /** Quota in MiB (its own, else the platform default); absent: unlimited. */
  readonly quotaMb?: number;
  /** SSM SecureString parameter holding its password hash. */
  readonly passwordParameter: string;
}

/** One line of the virtual alias table: an address (or `@domain` for a catch-all) and its targets. */
export interface AliasEntry {
  /** The address looked up; `@domain` for a catch-all. */
  readonly address: string;
  /** Where mail goes (a forwarding mailbox that keeps a copy lists itself first). */
  readonly targets: readonly string[];
  /** Why the line exists: a declared alias, a forward, a role address, a catch-all (or a mailbox kept out of one). */
  readonly origin: "alias" | "forward" | "role" | "catch-all";
  /** The group whose domain the address is in. */
  readonly group: string;
}

/** The platform's users as data, derived: no secret is part of it. */
export interface AccountsPlan {
  /** SSM path of the password hashes. */
  readonly passwordParameterPrefix: string;
  /** Every mailbox, in model order. */
  readonly mailboxes: readonly MailboxPlan[];
  /** The virtual alias table, in lookup-independent model order. */
  readonly aliases: readonly AliasEntry[];
  /** Address → the logins (mailbox addresses) that may send as it on submission. */
  readonly senderLogins: ReadonlyMap<string, readonly string[]>;
  /**
   * Whether some mailbox has a quota: only then do the hosts run Dovecot's quota plugin and
   * Postfix asks Dovecot's quota-status policy service at RCPT.
   */
  readonly enforcesQuota: boolean;
}

/**
 * SRS for forwarded mail (postsrsd): on when some alias, forward or catch-all sends mail to a
 * foreign domain. The secret is generated on the host and is never part of the plan.
 */
export type SrsPlan =
  | {
      /** Off: nothing leaves the platform by forwarding. */
      readonly enabled: false;
    }
  | {
      /** On: postsrsd rewrites foreign envelope senders of mail passing through Postfix. */
      readonly enabled: true;
      /** The domain of the rewritten senders (`SRS0=...@domain`): the first domain of the first group that forwards. */
      readonly domain: string;
      /** Senders in these domains are never rewritten: every domain of the platform. */
      readonly excludedDomains: readonly string[];
    };

/**
 * Brute-force protection: fail2ban bans an address that failed to log in too often, on the login
 * ports only (port 25 keeps taking mail: an MX peer never authenticates).
 */
export type BruteForcePlan =
  | {
      /** Off: no fail2ban. */
      readonly enabled: false;
    }
  | {
      /** On: fail2ban runs with the platform's jail. */
      readonly enabled: true;
      /** Failed logins within the window that ban an address. */
      readonly maxFailures: number;
      /** The window, in seconds. */
      readonly findTimeSeconds: number;
      /** How long a ban lasts, in seconds. */
      readonly banSeconds: number;
      /** The login ports a ban closes, ascending: every enabled service that takes a password (not 25). */
      readonly ports: readonly number[];
      /** Addresses and networks never banned, as in the model. */
      readonly neverBan: readonly string[];
    };

/** The inbound thresholds of one group, as rspamd applies them to mail arriving on its port-25 listeners. */
export interface GroupFilterPlan {
  /** The group. */
  readonly group: string;
  /** Refuse at this score. */
  readonly rejectScore: number;
  /** Mark with `X-Spam: Yes` at this score. */
  readonly addHeaderScore: number;
  /** Greylist at this score; absent: no greylisting. */
  readonly greylistScore?: number;
}

/**
 * Content filtering: rspamd as a milter of port 25 (inbound scoring with each group's actions) and
 * of the submission listeners (outbound scanning: above the hold score Postfix holds the mail).
 */
export type ContentFilterPlan =
  | {
      /** Off: no rspamd, no redis, no milter for it. */
      readonly enabled: false;
    }
  | {
      /** On. */
      readonly enabled: true;
      /** Each group's inbound thresholds, in group order. */
      readonly groups: readonly GroupFilterPlan[];
      /** Submitted mail at or above this score is held. */
      readonly holdScore: number;
      /** Whether rspamd hands attachments to ClamAV. */
      readonly antivirus: boolean;
      /** Messages larger than this (bytes) are checked without rspamd's text analysis; absent: every message's text is analysed. */
      readonly textAnalysisMaxBytes?: number;
      /** Each group's sending limits in effect, in group order; empty when the limits are off. */
      readonly sendingLimits: readonly GroupSendingLimitsPlan[];
    };

/** The sending limits of one group's submitted mail (rspamd's ratelimit module). */
export interface GroupSendingLimitsPlan {
  /** The group. */
  readonly group: string;
  /** Its domains: a login (a mailbox address) in one of them is a user of the group. */
  readonly domains: readonly string[];
  /** Limits of each of its users. */
  readonly perUser: { readonly messagesPerHour: number; readonly messagesPerDay: number; readonly recipientsPerDay: number };
  /** Limits of its users together. */
  readonly perGroup: { readonly messagesPerHour: number; readonly messagesPerDay: number };
  /** The warm-up ramp: each day (UTC, YYYY-MM-DD) whose group cap is below perGroup.messagesPerDay; empty: none. */
  readonly warmUp: readonly WarmUpDay[];
}

/** One day of a group's warm-up. */
export interface WarmUpDay {
  /** The day (UTC), YYYY-MM-DD. */
  readonly date: string;
  /** Messages the whole group may send that day. */
  readonly messages: number;
}

/** The daemons the platform knows. */
export type DaemonName = "unbound" | "postfix" | "dovecot" | "opendkim" | "nginx" | "postsrsd" | "fail2ban" | "redis" | "clamav" | "rspamd";

/** The derived facts a daemon's condition may read. */
export interface DaemonFacts {
  /** DKIM signing: whether any group signs. */
  readonly dkim: DkimPlan;
  /** MTA-STS: whether policies are served. */
  readonly mtaSts: MtaStsPlan;
  /** SRS: whether forwarded mail needs its sender rewritten. */
  readonly srs: SrsPlan;
  /** Client autoconfiguration: whether it is served. */
  readonly autoconfig: ClientAutoconfigPlan;
  /** Brute-force protection: whether fail2ban runs. */
  readonly bruteForce: BruteForcePlan;
  /** Content filtering: whether rspamd, redis and ClamAV run. */
  readonly contentFilter: ContentFilterPlan;
}

/** What the platform knows about one daemon. */
export interface DaemonInfo {
  /** The daemon, also the name of its program. */
  readonly name: DaemonName;
  /** The Debian package that installs it. */
  readonly package: string;
  /** Its program, where that is not its name (redis-server, clamd). @default - its name */
  readonly program?: string;
  /** Its systemd unit on a Debian host. */
  readonly unit: string;
  /**
   * How a bundle makes it read changed files: `reload` (systemctl reload), or `restart` for a
   * daemon whose unit has no reload (redis-server), restarted only when running (try-restart).
   * @default "reload"
   */
  readonly applyBy?: "reload" | "restart";
  /**
   * A service Postfix calls (a milter, a policy service): listed before Postfix when daemons are
   * started together, so that Postfix finds it running.
   */
  readonly calledByPostfix: boolean;
  /** What it does on a mail host. */
  readonly purpose: string;
  /** Whether the platform runs it. */
  readonly runs: (facts: DaemonFacts) => boolean;
}

/** Where a group lives. */
export interface GroupPlacement {
  /** The group. */
  readonly group: string;
  /** Its home host. */
  readonly home: string;
  /** Its MX hosts with its address on each: the home first, then the backup MX in host order. */
  readonly mxHosts: readonly { readonly host: string; readonly address: AddressPlan }[];
}

/** The whole derivation. */
export interface Plan {
  /** The validated model. */
  readonly spec: PlatformSpec;
  /** Resolved TLS profile of port 25 and outbound mail. */
  readonly mxTls: TlsProfile;
  /** Resolved TLS profile of client ports (587, 465, IMAP, POP3). */
  readonly clientTls: TlsProfile;
  /** Enabled services, in table order. */
  readonly services: readonly ServiceInfo[];
  /** Every domain, in group order then input order. */
  readonly domains: readonly DomainPlan[];
  /** Per host. */
  readonly hosts: readonly HostPlan[];
  /** Per group, in group order: its home and MX hosts. */
  readonly placements: readonly GroupPlacement[];
  /** Firewall openings to the world (one security group for every host: the union of their listeners), by port. */
  readonly ports: readonly PortPlan[];
  /** The port of the host-to-host channel, when some group has a backup MX (opened only between platform hosts). */
  readonly channelPort?: number;
  /** Whether postscreen fronts port 25 (DNS blocklists configured). */
  readonly postscreen: boolean;
  /** DKIM signing. */
  readonly dkim: DkimPlan;
  /** MTA-STS policy hosting. */
  readonly mtaSts: MtaStsPlan;
  /** Client autoconfiguration (Thunderbird autoconfig, Outlook autodiscover). */
  readonly autoconfig: ClientAutoconfigPlan;
  /** The daemons the platform runs, in the order a bundle reloads and starts them. */
  readonly daemons: readonly DaemonInfo[];
  /** Mailboxes, aliases and sender rights. */
  readonly accounts: AccountsPlan;
  /** SRS for mail forwarded to foreign domains. */
  readonly srs: SrsPlan;
  /** Brute-force protection of the login ports. */
  readonly bruteForce: BruteForcePlan;
  /** Content filtering with rspamd. */
  readonly contentFilter: ContentFilterPlan;
  /** The port each service listens on: the standard ports, unless {@link PlanOptions} moves one. */
  readonly listenPorts: Readonly<Record<ServiceName, number>>;
}

/** Options of the derivation. Production uses none. */
export interface PlanOptions {
  /**
   * Listen on other ports than the standard ones (a local test instance whose standard ports
   * are taken). Firewall rules and DNS always use the standard ports.
   * @default - the standard port of every service
   */
  readonly listenPorts?: Partial<Record<ServiceName, number>>;
}
