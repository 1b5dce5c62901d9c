/**
 * The daemons a mail host may run, as one table: package, systemd unit and the condition under
 * which the platform runs each. Packages, enabling and restarting at first boot, the certificate
 * renewal hook and the reload and start commands of a bundle are all derived from `plan.daemons`,
 * so a new daemon (a content filter, a policy service) is one more row here.
 */
import type { Plan } from "./types";

/** The daemons the platform knows. */
export type DaemonName = "postfix" | "dovecot" | "opendkim" | "nginx";

/** The derived facts a daemon's condition may read. */
export type DaemonFacts = Pick<Plan, "dkim" | "mtaSts">;

/** What the platform knows about one daemon. */
export interface DaemonInfo {
  /** The daemon, also the name of its program. */
  readonly name: DaemonName;
  /** The Debian package that installs it. */
  readonly package: string;
  /** Its systemd unit on a Debian host. */
  readonly unit: string;
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

/** Every daemon, in the order a bundle reloads and starts them. */
export const DAEMONS: readonly DaemonInfo[] = [
  { name: "postfix", package: "postfix", unit: "postfix", calledByPostfix: false, purpose: "SMTP: MX, submission, outbound transports", runs: () => true },
  { name: "dovecot", package: "dovecot-core", unit: "dovecot", calledByPostfix: false, purpose: "IMAP, POP3, LMTP delivery, SASL for Postfix", runs: () => true },
  { name: "opendkim", package: "opendkim", unit: "opendkim", calledByPostfix: true, purpose: "DKIM signing and verifying (a Postfix milter)", runs: (facts) => facts.dkim.signs },
  { name: "nginx", package: "nginx-light", unit: "nginx", calledByPostfix: false, purpose: "MTA-STS policies over HTTPS", runs: (facts) => facts.mtaSts.served },
];
