/**
 * Every file of every host, rendered from a plan. Pure: text in memory, sorted by path.
 */
import type { HostPlan, Plan } from "../plan/types";
import { renderDovecotConf } from "./dovecot/dovecot-conf";
import { renderMailboxesFile } from "./dovecot/mailboxes-file";
import { renderGroupLogins } from "./dovecot/group-logins";
import { renderMainCf } from "./postfix/main-cf";
import { renderMasterCf } from "./postfix/master-cf";
import { renderTables } from "./postfix/tables";
import { renderOpendkim } from "./opendkim/opendkim";
import { renderMtaSts } from "./nginx/mta-sts";
import { renderPostsrsd } from "./postsrsd/postsrsd";
import { renderFail2ban } from "./fail2ban/fail2ban";
import { renderClientAutoconfig } from "./nginx/autoconfig";
import { renderCertificateList } from "./certificates";
import { renderMailboxList } from "./accounts/mailbox-list";
import { renderDhParameters } from "./dh-parameters";
import type { RenderedFile } from "./rendered-file";
import { HOST_PATHS, type HostPaths } from "./host-paths";
import { HOST_OS_FACTS } from "../catalogue/host-os";
import { renderUnboundConf } from "./unbound/unbound-conf";
import { renderRspamd } from "./rspamd/rspamd";
import { renderBlocklistWatchConfig } from "./blocklist-watch/watch-config";

/** The rendered files of one host. */
export interface HostFiles {
  /** Host identifier (the directory name in rendered output). */
  readonly host: string;
  /** Files, sorted by path. */
  readonly files: readonly RenderedFile[];
}

/**
 * Render the files of one host.
 * @param paths - host locations and accounts; Debian's by default
 */
export function renderHost(plan: Plan, host: HostPlan, paths: HostPaths = HOST_PATHS): HostFiles {
  const files: RenderedFile[] = [
    { path: "etc/postfix/main.cf", content: renderMainCf(plan, host, paths), mode: "0644" },
    { path: "etc/postfix/master.cf", content: renderMasterCf(plan, host), mode: "0644" },
    ...renderTables(plan, host),
    { path: "etc/dovecot/dovecot.conf", content: renderDovecotConf(plan, host, paths), mode: "0644" },
    renderMailboxesFile(plan, host, HOST_OS_FACTS[host.os].dovecot),
    ...renderGroupLogins(plan, host),
    ...renderOpendkim(plan, host, paths),
    ...renderMtaSts(plan, host, paths),
    ...renderPostsrsd(plan, host),
    ...renderFail2ban(plan, host),
    ...renderRspamd(plan, host, paths),
    ...renderClientAutoconfig(plan, host, paths),
    renderCertificateList(plan, host),
    ...renderDhParameters(plan, host),
    renderMailboxList(plan, host),
    renderUnboundConf(plan, host),
    ...renderBlocklistWatchConfig(plan, host, paths),
  ];
  return { host: host.name, files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/** Render the files of every host, in host order. */
export function renderPlatform(plan: Plan): HostFiles[] {
  return plan.hosts.map((host) => renderHost(plan, host));
}
