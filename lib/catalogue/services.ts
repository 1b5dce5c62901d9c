/**
 * The mail services as data: port, daemon, TLS mode and discovery record. Listeners,
 * firewall rules and SRV records are all derived from this one table.
 */

/**
 * A mail service's name: its switch in the model's `services` section (the model's schema is
 * checked by the compiler to switch exactly these).
 */
export type ServiceName = "smtp" | "submission" | "submissions" | "imap" | "imaps" | "pop3" | "pop3s" | "managesieve";

/** How a listener starts TLS. */
export type TlsMode = "starttls" | "implicit";

/** What the platform knows about one mail service. */
export interface ServiceInfo {
  /** The service switch in the model. */
  readonly name: ServiceName;
  /** TCP port (IANA). */
  readonly port: number;
  /** The program that listens. */
  readonly daemon: "postfix" | "dovecot";
  /** The application protocol. */
  readonly protocol: "smtp" | "imap" | "pop3" | "managesieve";
  /** STARTTLS on a plaintext port, or TLS from the first byte (RFC 8314). */
  readonly tls: TlsMode;
  /** RFC 6186/8314 SRV owner label for client autodiscovery; port 25 has none (MX instead). */
  readonly srvLabel?: string;
  /** Human description, used in firewall rule descriptions and comments. */
  readonly description: string;
}

/** Every service, in a fixed order (port order within each daemon). */
export const SERVICES: readonly ServiceInfo[] = [
  { name: "smtp", port: 25, daemon: "postfix", protocol: "smtp", tls: "starttls", description: "SMTP from other mail servers (MX)" },
  {
    name: "submissions",
    port: 465,
    daemon: "postfix",
    protocol: "smtp",
    tls: "implicit",
    srvLabel: "_submissions._tcp",
    description: "mail submission over implicit TLS",
  },
  {
    name: "submission",
    port: 587,
    daemon: "postfix",
    protocol: "smtp",
    tls: "starttls",
    srvLabel: "_submission._tcp",
    description: "mail submission with STARTTLS",
  },
  { name: "pop3", port: 110, daemon: "dovecot", protocol: "pop3", tls: "starttls", srvLabel: "_pop3._tcp", description: "POP3 with STLS" },
  { name: "imap", port: 143, daemon: "dovecot", protocol: "imap", tls: "starttls", srvLabel: "_imap._tcp", description: "IMAP with STARTTLS" },
  { name: "imaps", port: 993, daemon: "dovecot", protocol: "imap", tls: "implicit", srvLabel: "_imaps._tcp", description: "IMAP over implicit TLS" },
  { name: "pop3s", port: 995, daemon: "dovecot", protocol: "pop3", tls: "implicit", srvLabel: "_pop3s._tcp", description: "POP3 over implicit TLS" },
  // RFC 5804 names `_sieve._tcp` SRV records, but mail clients do not look them up; without a
  // label the zones stay as they are (no `0 0 0 .` record for a service almost nobody discovers).
  {
    name: "managesieve",
    port: 4190,
    daemon: "dovecot",
    protocol: "managesieve",
    tls: "starttls",
    description: "ManageSieve (RFC 5804) with STARTTLS: users upload their Sieve filters",
  },
];

/** Look up a service by name. */
export function serviceInfo(name: ServiceName): ServiceInfo {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(`unknown service ${name}`);
  return found;
}
