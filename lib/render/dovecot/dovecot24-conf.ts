/**
 * dovecot.conf for Dovecot 2.4 (Debian 13): the same features as the 2.3 file, from the same
 * plan, in 2.4's language — versioned configuration first, named passdb/userdb, `ssl_server_*`
 * files without `<`, `%{variable | filter}` expansion, `mail_driver`/`mail_path`, full-text search
 * with flatcurve (Debian's dovecot-flatcurve, built from Dovecot's own source). References: the
 * Dovecot 2.4 settings reference and "Upgrading Dovecot 2.3 to 2.4" (dovecot/documentation).
 */
import { dovecotListenAddresses } from "../../plan/host-scope";
import type { HostPlan, Plan } from "../../plan/types";
import { when } from "../../plan/when";
import { generatedHeader } from "../header";
import type { HostPaths } from "../host-paths";
import { withOperatorSettings } from "./operator-settings";
import { block, formatDovecotConf, setting, trusted, type DovecotNode } from "./conf-format";
import { sieveSection24 } from "./sieve";
import { dovecotProtocols, loginServices, postfixSockets, SPECIAL_USE_FOLDERS } from "./shared";
import { quota24, quotaStatusService } from "./quota";
import { keyExchangeGroups } from "../../tls/groups";
import { DH_WHY, KEY_EXCHANGE_WHY, neutralGreetings, sessionTicketSettings } from "./tls-settings";
import { groupLoginPassdb24 } from "./group-logins";

/**
 * The settings language this file is written in. 2.4.1 (Debian 13's Dovecot), not 2.4.0: four
 * defaults changed in 2.4.1, and naming the version the settings were written for keeps them.
 */
export const DOVECOT_CONFIG_VERSION = "2.4.1";
/** The oldest Dovecot that must read the index files (2.4.0: any 2.4). */
export const DOVECOT_STORAGE_VERSION = "2.4.0";

/** Folders full-text search does not index on arrival. */
const NOT_AUTOINDEXED = new Set(["Trash", "Junk"]);

