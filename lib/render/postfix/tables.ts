/**
 * The lookup table files of one host, derived from the plan.
 */
import type { AliasEntry, ForwardPlan, HostPlan, Plan } from "../../plan/types";
import { backupRecipients, homeAliases, homeDomains, homeMailboxes, homeSenderLogins } from "../../plan/host-scope";
import type { OutboundTlsLevel } from "../../model/schema";
import type { TlsProtocol } from "../../tls/profiles";
import { generatedHeader } from "../header";
import type { RenderedFile } from "../rendered-file";
import { minProtocolSyntax } from "./main-cf-tls";
import { when, whenDefined } from "../../plan/when";
import { formatTable, type TableBlock } from "./table-format";
import { TABLES, type TableName } from "./table-names";
import { quotaTableBlocks } from "./quota-policy";
import { heloTableBlocks } from "./helo-checks";
import { hasInboundHeaderChecks, hasLoopbackMilters, inboundHeaderCheckBlocks, loopbackMilterBlocks } from "./main-cf-milters";

/** The reply Postfix sends for `reject_plaintext_session` (smtpd_check.c), the footer map's key. */
const PLAINTEXT_REPLY_PATTERN = String.raw`/^5[0-9][0-9] 5\.7\.1 Session encryption is required$/`;

/** The header pattern of the Received: line Postfix adds to authenticated (ESMTPA, ESMTPSA, UTF8SMTPSA) mail. */
const AUTHENTICATED_RECEIVED_PATTERN = String.raw`/^Received: from [^\n]*(\n[ \t]+by [^\n]* with [A-Z0-9]*SMTPS?A .*)$/`;

/**
 * The key Postfix looks the null sender up with: the default of both
 * empty_address_default_transport_maps_lookup_key and smtpd_null_access_lookup_key.
 */
export const NULL_SENDER_KEY = "<>";

/** The refusal of the null sender on submission (status code and text after the 554 reply code). */
export const NULL_SENDER_REFUSAL = "5.7.1 The null sender is not accepted from authenticated users";

function policy(level: OutboundTlsLevel, minProtocol: TlsProtocol): string {
  // `dane` and `verify` imply encryption; the protocol floor applies to every level.
  return `${level} protocols=${minProtocolSyntax(minProtocol)}`;
}

/** Render every lookup table of a host. */
export function renderTables(plan: Plan, host: HostPlan): RenderedFile[] {
  const { spec } = plan;
  const header = generatedHeader(spec.name, host.name);
  const file = (table: TableName, blocks: TableBlock[]): RenderedFile => ({
    path: `etc/postfix/${table.file}`,
    content: formatTable(table.file, table.type, header, blocks),
    mode: "0644",
  });

  // Each group's sender rows, sorted out in one pass over the domains (not one pass per group).
  // The groups this host carries, in group order; their sender rows sorted out in one pass
  // over the domains (not one pass per group).
  const senderRows = new Map<string, Array<readonly [string, string]>>(host.transports.map((t) => [t.group, []]));
  for (const d of plan.domains) senderRows.get(d.group)?.push([`@${d.name}`, `${d.transport}:`]);
  const files: RenderedFile[] = [
    file(TABLES.mailboxDomains, [
      {
        why: "Domains of the groups whose home this host is; mail to them is delivered to Dovecot.",
        rows: homeDomains(plan, host).map((d) => [d.name, "OK"] as const),
      },
    ]),
    file(TABLES.virtualMailboxes, [
      {
        why: "The declared mailboxes; any other address of a customer domain without an alias is refused at RCPT (550 5.1.1).",
        rows: homeMailboxes(plan, host).map((m) => [m.address, "OK"] as const),
      },
    ]),
    file(TABLES.virtualAliases, aliasBlocks(homeAliases(plan, host))),
    file(TABLES.senderTransport, [
      ...host.transports.map((t) => ({
        why: `Group ${t.group}: leaves from ${t.bindAddress} as ${t.heloName}.`,
        rows: senderRows.get(t.group)!,
      })),
      {
        why: `The null sender (bounces, delay and success notices): the bounce group ${host.bounce.group}, from ${host.bounce.hostName}.`,
        rows: [[NULL_SENDER_KEY, `${host.bounce.transport}:`]],
      },
    ]),
    file(TABLES.submissionSenderAccess, [
      {
        why: "Notifications are the server's to send: a user who authenticated never sends with the null sender, which no login binds.",
        rows: [[NULL_SENDER_KEY, `REJECT ${NULL_SENDER_REFUSAL}`]],
      },
    ]),
    file(TABLES.tlsPolicy, [
      {
        why: "Destinations that require TLS (outbound.tlsRules).",
        rows: spec.outbound.tlsRules.map((r) => [r.destination, policy(r.level, r.minProtocol)] as const),
      },
      ...whenDefined(spec.outbound.relayHost, (relay): TableBlock[] => [
        { why: "The relay host (outbound.relayHost).", rows: [[`[${relay.host}]:${relay.port}`, policy(relay.level, relay.minProtocol)]] },
      ]),
      ...host.forwards.map((f) => ({
        why: `Group ${f.group}'s home ${f.homeHost}: its channel must present the certificate of ${f.channelCertificateName}, from a trusted CA.`,
        rows: [[channelNexthop(f), `secure match=${f.channelCertificateName} protocols=${minProtocolSyntax(plan.mxTls.minProtocol)}`] as const],
      })),
    ]),
    file(TABLES.senderLogin, [
      {
        why: "Logins are mailbox addresses: a user sends as the own mailbox and the aliases that deliver to it, nothing else.",
        rows: homeSenderLogins(plan, host).map(([address, logins]) => [address, logins.join(",")] as const),
      },
    ]),
    ...backupTables(plan, host, file),
    file(TABLES.platformClients, heloTableBlocks(plan).clients),
    file(TABLES.ownHeloNames, heloTableBlocks(plan).names),
  ];

  const tlsRequired = plan.domains.filter((d) => d.requireTlsInbound);
  if (tlsRequired.length > 0) {
    files.push(
      file(TABLES.recipientTlsRequired, [
        { why: "Mail to these domains must arrive over TLS (requireTlsInbound).", rows: tlsRequired.map((d) => [d.name, "reject_plaintext_session"] as const) },
      ]),
      file(TABLES.rejectFooter, [{ why: "Explains the refusal of plaintext mail.", rows: [[PLAINTEXT_REPLY_PATTERN, spec.tls.plaintextRejectText]] }]),
    );
  }

  if (plan.accounts.enforcesQuota) files.push(file(TABLES.quotaMailboxes, quotaTableBlocks(homeMailboxes(plan, host))));
  if (hasLoopbackMilters(plan)) files.push(file(TABLES.loopbackMilters, loopbackMilterBlocks()));
  if (hasInboundHeaderChecks(plan)) files.push(file(TABLES.inboundHeaderChecks, inboundHeaderCheckBlocks()));

  if (hasSubmissionCleanup(plan)) {
    files.push(
      file(TABLES.submissionHeaderChecks, [
        ...when<TableBlock>(spec.privacy.hideClientIpInReceived, {
          why: "Drop the user's host name and IP address from the Received: header of authenticated mail.",
          rows: [[AUTHENTICATED_RECEIVED_PATTERN, "REPLACE Received: from authenticated-user$1"]],
        }),
        {
          why: "Headers that reveal the user's address (privacy.stripHeaders).",
          rows: spec.privacy.stripHeaders.map((h) => [`/^${h}:/`, "IGNORE"] as const),
        },
      ]),
    );
  }
  return files;
}

