/**
 * The local test overlay: everything a local instance changes on top of what production renders
 * for its (loopback) model. It is data, applied to the rendered files after rendering, and it is
 * never part of production output (a test checks that no overlay setting appears there).
 *
 * - main.cf: private queue and data directories, a log file, XCLIENT for the test client only,
 *   the test CA for outbound verification, postscreen exemption for the test client only (so
 *   every other loopback client is screened like an internet client). Applied with the real
 *   `postconf -e`, which edits each setting in place.
 * - dovecot.conf: private run, state and log paths, appended as a titled section (the last
 *   definition wins in Dovecot).
 * - opendkim.conf: keys below /tmp are accepted (OpenDKIM refuses keys under a world-writable
 *   directory; production keys live in /etc/opendkim/keys).
 * - host paths: Postfix spool, user database and mail homes below the state directory, mail
 *   owned by `nobody` (no system user is created).
 */
import { execFileSync } from "child_process";
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import type { HostPlan, Plan } from "../plan/types";
import { homeAddresses } from "../plan/host-scope";
import type { HostPaths } from "../render/host-paths";
import { XCLIENT_CLIENT, loopbackPlan, type StateLayout } from "./conventions";
import { localHelperAddress, rspamdLayout } from "./rspamd";
import { postsrsdPostfixOverlay } from "./postsrsd";

/** Title of the overlay section in dovecot.conf. */
export const OVERLAY_TITLE = "Local test overlay (mail-platform local): never part of production output";

/**
 * Host paths of a local instance.
 * @param host the host the instance runs: its helper daemons (rspamd, redis) listen on its first
 * group address and ask the instance's DNS server. @default - 127.0.0.1 for both (what renders nothing of them)
 */
export function localHostPaths(layout: StateLayout, host?: HostPlan): HostPaths {
  const helperAddress = host === undefined ? "127.0.0.1" : localHelperAddress(host);
  return {
    postfixSpool: layout.spool,
    dovecotUsers: layout.dovecotUsers,
    dovecotMailboxes: join(layout.dovecotConfig, "mailboxes"),
    dovecotLogins: join(layout.dovecotConfig, "logins"),
    mailHomeRoot: layout.mail,
    dhParameters: join(layout.stateDir, "mail-platform", "ffdhe2048.pem"),
    mailUser: "nobody",
    mailGroup: "nogroup",
    opendkimDir: layout.opendkim,
    opendkimRun: layout.opendkimRun,
    mtaStsRoot: join(layout.nginx, "mta-sts"),
    autoconfigRoot: join(layout.nginx, "client-config"),
    helperAddress,
    resolverAddress: host === undefined ? "127.0.0.1" : loopbackPlan(helperAddress.split(".").slice(0, 3).join(".")).dns,
    redisDir: rspamdLayout(layout).redisData,
  };
}

/**
 * The main.cf settings the overlay sets.
 * @param host the host the instance runs. @default - the plan's first host
 */
export function postfixOverlay(plan: Plan, layout: StateLayout, host: HostPlan = plan.hosts[0]!): Record<string, string> {
  return {
    queue_directory: layout.spool,
    data_directory: layout.data,
    maillog_file: layout.postfixLog,
    // Postfix writes its log only below an allowed prefix.
    maillog_file_prefixes: layout.logs,
    smtpd_authorized_xclient_hosts: XCLIENT_CLIENT,
    smtp_tls_CAfile: layout.caFile,
    ...(plan.postscreen ? { postscreen_access_list: `cidr:${join(layout.postfixConfig, "postscreen_access.cidr")}` } : {}),
    ...postsrsdPostfixOverlay(plan, host),
  };
}

/**
 * The dovecot.conf settings the overlay sets. With the plan: vacation replies and redirects enter
 * the instance's Postfix over SMTP on the host's first home address, port 25 (loopback is in
 * mynetworks), instead of /usr/sbin/sendmail, which would use this machine's own Postfix configuration.
 * @param host the host the instance runs. @default - the plan's first host
 */
export function dovecotOverlay(layout: StateLayout, plan?: Plan, host: HostPlan | undefined = plan?.hosts[0]): Record<string, string> {
  const smtp = host === undefined ? undefined : (homeAddresses(host)[0] ?? host.addresses[0]);
  const submission: Record<string, string> = plan && smtp && plan.spec.services.smtp ? { submission_host: `${smtp.privateIp}:${plan.listenPorts.smtp}` } : {};
  return { base_dir: layout.dovecotBase, state_dir: layout.dovecotState, log_path: layout.dovecotLog, ...submission };
}

/** The overlay's section of dovecot.conf, appended last (the last definition wins in 2.3 and 2.4). */
export function dovecotOverlayText(layout: StateLayout, plan?: Plan, host?: HostPlan): string {
  const lines = Object.entries(dovecotOverlay(layout, plan, host)).map(([k, v]) => `${k} = ${v}`);
  return `\n# == ${OVERLAY_TITLE} ==\n${lines.join("\n")}\n`;
}

/** The opendkim.conf settings the overlay adds (the state directory may live below world-writable /tmp). */
export function opendkimOverlay(): Record<string, string> {
  return { RequireSafeKeys: "false" };
}

/**
 * Apply the overlay to rendered files. The values refer to the instance's state directory; the
 * files are edited below `filesRoot` (a shadow copy of the state directory's tree, or "" for in place).
 */
export function applyOverlay(plan: Plan, host: HostPlan, layout: StateLayout, filesRoot = ""): void {
  const postfix = postfixOverlay(plan, layout, host);
  const at = (path: string) => `${filesRoot}${path}`;
  if (plan.postscreen) {
    writeFileSync(at(join(layout.postfixConfig, "postscreen_access.cidr")), `# ${OVERLAY_TITLE}\n${XCLIENT_CLIENT}/32 permit\n`);
  }
  // One setting per call: postconf -e appends several new settings in an unstable order, and the
  // overlay must give byte-identical files every time (bundle ids depend on it).
  for (const [key, value] of Object.entries(postfix)) {
    execFileSync("postconf", ["-c", at(layout.postfixConfig), "-e", `${key}=${value}`], { stdio: ["ignore", "ignore", "pipe"] });
  }
  appendFileSync(at(layout.dovecotConf), dovecotOverlayText(layout, plan, host));
  const opendkimConf = at(join(layout.opendkim, "opendkim.conf"));
  if (existsSync(opendkimConf)) {
    const settings = Object.entries(opendkimOverlay()).map(([k, v]) => `${k} ${v}`);
    appendFileSync(opendkimConf, `\n# == ${OVERLAY_TITLE} ==\n${settings.join("\n")}\n`);
  }
}

/**
 * nginx's main configuration for a local instance (production uses Debian's nginx.conf, which
 * includes conf.d): private pid, logs and temporary paths, and the rendered server blocks.
 */
export function writeNginxMainConf(layout: StateLayout): string {
  const file = join(layout.nginx, "nginx.conf");
  const temp = join(layout.nginx, "tmp");
  mkdirSync(temp, { recursive: true });
  writeFileSync(
    file,
    [
      `# ${OVERLAY_TITLE}`,
      "user www-data;",
      "worker_processes 1;",
      `pid ${join(layout.nginx, "nginx.pid")};`,
      `error_log ${join(layout.logs, "nginx-error.log")};`,
      "events {}",
      "http {",
      `    access_log ${join(layout.logs, "nginx-access.log")};`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${join(temp, kind)};`),
      `    include ${join(layout.nginx, "conf.d")}/*.conf;`,
      "}",
      "",
    ].join("\n"),
  );
  return file;
}
