/**
 * A complete dovecot.conf for one host (it replaces Debian's, so no stock default from
 * conf.d can reopen a port or weaken TLS), in the language of the host's Dovecot: 2.4 on
 * Debian 13 (dovecot24-conf.ts), 2.3 on Debian 12 (here; Dovecot 2.3 settings documentation).
 */
import { dovecotListenAddresses } from "../../plan/host-scope";
import type { HostPlan, Plan } from "../../plan/types";
import { when } from "../../plan/when";
import { generatedHeader } from "../header";
import { HOST_PATHS, type HostPaths } from "../host-paths";
import { withOperatorSettings } from "./operator-settings";
import { block, fileSetting, formatDovecotConf, setting, trusted } from "./conf-format";
import { sieveSection23 } from "./sieve";
import { dovecotProtocols, loginServices, postfixSockets, SPECIAL_USE_FOLDERS } from "./shared";
import { renderDovecot24Conf } from "./dovecot24-conf";
import { quota23, quotaStatusService } from "./quota";
import { keyExchangeGroups } from "../../tls/groups";
import { DH_WHY, KEY_EXCHANGE_WHY, neutralGreetings, sessionTicketSettings } from "./tls-settings";
import { groupLoginPassdb23 } from "./group-logins";

/**
 * Build dovecot.conf for one host, for the Dovecot of its operating system.
 * @param paths - host locations and accounts; Debian's by default
 */
export function renderDovecotConf(plan: Plan, host: HostPlan, paths: HostPaths = HOST_PATHS): string {
  return host.os === "debian-12" ? renderDovecot23Conf(plan, host, paths) : renderDovecot24Conf(plan, host, paths);
}

/** dovecot.conf for Dovecot 2.3 (Debian 12). */
function renderDovecot23Conf(plan: Plan, host: HostPlan, paths: HostPaths): string {
  const { spec } = plan;
  const tls = plan.clientTls;
  const first = host.addresses[0]!;
  const protocols = dovecotProtocols(plan);
  const quota = plan.accounts.enforcesQuota;
  const groupLogins = groupLoginPassdb23(paths);
  const plugins = `${quota ? " quota" : ""}${spec.mailbox.fullTextSearch ? " fts fts_xapian" : ""}`;

  return formatDovecotConf(
    generatedHeader(spec.name, host.name),
    withOperatorSettings(spec.dovecot?.settings, [
      {
        title: "Protocols and listeners",
        nodes: [
          setting("protocols", protocols.join(" "), "LMTP always: Postfix delivers every mailbox domain through it."),
          setting(
            "listen",
            dovecotListenAddresses(host).join(", "),
            "Only the addresses of the groups whose home this host is (loopback on a backup MX only); never every interface.",
          ),
          ...loginServices(plan, host, "address"),
          ...postfixSockets(paths),
          ...when(quota, quotaStatusService(paths)),
        ],
      },
      {
        title: `TLS (${tls.summary})`,
        nodes: [
          setting("ssl", "required", "Every login needs TLS: implicit on 993/995, STARTTLS/STLS first on 143/110."),
          fileSetting("ssl_cert", first.certificate.chainFile, "Default certificate; each group address presents its own below."),
          fileSetting("ssl_key", first.certificate.keyFile),
          ...host.addresses.map((a) =>
            block(
              "local",
              a.privateIp,
              [fileSetting("ssl_cert", a.certificate.chainFile), fileSetting("ssl_key", a.certificate.keyFile)],
              `Group ${a.group}: ${a.hostName}.`,
            ),
          ),
          setting("ssl_min_protocol", tls.minProtocol, "Older protocols are refused."),
          setting("ssl_cipher_list", tls.cipherList, "The profile's list for TLS 1.2 and below."),
          setting("ssl_prefer_server_ciphers", tls.preferServerCiphers, tls.cipherOrderWhy),
          setting("ssl_curve_list", keyExchangeGroups(host.os).join(":"), KEY_EXCHANGE_WHY),
          ...when(tls.usesDhe, fileSetting("ssl_dh", paths.dhParameters, DH_WHY)),
          ...sessionTicketSettings(tls),
        ],
      },
      {
        title: "Greetings",
        nodes: neutralGreetings(plan),
      },
      {
        title: "Authentication",
        nodes: [
          setting("disable_plaintext_auth", true, "No login before TLS, even on 143/110."),
          setting("auth_mechanisms", "plain login", "Safe only because TLS is required first."),
          trusted("auth_username_format", "%Lu", "Logins are mailbox addresses, compared in lowercase."),
          ...when(
            plan.bruteForce.enabled,
            setting("auth_verbose", true, "Each failed password is logged with the client's address: fail2ban counts them and bans (brute-force protection)."),
          ),
          block(
            "passdb",
            undefined,
            [setting("driver", "passwd-file"), setting("args", paths.dovecotUsers), ...groupLogins.passwordResults],
            `Password hashes live in ${paths.dovecotUsers} on the host, never in rendered files; a mailbox without a hash cannot log in.`,
          ),
          groupLogins.groupPassdb,
          block(
            "userdb",
            undefined,
            [
              setting("driver", "passwd-file"),
              setting("args", paths.dovecotMailboxes),
              trusted("default_fields", `uid=${paths.mailUser} gid=${paths.mailGroup} home=${paths.mailHomeRoot}/%d/%n`),
            ],
            `Every declared mailbox (${paths.dovecotMailboxes}, rendered, no secrets) receives mail, with or without a password.`,
          ),
        ],
      },
      {
        title: "Mailboxes",
        nodes: [
          trusted("mail_location", "maildir:~/Maildir"),
          setting("recipient_delimiter", "+", "user+tag@domain is delivered to user@domain (same as Postfix)."),
          ...when(
            plugins !== "",
            trusted(
              "mail_plugins",
              `$mail_plugins${plugins}`,
              [...when(quota, "Quotas (count driver)"), ...when(spec.mailbox.fullTextSearch, "Full-text search (dovecot-fts-xapian)")].join("; ") + ".",
            ),
          ),
          ...when(quota, ...quota23(dovecotProtocols(plan).includes("imap"))),
          block(
            "namespace",
            "inbox",
            [
              setting("inbox", true),
              setting("separator", "/"),
              ...SPECIAL_USE_FOLDERS.map(([name, use]) => block("mailbox", name, [trusted("special_use", use), setting("auto", "subscribe")])),
              ...when(
                spec.mailbox.archiveFolder,
                block(
                  "mailbox",
                  "Archive",
                  [trusted("special_use", "\\Archive"), setting("auto", "subscribe")],
                  "Created and subscribed for every user (mailbox.archiveFolder).",
                ),
              ),
            ],
            "Special-use folders (RFC 6154) are created for every user, so all clients agree on them.",
          ),
          ...when(
            spec.mailbox.fullTextSearch,
            block("plugin", undefined, [
              setting("fts", "xapian"),
              setting("fts_xapian", "partial=3 full=20"),
              setting("fts_autoindex", true, "Index on delivery, so the first search is fast."),
              setting("fts_enforced", true, "Searches use the index, never a slow scan."),
              trusted("fts_autoindex_exclude", "\\Trash"),
              trusted("fts_autoindex_exclude2", "\\Junk"),
            ]),
            block("service", "indexer-worker", [setting("vsz_limit", "2G")], "Xapian needs more than Dovecot's default 256M per indexer."),
          ),
        ],
      },
      sieveSection23(plan, host),
    ]),
  );
}
