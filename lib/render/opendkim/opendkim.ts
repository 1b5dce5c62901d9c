/**
 * OpenDKIM (Debian package opendkim) signing every group domain with its group's key. The private
 * keys are not rendered: the host writes them from the secret store at boot (see the setup script).
 */
import type { HostPlan, Plan } from "../../plan/types";
import { generatedHeader } from "../header";
import type { HostPaths } from "../host-paths";
import type { RenderedFile } from "../rendered-file";
import { formatTable } from "../postfix/table-format";

/** The private-key file name of a key: derived from its secret parameter, so shared keys share a file. */
export function dkimKeyFileName(privateKeyParameter: string): string {
  return `${privateKeyParameter.replace(/^\//, "").replace(/[^A-Za-z0-9_.-]/g, "_")}.private`;
}

/** The distinct signing keys: parameter name → key file path. */
export function dkimKeyFiles(plan: Plan, paths: HostPaths): Map<string, string> {
  return new Map(plan.dkim.privateKeyParameters.map((parameter) => [parameter, `${paths.opendkimDir}/keys/${dkimKeyFileName(parameter)}`]));
}

/**
 * The list of DKIM private keys a host fetches at first boot (a file of the bundle, relative to
 * the root): one `<SSM parameter> <key file>` line per key, no secret. It travels in the bundle, not
 * in the user data, so EC2's 16 KB user data limit does not grow with the groups' keys.
 */
export const DKIM_KEY_LIST = "etc/mail-platform/dkim-keys";

/** The milter socket, inside Postfix's queue directory so the chrooted smtpd reaches it. */
export const OPENDKIM_SOCKET = "opendkim/opendkim.sock";

/**
 * OpenDKIM's internal hosts (InternalHosts): mail relayed from these over SMTP is signed, not
 * verified. Postfix hands port 25's mail from them to OpenDKIM even where the content filter
 * verifies everyone else's (main.cf's smtpd_milter_maps).
 */
export const OPENDKIM_INTERNAL_HOSTS = ["127.0.0.1", "::1"] as const;

/** Render opendkim.conf and its tables for a host (nothing when no group signs). */
export function renderOpendkim(plan: Plan, host: HostPlan, paths: HostPaths): RenderedFile[] {
  const { spec } = plan;
  if (!plan.dkim.signs) return [];
  const header = generatedHeader(spec.name, host.name);
  const keyFiles = dkimKeyFiles(plan, paths);
  // Only the groups whose home this is: mail of a group leaves from its home; a backup MX signs none of it.
  const home = new Set(host.homeGroups);
  const signed = spec.groups.flatMap((group) => {
    const key = home.has(group.name) ? plan.dkim.groupKeys.get(group.name) : undefined;
    return key ? group.domains.map((d) => ({ domain: d.name, selector: key.selector, file: keyFiles.get(key.privateKeyParameter)! })) : [];
  });
  // The host's own mail (notifications from MAILER-DAEMON@, system mail) is the bounce group's.
  const { bounce } = host;
  const hostRows =
    bounce.signingDomain === undefined || signed.some((s) => s.domain === bounce.hostName) ? [] : [[`*@${bounce.hostName}`, bounce.signingDomain] as const];
  const conf = [
    header,
    "Syslog yes",
    "SyslogSuccess yes",
    "# The socket directory is setgid postfix: the socket is group postfix, mode 0770.",
    "UMask 007",
    "UserID opendkim",
    `Socket local:${paths.postfixSpool}/${OPENDKIM_SOCKET}`,
    `PidFile ${paths.opendkimRun}/opendkim.pid`,
    ...(plan.contentFilter.enabled
      ? ["# Sign only: Postfix hands OpenDKIM submitted, local and loopback mail; rspamd verifies inbound mail.", "Mode s"]
      : ["# Sign outgoing mail, verify incoming mail.", "Mode sv"]),
    "# Signed: mail from loopback (local applications) and mail Postfix marks as submitted (587/465).",
    `InternalHosts ${paths.opendkimDir}/trusted.hosts`,
    "MacroList daemon_name|ORIGINATING",
    "# The key is chosen by the envelope sender where Postfix sends {mail_addr} (submission only), which the",
    "# login binds to the user's own addresses: a From: of another group is never signed with that group's key.",
    "# Without the macro (loopback applications, notifications) the From: header chooses, as by default.",
    "SenderMacro {mail_addr}",
    "Canonicalization relaxed/simple",
    "# A second From: added in transit breaks the signature instead of riding on it.",
    "OversignHeaders From",
    `KeyTable ${paths.opendkimDir}/key.table`,
    `SigningTable refile:${paths.opendkimDir}/signing.table`,
    "",
  ].join("\n");
  return [
    { path: "etc/opendkim.conf", content: conf, mode: "0644" },
    {
      path: "etc/opendkim/key.table",
      content: formatTable("key.table", "texthash", header, [
        { why: "Key name, then domain:selector:private key file.", rows: signed.map((s) => [s.domain, `${s.domain}:${s.selector}:${s.file}`] as const) },
      ]),
      mode: "0644",
    },
    {
      path: "etc/opendkim/signing.table",
      content: formatTable("signing.table", "texthash", header, [
        {
          why: "Every sender of a group domain signs with that domain's key (refile wildcard).",
          rows: signed.map((s) => [`*@${s.domain}`, s.domain] as const),
        },
        {
          why: `The host name of the bounce group ${bounce.group}: its notifications (MAILER-DAEMON@) and system mail, signed for its domain.`,
          rows: hostRows,
        },
      ]),
      mode: "0644",
    },
    { path: "etc/opendkim/trusted.hosts", content: `${header}\n${OPENDKIM_INTERNAL_HOSTS.map((h) => `${h}\n`).join("")}`, mode: "0644" },
    {
      path: DKIM_KEY_LIST,
      content: `${header}\n# SSM parameter (SecureString), then the file the first boot writes its value to (0600 opendkim).\n${[...keyFiles]
        .map(([parameter, file]) => `${parameter} ${file}\n`)
        .join("")}`,
      mode: "0644",
    },
  ];
}
