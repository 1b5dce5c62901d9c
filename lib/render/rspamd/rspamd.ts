/**
 * rspamd (Debian package) as the content filter: files in /etc/rspamd/local.d (merged over
 * Debian's defaults) and /etc/rspamd/rspamd.conf.local, the same text for Debian 12 (rspamd 3.4)
 * and Debian 13 (3.12); both accept it in `rspamadm configtest` (test/integration/rspamd-config.test.ts).
 *
 * Two milters (rspamd_proxy workers in milter mode that scan themselves, `self_scan`): one for
 * port 25, one for the submission listeners. They differ in one setting: the submission milter
 * quarantines what it would reject (`quarantine_on_reject`), which Postfix carries out by putting
 * the mail in its hold queue and logging "milter triggers HOLD action"; the user gets 250.
 * Each listener tells rspamd who it is with the `{daemon_name}` macro (Postfix's
 * `milter_macro_daemon_name`), which rspamd's milter passes on as the `MTA-Name` request header
 * (src/libserver/milter.c) and the settings module matches (`request_header`): on a group's
 * port-25 listeners its default, `$myhostname`, which master.cf sets to the group address's host
 * name (also the authserv-id of rspamd's Authentication-Results); `ORIGINATING` on the submission
 * listeners (the value OpenDKIM signs for).
 */
import { homeSendingLimits } from "../../plan/host-scope";
import type { ContentFilterPlan, HostPlan, Plan } from "../../plan/types";
import { generatedHeader } from "../header";
import type { HostPaths } from "../host-paths";
import { UnsafeValueError, type RenderedFile } from "../rendered-file";
import { ratelimitConf } from "./ratelimit";

/** The `{daemon_name}` of the submission listeners (also what OpenDKIM's MacroList signs for). */
export const SUBMISSION_DAEMON_NAME = "ORIGINATING";

/** The controller's port on the helper address (Debian's). */
export const RSPAMD_PORTS = { controller: 11334 } as const;

/** The account Debian's rspamd runs as (its unit's User=). */
export const RSPAMD_USER = "_rspamd";

/** The directory of the milters' sockets, below Postfix's queue directory (its chroot), as OpenDKIM's. */
export const RSPAMD_SOCKET_DIR = "rspamd";

/**
 * The milters' sockets, relative to Postfix's queue directory (how main.cf and master.cf name them).
 * Unix sockets, not loopback TCP: over TCP each message waited about 40 ms on the milter
 * conversation's small packets (Nagle's algorithm against delayed acknowledgements; Postfix sets
 * no TCP_NODELAY on milter connections): a 10 KB message took 55 ms from end of data to 250 over
 * TCP and 16 ms over the socket on a local instance; `npm run bench:mail` showed 58 → 17 ms p50 on port 25.
 */
export const RSPAMD_MILTER_SOCKETS = { inbound: `${RSPAMD_SOCKET_DIR}/inbound.sock`, submission: `${RSPAMD_SOCKET_DIR}/submission.sock` } as const;

/** redis's port on the helper address (its default). */
export const REDIS_PORT = 6379;

/** redis's memory cap: rspamd's greylisting, reputation and Bayes data are caches, evicted by age beyond it. */
export const REDIS_MAX_MEMORY_MB = 256;

/** What the submission milter answers where it holds (quarantine reason, logged by Postfix). */
const REJECT_MESSAGE = "Refused by the content filter (rspamd)";

/** Modules that would download maps from maps.rspamd.com or ask rspamd.com's servers, and what replaces them. */
const PHONING_HOME: ReadonlyArray<readonly [module: string, why: string]> = [
  ["fuzzy_check", "asks rspamd.com's fuzzy hash servers about every message"],
  ["phishing", "downloads its redirector and allow lists from maps.rspamd.com"],
  ["whitelist", "downloads its SPF/DKIM/DMARC allow lists from maps.rspamd.com"],
  ["rbl", "queries third-party blocklists and downloads its allow list from maps.rspamd.com; port 25's postscreen does the blocklists (dnsbl)"],
  ["asn", "asks asn.rspamd.com about every client address"],
  ["mid", "downloads its Message-ID patterns from maps.rspamd.com"],
  ["dkim_signing", "OpenDKIM signs (with the keys from the secret store); rspamd must not sign a second time"],
];