/** Build dovecot.conf for Dovecot 2.4. */
export function renderDovecot24Conf(plan: Plan, host: HostPlan, paths: HostPaths): string {
  const { spec } = plan;
  const tls = plan.clientTls;
  const first = host.addresses[0]!;
  const fts = spec.mailbox.fullTextSearch;
  const quota = plan.accounts.enforcesQuota;
  const groupLogins = groupLoginPassdb24(paths);
  const folder = (name: string, use: string, why?: string) =>
    block(
      "mailbox",
      name,
      [trusted("special_use", use), setting("auto", "subscribe"), ...when(fts && NOT_AUTOINDEXED.has(name), setting("fts_autoindex", false))],
      why,
    );

  return formatDovecotConf(
    generatedHeader(spec.name, host.name),
    withOperatorSettings(spec.dovecot?.settings, [
      {
        title: "Versions (Dovecot 2.4: before every other setting)",
        nodes: [
          setting("dovecot_config_version", DOVECOT_CONFIG_VERSION, "The setting names and defaults this file was written for."),
          setting("dovecot_storage_version", DOVECOT_STORAGE_VERSION, "The oldest Dovecot that must read the index files written here."),
        ],
      },
      {
        title: "Protocols and listeners",
        nodes: [
          setting("protocols", dovecotProtocols(plan).join(" "), "LMTP always: Postfix delivers every mailbox domain through it."),
          setting(
            "listen",
            dovecotListenAddresses(host).join(", "),
            "Only the addresses of the groups whose home this host is (loopback on a backup MX only); never every interface.",
          ),
          ...loginServices(plan, host, "listen"),
          ...postfixSockets(paths),
          ...when(quota, quotaStatusService(paths)),
        ],
      },
      {
        title: `TLS (${tls.summary})`,
        nodes: [
          setting("ssl", "required", "Every login needs TLS: implicit on 993/995, STARTTLS/STLS first on 143/110."),
          setting("ssl_server_cert_file", first.certificate.chainFile, "Default certificate; each group address presents its own below."),
          setting("ssl_server_key_file", first.certificate.keyFile),
          ...host.addresses.map((a) =>
            block(
              "local",
              a.privateIp,
              [setting("ssl_server_cert_file", a.certificate.chainFile), setting("ssl_server_key_file", a.certificate.keyFile)],
              `Group ${a.group}: ${a.hostName}.`,
            ),
          ),
          setting("ssl_min_protocol", tls.minProtocol, "Older protocols are refused."),
          setting("ssl_cipher_list", tls.cipherList, "The profile's list for TLS 1.2 and below."),
          setting("ssl_server_prefer_ciphers", tls.preferServerCiphers ? "server" : "client", tls.cipherOrderWhy),
          setting("ssl_curve_list", keyExchangeGroups(host.os).join(":"), KEY_EXCHANGE_WHY),
          ...when(tls.usesDhe, setting("ssl_server_dh_file", paths.dhParameters, DH_WHY)),
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
          setting("auth_allow_cleartext", false, "No login before TLS, even on 143/110."),
          setting("auth_mechanisms", "plain login", "Safe only because TLS is required first."),
          trusted("auth_username_format", "%{user | lower}", "Logins are mailbox addresses, compared in lowercase."),
          ...when(
            plan.bruteForce.enabled,
            setting("auth_verbose", true, "Each failed password is logged with the client's address: fail2ban counts them and bans (brute-force protection)."),
          ),
          block(
            "passdb",
            "passwd-file",
            [setting("passwd_file_path", paths.dovecotUsers), ...groupLogins.passwordResults],
            `Password hashes live in ${paths.dovecotUsers} on the host, never in rendered files; a mailbox without a hash cannot log in.`,
          ),
          groupLogins.groupPassdb,
          block(
            "userdb",
            "passwd-file",
            [
              setting("passwd_file_path", paths.dovecotMailboxes),
              block("fields", undefined, [
                setting("uid", paths.mailUser),
                setting("gid", paths.mailGroup),
                trusted("home", `${paths.mailHomeRoot}/%{user | domain}/%{user | username}`),
              ]),
            ],
            `Every declared mailbox (${paths.dovecotMailboxes}, rendered, no secrets) receives mail, with or without a password.`,
          ),
        ],
      },
      {
        title: "Mailboxes",
        nodes: [
          setting("mail_driver", "maildir"),
          trusted("mail_path", "~/Maildir"),
          setting("recipient_delimiter", "+", "user+tag@domain is delivered to user@domain (same as Postfix)."),
          block(
            "namespace",
            "inbox",
            [
              setting("inbox", true),
              setting("separator", "/"),
              ...SPECIAL_USE_FOLDERS.map(([name, use]) => folder(name, use)),
              ...when(spec.mailbox.archiveFolder, folder("Archive", "\\Archive", "Created and subscribed for every user (mailbox.archiveFolder).")),
            ],
            "Special-use folders (RFC 6154) are created for every user, so all clients agree on them.",
          ),
        ],
      },
      {
        title: "Quotas (count driver, limits from the mailbox list)",
        nodes: when(quota, ...quota24(dovecotProtocols(plan).includes("imap"))),
      },
      {
        title: "Full-text search (dovecot-flatcurve)",
        nodes: when<DovecotNode>(
          fts,
          block("mail_plugins", undefined, [setting("fts", true), setting("fts_flatcurve", true)]),
          block("fts", "flatcurve", [setting("substring_search", true, "IMAP SEARCH is a substring search (RFC 3501).")]),
          block("language", "en", [setting("default", true)], "Dovecot 2.4 needs at least one language for tokenizing."),
          setting("language_tokenizers", "generic email-address", "Dovecot 2.4.1 has no default: without it the backend fails to start (only in the log)."),
          setting("language_filters", "lowercase", "Case-insensitive search."),
          setting("fts_autoindex", true, "Index on delivery, so the first search is fast (off for Trash and Junk above)."),
          setting("fts_search_add_missing", true, "Searches use the index (adding missing mail first), never a slow scan."),
          setting("fts_search_read_fallback", false, "If the index fails, the search fails instead of reading every message."),
          block("service", "indexer-worker", [setting("vsz_limit", "2G")], "Indexing needs more than Dovecot's default 256M per indexer."),
        ),
      },
      sieveSection24(plan, host),
    ]),
  );
}
