/**
 * The production bundle of a host: the rendered files at their Debian paths, validated with
 * postconf -n, postfix check, doveconf -n, unbound-checkconf and (with the content filter) rspamadm configtest, reloaded through systemd (and the users sync run for
 * the new mailbox list), and every listener checked afterwards.
 */
import type { HostPlan, Plan } from "../plan/types";
import type { HostFiles } from "../render/host-files";
import { CERTIFICATE_LIST } from "../render/certificates";
import { UNBOUND_CONF } from "../render/unbound/unbound-conf";
import { RSPAMD_CONF_DIR } from "../render/rspamd/rspamd";
import { when } from "../plan/when";
import { buildBundle, type Bundle, type BundleFile } from "./bundle";
import { CERTIFICATES_SCRIPT_PATH } from "./script-paths";
import { USERS_SYNC_AFTER_APPLY, usersSyncFiles } from "./users-sync";
import { awsClientFiles } from "./aws-client-script";
import { blocklistWatchAfterApply, blocklistWatchFiles } from "./blocklist-watch";
import { contentFilterUnitFiles } from "./content-filter-units";

/**
 * What a bundle ships besides the rendered configuration: the on-host programs with their units
 * (users sync, AWS client, blocklist watch) and the content filter's unit drop-ins.
 */
export function rolloutFiles(plan: Plan, host: HostPlan): BundleFile[] {
  return [...usersSyncFiles(), ...awsClientFiles(), ...blocklistWatchFiles(plan), ...contentFilterUnitFiles(plan, host)];
}

/** Build the production bundle of one host. */
export function productionBundle(plan: Plan, host: HostPlan, rendered: HostFiles): Bundle {
  return buildBundle({
    platform: plan.spec.name,
    host: host.name,
    // The users sync ships with the configuration (a host that booted before it existed gets it too).
    files: [...rendered.files.map((f) => ({ path: `/${f.path}`, mode: f.mode, content: f.content })), ...rolloutFiles(plan, host)],
    // Certificates for new names (a new domain's mta-sts, autoconfig and autodiscover hosts) exist before nginx is checked.
    prepare: [[CERTIFICATES_SCRIPT_PATH, `{stage}/${CERTIFICATE_LIST}`]],
    validate: [
      ["postconf", "-c", "{stage}/etc/postfix", "-n"],
      ["postfix", "-c", "{stage}/etc/postfix", "check"],
      ["doveconf", "-n", "-c", "{stage}/etc/dovecot/dovecot.conf"],
      ["unbound-checkconf", `{stage}/${UNBOUND_CONF}`],
      // Debian's rspamd.conf with the staged local.d and rspamd.conf.local (its LOCAL_CONFDIR).
      ...when(plan.contentFilter.enabled, ["rspamadm", `--var=LOCAL_CONFDIR={stage}/${RSPAMD_CONF_DIR}`, "configtest", "-c", "/etc/rspamd/rspamd.conf"]),
    ],
    // The users sync last: the passwd-file follows the new mailbox list (Dovecot re-reads it on change).
    reload: [
      ...plan.daemons.map((d) => ["systemctl", d.applyBy === "restart" ? "try-restart" : "reload", d.unit]),
      ...USERS_SYNC_AFTER_APPLY,
      ...blocklistWatchAfterApply(plan),
    ],
    start: plan.daemons.map((d) => ["systemctl", "start", d.unit]),
    listeners: host.expectedListeners,
  });
}
