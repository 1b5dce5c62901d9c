/**
 * Where a local instance puts things. Everything of one instance lives in one loopback /24
 * (default 127.0.10.0/24), so two instances on distinct blocks can run side by side:
 *   .11 +20×host +group  the group addresses of each host
 *   .53                  the instance's DNS server (platform zones, test destinations, DNSBL zones)
 *   .200                 "the outside world": every foreign MX points here (test sinks listen on it)
 * Test clients connect from 127.0.0.1 (XCLIENT allowed, never screened) or from a DNSBL test
 * address: 127.0.0.66 is listed in every configured blocklist, 127.0.0.77 in none.
 */
import { join } from "path";
import { UserError } from "../errors";

/** Default loopback block (first three octets). */
export const DEFAULT_LOOPBACK_BLOCK = "127.0.10";
/** A client address listed in every blocklist of the local DNS. */
export const DNSBL_LISTED_CLIENT = "127.0.0.66";
/** A client address listed nowhere. */
export const DNSBL_UNLISTED_CLIENT = "127.0.0.77";
/** The only client allowed to use XCLIENT (and exempt from postscreen). */
export const XCLIENT_CLIENT = "127.0.0.1";
/** A foreign domain whose MX is the outside-world address, for relay and delivery tests. */
export const OUTSIDE_DOMAIN = "outside.example";

/** The last octet of the first group address (first host, first group). */
export const FIRST_GROUP_OCTET = 11;
/** Group addresses per host: a local instance runs at most this many groups. */
export const GROUPS_PER_HOST = 20;
/** The last octet a group address may have (.200 is the outside world). */
export const LAST_GROUP_OCTET = 199;

/** The addresses of an instance. */
export interface LoopbackPlan {
  /** The block, e.g. `127.0.10`. */
  readonly block: string;
  /** The DNS server. */
  readonly dns: string;
  /** Where every foreign MX points. */
  readonly outside: string;
  /** Address of a group on a host (by index). */
  address(hostIndex: number, groupIndex: number): string;
}

/** The loopback plan of a block. */
export function loopbackPlan(block: string = DEFAULT_LOOPBACK_BLOCK): LoopbackPlan {
  if (!/^127\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(block) || block === "127.0.0") {
    throw new UserError(`loopback block must look like 127.X.Y (not 127.0.0), got ${JSON.stringify(block)}`);
  }
  return {
    block,
    dns: `${block}.53`,
    outside: `${block}.200`,
    address(hostIndex, groupIndex) {
      const last = FIRST_GROUP_OCTET + GROUPS_PER_HOST * hostIndex + groupIndex;
      if (groupIndex >= GROUPS_PER_HOST || last > LAST_GROUP_OCTET) {
        throw new UserError(
          `a local instance gives each group on each host its own address in ${block}.${FIRST_GROUP_OCTET}-${LAST_GROUP_OCTET}: ` +
            `at most ${GROUPS_PER_HOST} groups, and ${FIRST_GROUP_OCTET} + ${GROUPS_PER_HOST} × host index + group index at most ${LAST_GROUP_OCTET} ` +
            `(host ${hostIndex + 1} with group ${groupIndex + 1} needs .${last})`,
        );
      }
      return `${block}.${last}`;
    },
  };
}

/** The files and directories of an instance below its state directory. */
export function stateLayout(stateDir: string) {
  return {
    stateDir,
    production: join(stateDir, "production"),
    postfixConfig: join(stateDir, "postfix"),
    spool: join(stateDir, "spool"),
    data: join(stateDir, "data"),
    dovecotConfig: join(stateDir, "dovecot"),
    dovecotConf: join(stateDir, "dovecot", "dovecot.conf"),
    dovecotUsers: join(stateDir, "dovecot", "users"),
    dovecotBase: join(stateDir, "run", "dovecot"),
    dovecotState: join(stateDir, "lib", "dovecot"),
    mail: join(stateDir, "mail"),
    certs: join(stateDir, "certs"),
    caFile: join(stateDir, "certs", "ca.pem"),
    dns: join(stateDir, "dns"),
    opendkim: join(stateDir, "opendkim"),
    opendkimRun: join(stateDir, "run", "opendkim"),
    nginx: join(stateDir, "nginx"),
    fail2ban: join(stateDir, "fail2ban"),
    logs: join(stateDir, "log"),
    postfixLog: join(stateDir, "log", "postfix.log"),
    dovecotLog: join(stateDir, "log", "dovecot.log"),
    namedLog: join(stateDir, "log", "named.log"),
    stateFile: join(stateDir, "local.json"),
  } as const;
}

/** The layout type. */
export type StateLayout = ReturnType<typeof stateLayout>;
