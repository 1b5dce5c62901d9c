/**
 * The production bundle of a host: the rendered files at their Debian paths, validated with
 * postconf -n, postfix check and doveconf -n (plus opendkim -n when DKIM signs), reloaded through
 * systemd, and every listener checked afterwards.
 */
import type { HostPlan, Plan } from "../plan/types";
import type { HostFiles } from "../render/host-files";
import { mtaStsHostNames } from "../render/nginx/mta-sts";
import { signsDkim } from "../render/opendkim/opendkim";
import { buildBundle, type Bundle } from "./bundle";

/** Where the apply script is installed on a host. */
export const APPLY_SCRIPT_PATH = "/usr/local/sbin/mail-platform-apply";

/** Build the production bundle of one host. */
export function productionBundle(plan: Plan, host: HostPlan, rendered: HostFiles): Bundle {
  const dkim = signsDkim(plan.spec);
  const mtaSts = mtaStsHostNames(plan).length > 0;
  return buildBundle({
    platform: plan.spec.name,
    host: host.name,
    files: rendered.files.map((f) => ({ path: `/${f.path}`, mode: f.mode, content: f.content })),
    // Certificates for new names (a new domain's mta-sts host) exist before nginx is checked.
    prepare: [["/usr/local/sbin/mail-platform-certificates", "{stage}/etc/mail-platform/certificates"]],
    validate: [
      ["postconf", "-c", "{stage}/etc/postfix", "-n"],
      ["postfix", "-c", "{stage}/etc/postfix", "check"],
      ["doveconf", "-n", "-c", "{stage}/etc/dovecot/dovecot.conf"],
    ],
    reload: [
      ["systemctl", "reload", "postfix"],
      ["systemctl", "reload", "dovecot"],
      ...(dkim ? [["systemctl", "reload", "opendkim"]] : []),
      ...(mtaSts ? [["systemctl", "reload", "nginx"]] : []),
    ],
    start: [
      ["systemctl", "start", "postfix"],
      ["systemctl", "start", "dovecot"],
      ...(dkim ? [["systemctl", "start", "opendkim"]] : []),
      ...(mtaSts ? [["systemctl", "start", "nginx"]] : []),
    ],
    listeners: [
      ...host.listeners.map((l) => [l.address.privateIp, l.port] as const),
      ...(mtaSts ? host.addresses.map((a) => [a.privateIp, 443] as const) : []),
    ],
  });
}