/** multimap's rules that read maps.rspamd.com's list of mail providers (Debian's modules.d/multimap.conf). */
const MAIL_PROVIDER_RULES = ["freemail", "disposable"].flatMap((kind) =>
  ["envfrom", "envrcpt", "from", "to", "cc", "replyto"].map((what) => `${kind}_${what}`),
);

/** rspamd's LOCAL_CONFDIR on a host (Debian's). */
export const RSPAMD_CONF_DIR = "etc/rspamd";
/** Where the host's rspamd files go. */
export const RSPAMD_LOCAL_DIR = `${RSPAMD_CONF_DIR}/local.d`;
/** The file of the submission milter (a worker of its own, defined at the top level). */
export const RSPAMD_CONF_LOCAL = `${RSPAMD_CONF_DIR}/rspamd.conf.local`;
/** Lua rules of the host, which Debian's rules/rspamd.lua loads from LOCAL_CONFDIR (3.4 and 3.12). */
export const RSPAMD_LOCAL_LUA = `${RSPAMD_CONF_DIR}/rspamd.local.lua`;
/** The zero-weight symbol a message checked without text analysis carries (visible in rspamc and the log). */
export const TEXT_NOT_ANALYSED_SYMBOL = "MAIL_PLATFORM_TEXT_NOT_ANALYSED";
/** The rendered redis.conf (the whole file: Debian's is replaced). */
export const REDIS_CONF = "etc/redis/redis.conf";

function address(file: string, value: string): string {
  if (!/^\d{1,3}(?:\.\d{1,3}){3}$/.test(value)) throw new UnsafeValueError(file, "an address", value, "an IPv4 address");
  return value;
}

function dir(file: string, value: string): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(value)) throw new UnsafeValueError(file, "a directory", value, "an absolute path of letters, digits and ._/- only");
  return value;
}

function score(value: number): string {
  if (!Number.isFinite(value)) throw new UnsafeValueError("rspamd settings", "a score", String(value), "a finite number");
  return String(value);
}

/** A group name as a settings key and in a regular expression: the model allows lowercase letters, digits and hyphens only. */
function groupKey(value: string): string {
  if (!/^[a-z0-9-]+$/.test(value)) throw new UnsafeValueError("rspamd settings", "a group name", value, "lowercase letters, digits and hyphens");
  return value;
}

type Enabled = Extract<ContentFilterPlan, { enabled: true }>;

/**
 * Where greylisting is off, the greylist module does not run either: besides the action, it
 * defers a message whose body it deferred recently from the same address (its own body hash in
 * redis), whichever group that was for.
 */
const NO_GREYLISTING = 'symbols_disabled = ["GREYLIST_CHECK", "GREYLIST_SAVE"];';

/** A host name in a regular expression: each dot a class of its own (no backslash to escape in UCL); the model allows letters, digits, dots and hyphens only. */
function hostPattern(value: string): string {
  if (!/^[a-z0-9.-]+$/.test(value)) throw new UnsafeValueError("rspamd settings", "a host name", value, "lowercase letters, digits, dots and hyphens");
  return value.replace(/\./g, "[.]");
}