/** Why each kind of alias line exists, in the order the blocks appear. */
const ALIAS_ORIGINS: ReadonlyArray<readonly [AliasEntry["origin"], string]> = [
  ["alias", "Aliases (groups[].aliases)."],
  ["forward", "Mailboxes that forward (forwardTo); one that keeps a copy lists itself first."],
  ["role", "postmaster@ and abuse@ of every domain that does not declare them (accounts.roleMailbox, groups[].roleMailbox)."],
  ["catch-all", "Catch-alls (domains[].catchAll): each mailbox of the domain maps to itself first, as Postfix looks up the address before @domain."],
];

/** The virtual alias table, one block per kind of line, model order within each. */
function aliasBlocks(aliases: readonly AliasEntry[]): TableBlock[] {
  return ALIAS_ORIGINS.map(([origin, why]) => ({
    why,
    rows: aliases.filter((a) => a.origin === origin).map((a) => [a.address, a.targets.join(",")] as const),
  }));
}

/** The nexthop of a forward: the home host's channel, no MX lookup. */
export function channelNexthop(forward: ForwardPlan): string {
  return `[${forward.channelAddress}]:${forward.channelPort}`;
}

/** The tables of a backup MX: its relay domains, their accepted recipients and their way home (none without forwards). */
function backupTables(plan: Plan, host: HostPlan, file: (table: TableName, blocks: TableBlock[]) => RenderedFile): RenderedFile[] {
  if (host.forwards.length === 0) return [];
  return [
    file(
      TABLES.backupDomains,
      host.forwards.map((f) => ({
        why: `Group ${f.group}: this host is a backup MX; its home is ${f.homeHost}.`,
        rows: f.domains.map((d) => [d, "OK"] as const),
      })),
    ),
    file(
      TABLES.backupRecipients,
      host.forwards.map((f) => ({
        why: `Group ${f.group}: the addresses its home accepts; any other is refused here at RCPT, as there (no backscatter).`,
        rows: backupRecipients(plan, f).map((address) => [address, "OK"] as const),
      })),
    ),
    file(
      TABLES.backupTransport,
      host.forwards.map((f) => ({
        why: `Group ${f.group}: queued here, forwarded over verified TLS to the channel of its home ${f.homeHost}.`,
        rows: f.domains.map((d) => [d, `${f.name}:${channelNexthop(f)}`] as const),
      })),
    ),
  ];
}

/** Whether submitted mail passes through the privacy cleanup service. */
export function hasSubmissionCleanup(plan: Plan): boolean {
  const { privacy } = plan.spec;
  return privacy.hideClientIpInReceived || privacy.stripHeaders.length > 0;
}
