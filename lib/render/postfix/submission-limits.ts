/**
 * Submission (587, 465) that idle or slow clients cannot lock out. Found live: 100 idle
 * connections from two addresses held every smtpd process of both ports (Postfix's per-client
 * limit is half the process limit and exempts $mynetworks; an idle client is dropped only after
 * smtpd_timeout, 300 s, a TLS client that never says hello after smtpd_starttls_timeout, 300 s),
 * and a user got no greeting for minutes. The limits are main.cf parameters of their own (each with
 * its reason) that the submission listeners of master.cf name; port 25 keeps Postfix's defaults,
 * where postscreen stands in front. References: postconf(5), anvil(8), STRESS_README.
 */
import type { PostconfSetting, PostconfValue } from "./main-cf-format";

/**
 * The numbers, for README and tests. Chosen for several users behind one NAT address: a mail
 * client holds one connection while it sends and opens one a minute at most, so 10 at once and
 * 60 a minute from one address leave room for an office, and 30 AUTH a minute for its logins.
 */
export const SUBMISSION_LIMITS = {
  /** smtpd processes per submission listener (master.cf maxproc; Postfix's default_process_limit is also 100). */
  processes: 100,
  /** Simultaneous connections from one client address to one listener. */
  connectionsPerClient: 10,
  /** New connections from one client address to one listener per minute (anvil_rate_time_unit). */
  connectionsPerMinute: 60,
  /** AUTH commands from one client address per minute. */
  authPerMinute: 30,
  /** Seconds a client may take for one command line or message record; 10 under stress (every process busy). */
  commandTimeoutSeconds: 30,
  /**
   * Seconds for each step of the TLS handshake (465's first bytes, STARTTLS on 587); 3 under
   * stress. Short because on 465 Postfix counts a client's connections only after the handshake:
   * until then an idle connection holds a process whatever its address.
   */
  tlsTimeoutSeconds: 5,
  /** The TLS handshake timeout while every process is busy. */
  tlsStressTimeoutSeconds: 3,
} as const;

const STRESS_SECONDS = 10;

/** Named main.cf parameter → the smtpd parameter the submission listeners set from it. */
const PARAMETERS: ReadonlyArray<readonly [own: string, smtpd: string, value: PostconfValue, why: string]> = [
  [
    "mua_client_connection_count_limit",
    "smtpd_client_connection_count_limit",
    SUBMISSION_LIMITS.connectionsPerClient,
    `At most ${SUBMISSION_LIMITS.connectionsPerClient} connections at once from one address (Postfix: half of the ${SUBMISSION_LIMITS.processes} processes): two addresses can no longer hold every process.`,
  ],
  [
    "mua_client_connection_rate_limit",
    "smtpd_client_connection_rate_limit",
    SUBMISSION_LIMITS.connectionsPerMinute,
    `At most ${SUBMISSION_LIMITS.connectionsPerMinute} new connections a minute from one address (Postfix: no limit); an office behind one NAT address sends far fewer.`,
  ],
  [
    "mua_client_auth_rate_limit",
    "smtpd_client_auth_rate_limit",
    SUBMISSION_LIMITS.authPerMinute,
    `At most ${SUBMISSION_LIMITS.authPerMinute} AUTH commands a minute from one address (Postfix: no limit): slows password guessing, not an office's logins.`,
  ],
  [
    "mua_client_event_limit_exceptions",
    "smtpd_client_event_limit_exceptions",
    "",
    "No client is exempt from these limits (Postfix exempts $mynetworks, i.e. loopback).",
  ],
  [
    "mua_timeout",
    "smtpd_timeout",
    `\${stress?{${STRESS_SECONDS}}:{${SUBMISSION_LIMITS.commandTimeoutSeconds}}}s`,
    `An idle or slow client is dropped after ${SUBMISSION_LIMITS.commandTimeoutSeconds} s (${STRESS_SECONDS} s while every process is busy; Postfix: 300 s). Mail clients send each command at once.`,
  ],
  [
    "mua_per_record_deadline",
    "smtpd_per_record_deadline",
    true,
    "The timeout covers a whole command line or message record, not each read: one byte every few seconds does not keep a process.",
  ],
  [
    "mua_starttls_timeout",
    "smtpd_starttls_timeout",
    `\${stress?{${SUBMISSION_LIMITS.tlsStressTimeoutSeconds}}:{${SUBMISSION_LIMITS.tlsTimeoutSeconds}}}s`,
    `Each step of the TLS handshake gets ${SUBMISSION_LIMITS.tlsTimeoutSeconds} s (${SUBMISSION_LIMITS.tlsStressTimeoutSeconds} s under stress; Postfix: 300 s): on 465 Postfix counts a client's connections only after the handshake, so until then an idle connection holds a process whatever its address.`,
  ],
];

/** The main.cf parameters with their reasons (a section of their own). */
export function submissionLimitSettings(): PostconfSetting[] {
  return PARAMETERS.map(([name, , value, why]) => ({ name, value, why }));
}

/** The `-o` options of a submission listener: each smtpd parameter set from its main.cf parameter. */
export function submissionLimitOptions(): Array<readonly [string, PostconfValue]> {
  return PARAMETERS.map(([own, smtpd]) => [smtpd, `$${own}`] as const);
}