function settingsConf(header: string, filter: Enabled, host: HostPlan): string {
  const lines = [
    header,
    "# Which thresholds apply, by the listener that took the mail: Postfix hands each listener's",
    "# milter_macro_daemon_name to the milter as {daemon_name}, which rspamd's milter passes on as the",
    "# MTA-Name request header: a port-25 listener's host name, or ORIGINATING for submission.",
    "",
    "# Submitted mail (587/465): nothing is refused or marked; at the hold score the submission milter",
    "# rejects, which it turns into a quarantine (quarantine_on_reject): Postfix holds the mail.",
    "outbound {",
    "  priority = high;",
    `  request_header = { "MTA-Name" = "^${SUBMISSION_DAEMON_NAME}$"; }`,
    `  apply { actions { reject = ${score(filter.holdScore)}; add_header = null; greylist = null; rewrite_subject = null; } ${NO_GREYLISTING} }`,
    "}",
  ];
  for (const group of filter.groups) {
    const names = host.addresses.filter((a) => a.group === group.group).map((a) => hostPattern(a.hostName));
    if (names.length === 0) continue;
    const name = groupKey(group.group);
    lines.push(
      "",
      `# Group ${name}: mail taken on its port-25 listeners, whose {daemon_name} is their host name.`,
      `inbound-${name} {`,
      "  priority = high;",
      `  request_header = { "MTA-Name" = "^(?:${names.join("|")})$"; }`,
      `  apply { actions { reject = ${score(group.rejectScore)}; add_header = ${score(group.addHeaderScore)}; greylist = ${group.greylistScore === undefined ? "null" : score(group.greylistScore)}; rewrite_subject = null; }${group.greylistScore === undefined ? ` ${NO_GREYLISTING}` : ""} }`,
      "}",
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The greylist action of actions.conf. A group's settings can only move a threshold that exists
 * here: an action disabled (null) in actions.conf is skipped for every message, whatever a
 * settings rule says (src/libmime/scan_result.c, rspamd_check_action_metric). So when any group
 * greylists, the action exists (the platform's score, else the lowest group score) and each group
 * that does not greylist turns it off in its settings (every listener's mail matches one).
 */
function greylistAction(platform: number | false, filter: Enabled): string[] {
  const groups = filter.groups.flatMap((g) => (g.greylistScore === undefined ? [] : [g.greylistScore]));
  if (platform !== false) return [`greylist = ${score(platform)};`];
  if (groups.length === 0) return ["# No group greylists.", "greylist = null;"];
  return ["# Off for the platform, on for some groups: their settings set their scores, the others turn it off.", `greylist = ${score(Math.min(...groups))};`];
}

/** The settings of one milter worker (rspamd_proxy in milter mode). */
function workerProxy(paths: HostPaths, socket: string, quarantine: boolean): string[] {
  const file = quarantine ? RSPAMD_CONF_LOCAL : `${RSPAMD_LOCAL_DIR}/worker-proxy.inc`;
  return [
    // The directory is setgid postfix (made at first boot): the socket is Postfix's group's.
    `bind_socket = "${dir(file, paths.postfixSpool)}/${socket} mode=0660";`,
    "milter = yes;",
    "timeout = 120s;",
    "# Scans in this process (no round trip to a normal worker).",
    'upstream "local" { default = yes; self_scan = yes; }',
    "# One process per milter: a flood on port 25 is scanned on one core, the other stays free for submission and IMAP.",
    "count = 1;",
    ...(quarantine
      ? ["# Submitted mail is never refused: what would be rejected is quarantined, i.e. held by Postfix.", "quarantine_on_reject = true;"]
      : ["quarantine_on_reject = false;"]),
    "discard_on_reject = false;",
    'spam_header = "X-Spam";',
    `reject_message = "${REJECT_MESSAGE}";`,
  ];
}

/** Render rspamd's files and redis.conf for a host (nothing when the filter is off). */
export function renderRspamd(plan: Plan, host: HostPlan, paths: HostPaths): RenderedFile[] {
  const filter = plan.contentFilter;
  if (!filter.enabled) return [];
  const header = generatedHeader(plan.spec.name, host.name);
  const local = (name: string, lines: readonly string[]): RenderedFile => ({
    path: `${RSPAMD_LOCAL_DIR}/${name}`,
    content: `${[header, ...lines].join("\n")}\n`,
    mode: "0644",
  });
  const helper = address("rspamd", paths.helperAddress);
  const files: RenderedFile[] = [
    local("options.inc", [
      "# DNS through the host's own validating resolver (unbound on loopback), never a public one.",
      `dns { nameserver = ["${address(`${RSPAMD_LOCAL_DIR}/options.inc`, paths.resolverAddress)}"]; timeout = 2s; retransmits = 3; }`,
    ]),
    local("worker-proxy.inc", [
      "# The milter of port 25 (every group's listeners): refuses at each group's reject score.",
      ...workerProxy(paths, RSPAMD_MILTER_SOCKETS.inbound, false),
    ]),
    local("worker-normal.inc", ["# Both milters scan themselves: no separate scanning worker.", "enabled = false;"]),
    local("worker-controller.inc", [`# rspamc and the web interface's API, loopback only.`, `bind_socket = "${helper}:${RSPAMD_PORTS.controller}";`]),
    {
      path: RSPAMD_CONF_LOCAL,
      content: `${[
        header,
        "# The milter of the submission listeners (587/465).",
        'worker "rspamd_proxy" {',
        ...workerProxy(paths, RSPAMD_MILTER_SOCKETS.submission, true).map((l) => `  ${l}`),
        "}",
      ].join("\n")}\n`,
      mode: "0644",
    },
    local("actions.conf", [
      "# The platform's inbound thresholds (contentFilter.inbound); each group's are in settings.conf.",
      `reject = ${score(plan.spec.contentFilter.inbound.rejectScore)};`,
      `add_header = ${score(plan.spec.contentFilter.inbound.addHeaderScore)};`,
      ...greylistAction(plan.spec.contentFilter.inbound.greylistScore, filter),
    ]),
    { path: `${RSPAMD_LOCAL_DIR}/settings.conf`, content: settingsConf(header, filter, host), mode: "0644" },
    local("dmarc.conf", [
      "# A DMARC policy is carried out, not only scored: p=reject refuses (our own domains' too: a forged",
      "# sender of a group domain from outside is refused), p=quarantine marks the mail (X-Spam: Yes).",
      'actions { reject = "reject"; quarantine = "add_header"; }',
      "# No aggregate reports are sent.",
      "reporting { enabled = false; }",
    ]),
    local("milter_headers.conf", [
      "# Inbound mail carries the results of SPF, DKIM, DMARC and ARC (Authentication-Results) and its score.",
      "# Not added to submitted mail (skip_authenticated): it would reveal the user's login to the recipients.",
      'use = ["authentication-results", "x-spam-status"];',
      "skip_local = false;",
      "skip_authenticated = true;",
    ]),
    local("arc.conf", [
      "# ARC seals are evaluated (arc module) but never added: OpenDKIM signs, rspamd holds no key.",
      "sign_authenticated = false;",
      "sign_local = false;",
    ]),
    local("redis.conf", ["# Debian's redis-server on loopback (etc/redis/redis.conf).", `servers = "${helper}:${REDIS_PORT}";`]),
    local("multimap.conf", [
      "# Debian's mail-provider rules read maps.rspamd.com's lists: an empty local list instead.",
      ...MAIL_PROVIDER_RULES.map((rule) => `${rule} { map = "$LOCAL_CONFDIR/local.d/maps/mail-providers.map"; }`),
    ]),
    {
      path: `${RSPAMD_LOCAL_DIR}/maps/mail-providers.map`,
      content: `${header}\n# No providers: the list of maps.rspamd.com is not downloaded.\n`,
      mode: "0644",
    },
    ...PHONING_HOME.map(([module, why]) => local(`${module}.conf`, [`# Off: ${why}.`, "enabled = false;"])),
    { path: REDIS_CONF, content: redisConf(header, paths), mode: "0644" },
  ];
  // Only the groups whose users submit here: their home is this host.
  const ratelimit = ratelimitConf(header, { ...filter, sendingLimits: homeSendingLimits(host, filter.sendingLimits) });
  if (ratelimit !== undefined) files.push({ path: `${RSPAMD_LOCAL_DIR}/ratelimit.conf`, content: ratelimit, mode: "0644" });
  if (filter.textAnalysisMaxBytes !== undefined) files.push(textAnalysisLimit(plan, host, filter.textAnalysisMaxBytes));
  if (filter.antivirus) {
    files.push(
      local("antivirus.conf", [
        "# ClamAV (clamav-daemon, signatures from freshclam) through its socket; an infected message is refused.",
        "clamav {",
        '  action = "reject";',
        "  scan_mime_parts = true;",
        '  symbol = "CLAM_VIRUS";',
        '  type = "clamav";',
        '  servers = "/run/clamav/clamd.ctl";',
        "  log_clean = false;",
        "}",
      ]),
    );
  }
  return files;
}

/**
 * rspamd 3.x normalises, stems and language-checks every word of a message before any rule runs
 * (`words_decay` only thins what Bayes sees; rspamd 4.1.4 bounds the words kept), about 200 ms of
 * a core per MB of text, and a milter scans one message at a time. A connection-stage rule sets
 * the task's `skip_process` flag on larger messages: MIME parsing, authentication (SPF, DKIM,
 * DMARC, ARC), ratelimit, greylisting, header and MIME rules and antivirus still run; the text
 * stage, with the rules that read words and body URLs, does not. A message of unknown size is
 * analysed in full.
 */
function textAnalysisLimit(plan: Plan, host: HostPlan, maxBytes: number): RenderedFile {
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)
    throw new UnsafeValueError(RSPAMD_LOCAL_LUA, "the text analysis limit", String(maxBytes), "a positive whole number of bytes");
  const lines = [
    generatedHeader(plan.spec.name, host.name, "--"),
    "-- Messages over contentFilter.textAnalysisMaxBytes are checked without rspamd's text analysis.",
    'local rspamd_logger = require "rspamd_logger"',
    `local MAX_BYTES = ${maxBytes}`,
    "rspamd_config:register_symbol({",
    `  name = "${TEXT_NOT_ANALYSED_SYMBOL}",`,
    '  type = "connfilter",',
    "  score = 0.0,",
    '  description = "Larger than contentFilter.textAnalysisMaxBytes: text not analysed",',
    '  flags = "empty,nostat",',
    "  callback = function(task)",
    "    local size = task:get_size()",
    "    if size and size > MAX_BYTES then",
    '      task:set_flag("skip_process")',
    `      task:insert_result("${TEXT_NOT_ANALYSED_SYMBOL}", 1.0, tostring(size))`,
    '      rspamd_logger.infox(task, "message of %s bytes, over %s: text not analysed", size, MAX_BYTES)',
    "    end",
    "  end,",
    "})",
  ];
  return { path: RSPAMD_LOCAL_LUA, content: `${lines.join("\n")}\n`, mode: "0644" };
}

function redisConf(header: string, paths: HostPaths): string {
  return `${[
    header,
    "# rspamd's store only: loopback, no password needed (protected mode refuses anything else).",
    `bind ${address(REDIS_CONF, paths.helperAddress)}`,
    `port ${REDIS_PORT}`,
    "protected-mode yes",
    "# Run by systemd (Debian's unit passes --supervised systemd --daemonize no); logs to the journal.",
    'logfile ""',
    `dir ${dir(REDIS_CONF, paths.redisDir)}`,
    "# A cache of rspamd's: capped, the least recently used keys with an expiry go first.",
    `maxmemory ${REDIS_MAX_MEMORY_MB}mb`,
    "maxmemory-policy volatile-lru",
    "# Snapshots now and then: greylisting and reputation survive a restart.",
    "save 3600 1 300 100",
    "dbfilename dump.rdb",
  ].join("\n")}\n`;
}
