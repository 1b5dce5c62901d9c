/**
 * HELO on port 25. Found live: a client from outside was accepted saying HELO with one of our own
 * host names, our address, a malformed name or 100,000 characters (Postfix reads the first
 * line_length_limit = 2,048 and skips the rest; nothing checked what was left). Now a client
 * that is not one of ours must name itself with a well-formed, fully qualified name that is not
 * one of ours. Postfix applies HELO restrictions at RCPT (smtpd_delay_reject = yes, which the
 * submission listeners' permit_sasl_authenticated needs), so no mail of such a client is
 * accepted. The reply repeats the client's own HELO, nothing internal.
 */
import type { HostPlan, Plan } from "../../plan/types";
import type { PostconfSetting } from "./main-cf-format";
import type { TableBlock } from "./table-format";
import { TABLES, tableRef } from "./table-names";

/** The text after "Helo command rejected:" for a HELO naming one of our hosts. */
export const OWN_HELO_REJECT = "REJECT 5.7.1 That name is ours; say your own";

function platformAddresses(plan: Plan): string[] {
  const ips = plan.hosts.flatMap((h: HostPlan) => h.addresses.flatMap((a) => [a.privateIp, ...(a.publicIp === undefined ? [] : [a.publicIp])]));
  return [...new Set(ips)];
}

function platformNames(plan: Plan): string[] {
  const names = plan.hosts.flatMap((h) => [h.primaryHostName, ...h.addresses.map((a) => a.hostName)]);
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

/** main.cf: the HELO restrictions of port 25 (the submission listeners and the channel set their own). */
export function heloSettings(): PostconfSetting[] {
  return [
    {
      name: "smtpd_helo_restrictions",
      value: [
        "permit_mynetworks",
        `check_client_access ${tableRef(TABLES.platformClients)}`,
        "reject_invalid_helo_hostname",
        "reject_non_fqdn_helo_hostname",
        `check_helo_access ${tableRef(TABLES.ownHeloNames)}`,
      ],
      why: "The platform's own hosts may say their names; anyone else needs a well-formed, fully qualified name (RFC 5321) that is not ours. An overlong HELO is cut at line_length_limit and fails as malformed.",
    },
  ];
}

/** The rows of the two tables: our addresses (clients that may say our names) and our names and addresses (refused as HELO from anyone else). */
export function heloTableBlocks(plan: Plan): { clients: TableBlock[]; names: TableBlock[] } {
  const addresses = platformAddresses(plan);
  return {
    clients: [
      { why: "The platform's own addresses (every host): mail between its hosts says its own names.", rows: addresses.map((ip) => [ip, "OK"] as const) },
    ],
    names: [
      {
        why: "Host names of the platform: a client from outside that claims one is lying.",
        rows: platformNames(plan).map((n) => [n, OWN_HELO_REJECT] as const),
      },
      {
        why: "The platform's addresses, bare and as address literals.",
        rows: addresses.flatMap((ip) => [[ip, OWN_HELO_REJECT] as const, [`[${ip}]`, OWN_HELO_REJECT] as const]),
      },
    ],
  };
}
