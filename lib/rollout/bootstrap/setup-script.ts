/**
 * The first-boot setup of a mail host: a script run by a systemd unit that cloud-init starts, retried
 * until it succeeds. It holds no secret: the packages come from Debian, the configuration as a
 * bundle from the platform's S3 bucket (installed by the same apply script that applies every later
 * change), certificates from ACME (DNS-01 through Route53), DKIM keys from SSM; users are added
 * later on the host.
 */
import { BLOCKLIST_WATCH_TIMER } from "../blocklist-watch";
import { UnsafeValueError } from "../../render/rendered-file";
import type { AwsSpec } from "../../model/deployment-schema";
import type { HostPlan, Plan } from "../../plan/types";
import { APPLY_SCRIPT_PATH, AWS_CLIENT_PATH, CERTIFICATES_SCRIPT_PATH, USERS_SYNC_SCRIPT_PATH } from "../script-paths";
import { USERS_SYNC_TIMER } from "../users-sync";
import { generatedHeader } from "../../render/header";
import { HOST_PATHS } from "../../render/host-paths";
import { DKIM_KEY_LIST, OPENDKIM_SOCKET } from "../../render/opendkim/opendkim";
import { RSPAMD_SOCKET_DIR, RSPAMD_USER } from "../../render/rspamd/rspamd";
import { POSTSRSD_SECRET_FILE } from "../../render/postsrsd/postsrsd";
import { hostPackages } from "./packages";
import { renumberVolumeOwnersFunction } from "./volume-owners";
import { resolverAddress, UNBOUND_CONF } from "../../render/unbound/unbound-conf";
import { rspamdWarmupFinish, rspamdWarmupStart } from "./rspamd-warmup";

/** Where the script is installed on the host. */
export const SETUP_SCRIPT_PATH = "/usr/local/sbin/mail-platform-setup";

/** Where the mail data volume is mounted; the queue and the mailboxes are bind-mounted from it. */
export const DATA_MOUNT = "/srv/mail-data";

/** The file on the data volume (below {@link DATA_MOUNT}) naming the numbers of the accounts that own its files. */
export const VOLUME_OWNERS_RECORD = "owners";

/** What the setup script needs to know beyond the plan. */
export interface SetupInputs {
  /** The s3:// URL of the host's bundle at creation time. */
  readonly bundleUrl: string;
  /** Tag value of the host's data volume (`<platform>-<host>`). */
  readonly dataVolumeName: string;
  /** The tag key of data volumes. */
  readonly dataVolumeTag: string;
}

/** Quote a value for bash; values are validated names/addresses, quoting is a second guard. */
function sh(value: string): string {
  if (!/^[A-Za-z0-9@._:/+=-]+$/.test(value)) throw new UnsafeValueError("the setup script", "a shell word", value, "letters, digits and @._:/+=- only");
  return `'${value}'`;
}

/**
 * DKIM private keys come from SSM Parameter Store (SecureString) at boot: written with a strict
 * umask, never echoed (this log would keep them), readable by opendkim only.
 */
function dkimSection(plan: Plan): string {
  if (!plan.dkim.signs) return "";
  return `step "DKIM keys"
# DKIM private keys: from SSM into ${HOST_PATHS.opendkimDir}/keys, never printed; which ones: the bundle's list.
install -d -o opendkim -g opendkim -m 0700 ${HOST_PATHS.opendkimDir}/keys
while read -r parameter file; do
  case "$parameter" in ""|"#"*) continue ;; esac
  ( umask 077; ${AWS_CLIENT_PATH} --region "$region" get-parameter "$parameter" > "$file" )
  chown opendkim:opendkim "$file"
done < /${DKIM_KEY_LIST}
# The milter socket lives in Postfix's chroot; setgid postfix so Postfix may connect.
install -d -o opendkim -g postfix -m 2750 ${HOST_PATHS.postfixSpool}/${OPENDKIM_SOCKET.split("/")[0]}
`;
}

/** rspamd's milter sockets live in Postfix's chroot like OpenDKIM's: a setgid postfix directory rspamd may write. */
function rspamdSocketSection(plan: Plan): string {
  if (!plan.contentFilter.enabled) return "";
  return `install -d -o ${RSPAMD_USER} -g postfix -m 2750 ${HOST_PATHS.postfixSpool}/${RSPAMD_SOCKET_DIR}\n`;
}

/** The data volume: found by its tag, formatted once, mounted, queue and mailboxes bind-mounted. */
function dataVolumeSection(inputs: SetupInputs): string {
  return `# Mail data (queue and mailboxes) lives on its own EBS volume: replacing the instance keeps it.
instance_id=$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id)
device=""
for attempt in $(seq 1 60); do
  # A refused or failed call ends this attempt with AWS's message in the log (the unit retries);
  # only "not attached yet" (None) is waited for here.
  volume=$(${AWS_CLIENT_PATH} --region "$region" data-volume "$instance_id" ${sh(inputs.dataVolumeTag)} ${sh(inputs.dataVolumeName)})
  candidate="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_\${volume//-/}"
  if [ -n "$volume" ] && [ "$volume" != "None" ] && [ -e "$candidate" ]; then device=$candidate; break; fi
  sleep 10
done
[ -n "$device" ] || { echo "the mail data volume is not attached"; exit 1; }
blkid "$device" >/dev/null 2>&1 || mkfs.ext4 -q -L mail-data "$device"
install -d -m 0755 ${DATA_MOUNT}
uuid=$(blkid -s UUID -o value "$device")
grep -q "^UUID=$uuid " /etc/fstab || echo "UUID=$uuid ${DATA_MOUNT} ext4 defaults,nofail 0 2" >> /etc/fstab
mountpoint -q ${DATA_MOUNT} || mount ${DATA_MOUNT}
${renumberVolumeOwnersFunction()}
renumber_volume_owners ${DATA_MOUNT}/${VOLUME_OWNERS_RECORD} ${DATA_MOUNT}
onto_data_volume() {
  # First use: the volume takes over what the packages put there; later: the volume's content wins.
  if [ ! -d "${DATA_MOUNT}/$2" ]; then mkdir -p "${DATA_MOUNT}/$2"; [ -d "$1" ] && cp -a "$1/." "${DATA_MOUNT}/$2/"; fi
  install -d "$1"
  grep -q " $1 none bind" /etc/fstab || echo "${DATA_MOUNT}/$2 $1 none bind,nofail,x-systemd.requires-mounts-for=${DATA_MOUNT} 0 0" >> /etc/fstab
  mountpoint -q "$1" || mount --bind "${DATA_MOUNT}/$2" "$1"
}
onto_data_volume ${HOST_PATHS.postfixSpool} postfix-spool
onto_data_volume ${HOST_PATHS.mailHomeRoot} mailboxes
chown ${HOST_PATHS.mailUser}:${HOST_PATHS.mailGroup} ${HOST_PATHS.mailHomeRoot}
chmod 0750 ${HOST_PATHS.mailHomeRoot}
`;
}

/** Units that hold no certificate: a renewal leaves them alone. */
const WITHOUT_CERTIFICATES: ReadonlySet<string> = new Set(["unbound", "redis-server", "clamav-daemon", "rspamd"]);

/** The systemd units of the daemons a host runs and reloads; those Postfix calls first, so it finds them running. */
export function managedDaemons(plan: Plan): string[] {
  return [...plan.daemons.filter((d) => d.calledByPostfix), ...plan.daemons.filter((d) => !d.calledByPostfix)].map((d) => d.unit);
}

/**
 * The certificates script: one certificate per line of a list, by DNS-01 through Route53 (no
 * inbound port needed); renewals reload the daemons that run (at first boot none runs yet, so the
 * hook must not fail on them), but unbound, which holds no certificate (a reload empties its cache),
 * and the content filter's daemons, which hold none either (a restart of redis would only drop
 * rspamd's connections). Issuing is idempotent (--keep-until-expiring); a certificate with more
 * than certbot's 30 days left is kept without starting certbot at all, so a rollout pays only for new names.
 */
export function renderCertificatesScript(plan: Plan, host: HostPlan, aws: AwsSpec): string {
  const account = aws.acmeEmail === undefined ? "--register-unsafely-without-email" : `--email ${sh(aws.acmeEmail)}`;
  return `#!/bin/bash
${generatedHeader(plan.spec.name, host.name)}
# Usage: ${CERTIFICATES_SCRIPT_PATH} <list>  (one name per line, optionally followed by --reuse-key)
set -euo pipefail
grep -v '^#' "$1" | while read -r name options; do
  [ -n "$name" ] || continue
  # Kept as certbot's --keep-until-expiring would (more than 30 days left) without starting it: each run takes a second or more.
  openssl x509 -checkend 2592000 -noout -in "/etc/letsencrypt/live/$name/cert.pem" >/dev/null 2>&1 && continue
  # shellcheck disable=SC2086 # options are certbot flags from the rendered list
  certbot certonly --non-interactive --agree-tos ${account} --server ${sh(aws.acmeServer)} \\
    --dns-route53 --cert-name "$name" -d "$name" --keep-until-expiring $options \\
    --deploy-hook 'systemctl try-reload-or-restart ${managedDaemons(plan)
      .filter((unit) => !WITHOUT_CERTIFICATES.has(unit))
      .join(" ")}'
done
`;
}

/** The state directory of the host scripts (the apply script's default too). */
export const STATE_DIR = "/var/lib/mail-platform";
/** Present while the first-boot setup has not finished: rollouts wait for it (see the apply script). */
export const SETUP_INCOMPLETE_MARKER = `${STATE_DIR}/setup-incomplete`;
/** Present once the first-boot setup has finished: the setup unit never runs again. */
export const SETUP_DONE_MARKER = `${STATE_DIR}/setup-done`;
/** A bundle URL a rollout delivered while the setup ran; the setup applies it instead. */
export const PENDING_BUNDLE_FILE = `${STATE_DIR}/pending-bundle`;
/** The setup's log. */
export const SETUP_LOG = "/var/log/mail-platform-setup.log";
/** Debian's hook that keeps package installs from starting daemons (invoke-rc.d, deb-systemd-invoke). */
export const POLICY_RC_D = "/usr/sbin/policy-rc.d";

/** Seconds between failed setup attempts: doubling from the first, capped at the last. */
export const SETUP_RETRY_DELAYS_SECONDS: readonly number[] = [10, 20, 40, 80, 160, 300];

/**
 * The systemd unit that runs the setup until it succeeds: a failed attempt (the ACME server, the
 * mirror or SSM unreachable, the data volume late) is retried with a growing delay, also across
 * reboots, without anyone logging in. Once it succeeded it never runs again.
 */
export function renderSetupUnit(): string {
  return `[Unit]
Description=mail-platform first-boot setup (retried until it succeeds; log ${SETUP_LOG})
Wants=network-online.target
After=network-online.target cloud-final.service
ConditionPathExists=!${SETUP_DONE_MARKER}
# Never give up: each attempt waits out its own back-off delay before failing.
StartLimitIntervalSec=0

[Service]
Type=oneshot
ExecStart=${SETUP_SCRIPT_PATH}
Restart=on-failure
RestartSec=1s
TimeoutStartSec=2h

[Install]
WantedBy=multi-user.target
`;
}

/** The policy-rc.d that holds package daemons until the setup has put the configuration in place. */
export function renderPolicyRcD(): string {
  return `#!/bin/sh
# mail-platform: until the first-boot setup has installed and checked this host's configuration,
# no package install starts a daemon (Debian's defaults would serve: Dovecot on every address with
# a self-signed certificate, nginx's default site). The setup removes this file when it is done.
exit 101
`;
}

/** Debian 13's postfix package, told "No configuration", writes no /etc/aliases (Debian 12's did). */
const ALIASES_FILE = `# Debian 13's postfix package, told "No configuration", writes no /etc/aliases.
[ -e /etc/aliases ] || printf '# Local aliases (mail-platform setup)\\npostmaster: root\\n' > /etc/aliases
`;

/** apt options of the setup: wait for a running apt (unattended-upgrades) rather than fail on its lock. */
const APT = "apt-get -q -o DPkg::Lock::Timeout=600";

/**
 * The SRS secret (when postsrsd runs): made on this host, never part of a bundle or the user data.
 * Debian's package makes it when installed; this covers a package version that does not.
 */
function srsSecretSection(plan: Plan): string {
  if (!plan.srs.enabled) return "";
  return `step "SRS secret"
[ -s ${POSTSRSD_SECRET_FILE} ] || ( umask 077; head -c 32 /dev/urandom | base64 > ${POSTSRSD_SECRET_FILE} )
`;
}

/** Where the setup keeps dhclient from rewriting /etc/resolv.conf (Debian 12's ifupdown images). */
export const DHCLIENT_RESOLVER_HOOK = "/etc/dhcp/dhclient-enter-hooks.d/mail-platform-resolver";

/**
 * The host resolves through its own unbound from here on: /etc/resolv.conf becomes a plain file
 * naming it, and nothing that wrote the file before (systemd-resolved's stub on netplan/networkd
 * images, dhclient on ifupdown images) rewrites it. Until this step the setup resolved through the
 * VPC resolver as the image came (packages, certificates, bundle, SSM). Postfix copies the file
 * into its chroot when it starts, so it is switched before Postfix is started.
 */
function resolverSection(): string {
  const address = resolverAddress();
  return `# The host's own validating resolver (unbound on ${address}; /${UNBOUND_CONF}): DNS blocklists refuse the
# VPC resolver's shared queries, and DANE needs validated answers. Nothing may rewrite resolv.conf:
# systemd-resolved (its stub would stay in front) goes, dhclient keeps the file as it is.
systemctl restart unbound
if systemctl cat systemd-resolved.service >/dev/null 2>&1; then systemctl disable --now systemd-resolved.service; fi
if [ -d ${DHCLIENT_RESOLVER_HOOK.slice(0, DHCLIENT_RESOLVER_HOOK.lastIndexOf("/"))} ]; then printf 'make_resolv_conf() { :; }\\n' > ${DHCLIENT_RESOLVER_HOOK}; fi
rm -f /etc/resolv.conf
printf '# mail-platform: the host resolves through its own unbound (DNSSEC-validating, loopback only).\\nnameserver ${address}\\noptions edns0 trust-ad\\n' > /etc/resolv.conf
`;
}

/** The script text for one host. */
export function renderSetupScript(plan: Plan, host: HostPlan, aws: AwsSpec, inputs: SetupInputs): string {
  const ips = host.addresses.map((a) => sh(a.privateIp)).join(" ");
  const nginx = plan.daemons.some((d) => d.name === "nginx");
  // What nginx serves, for the comment (Debian's default site must not answer on 443 instead).
  const nginxServes = [...(plan.mtaSts.served ? ["the MTA-STS policies"] : []), ...(plan.autoconfig.served ? ["client autoconfiguration"] : [])].join(" and ");
  const daemons = managedDaemons(plan).join(" ");
  const packages = hostPackages(plan, host).map(sh).join(" ");
  void aws;
  return `#!/bin/bash
${generatedHeader(plan.spec.name, host.name)}
# First-boot setup of a mail host, run by mail-platform-setup.service until it succeeds. Every step
# may run again after a failure: each checks what is already done. Nothing serves until the last
# steps have checked the whole configuration. Log: ${SETUP_LOG}
set -euo pipefail
exec >>${SETUP_LOG} 2>&1
install -d -m 0700 ${STATE_DIR}
touch ${SETUP_INCOMPLETE_MARKER}
step() { current_step=$1; echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) mail-platform setup of host ${host.name}: $1"; }
current_step=start
on_exit() {
  status=$?
  [ "$status" -eq 0 ] && return
  attempts=$(( $(cat ${STATE_DIR}/setup-attempts 2>/dev/null || echo 0) + 1 ))
  echo "$attempts" > ${STATE_DIR}/setup-attempts
  delays=(${SETUP_RETRY_DELAYS_SECONDS.join(" ")})
  index=$(( attempts <= \${#delays[@]} ? attempts - 1 : \${#delays[@]} - 1 ))
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) mail-platform setup FAILED at step \\"$current_step\\" (exit $status, attempt $attempts); next attempt in \${delays[$index]} s"
  sleep "\${delays[$index]}"
}
trap on_exit EXIT

step "instance metadata (IMDSv2)"
token=$(curl -sf --retry 3 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 600' http://169.254.169.254/latest/api/token)
region=$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)

# First the SSM agent (not packaged by Debian; from AWS's regional bucket): whatever fails later,
# the host can be reached for repair.
step "SSM agent"
if ! dpkg-query -W -f='\${Status}' amazon-ssm-agent 2>/dev/null | grep -q "install ok installed"; then
  arch=$(dpkg --print-architecture)
  curl -sf -o ${STATE_DIR}/amazon-ssm-agent.deb "https://s3.$region.amazonaws.com/amazon-ssm-$region/latest/debian_$arch/amazon-ssm-agent.deb"
  dpkg -i ${STATE_DIR}/amazon-ssm-agent.deb
fi
systemctl enable --now amazon-ssm-agent

step "packages"
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
${APT} update
# Only what the host runs: recommended packages (perl, imaging libraries, whois, ...) are not installed.
DEBIAN_FRONTEND=noninteractive ${APT} -y --no-install-recommends -o Dpkg::Options::=--force-confold install ${packages}
# Installed, not started (policy-rc.d); and not started at a reboot before this setup has finished.
systemctl disable --quiet ${daemons}
# unbound's root trust anchor from dns-root-data, as unbound's unit puts it in place before each start:
# the bundle's check (unbound-checkconf) needs the file before unbound has ever run.
/usr/libexec/unbound-helper root_trust_anchor_update

${rspamdWarmupStart(plan, host, STATE_DIR)}step "addresses"
# Every group address on the interface: any cloud-init did not configure is added as /32.
iface=$(ip -4 route show default | awk '{print $5; exit}')
for ip in ${ips}; do
  ip -4 -o addr show | grep -qw "$ip" || ip addr add "$ip/32" dev "$iface"
done

step "mailbox owner"
# Mailboxes belong to one unprivileged user (created before the data volume is mounted, whose
# files it may own already); the user database is written by the users sync.
id ${HOST_PATHS.mailUser} >/dev/null 2>&1 || useradd --system --home-dir ${HOST_PATHS.mailHomeRoot} --no-create-home --shell /usr/sbin/nologin ${HOST_PATHS.mailUser}
[ -e ${HOST_PATHS.dovecotUsers} ] || install -o root -g dovecot -m 0640 /dev/null ${HOST_PATHS.dovecotUsers}

step "data volume"
${dataVolumeSection(inputs)}
# This host's bundle (or a newer one a rollout delivered meanwhile), installed by the script that
# applies every later change; it first obtains the certificates the configuration names.
step "configuration bundle and certificates"
bundle=${sh(inputs.bundleUrl)}
[ -s ${PENDING_BUNDLE_FILE} ] && bundle=$(cat ${PENDING_BUNDLE_FILE})
${APPLY_SCRIPT_PATH} --no-reload "$bundle"
rm -f ${PENDING_BUNDLE_FILE}

${dkimSection(plan)}${rspamdSocketSection(plan)}
${srsSecretSection(plan)}step "mailbox passwords"
# Dovecot's passwd-file from the bundle's mailboxes and the hashes in SSM (never printed), by the
# sync the bundle installed (its timer and every later bundle run it again).
systemctl daemon-reload
${USERS_SYNC_SCRIPT_PATH} --region "$region"

step "checks"
# Lookup tables: the rendered ones are texthash/pcre (read directly); only aliases need building.
${host.os === "debian-13" ? ALIASES_FILE : ""}newaliases
${nginx ? `# nginx serves only ${nginxServes}: Debian's default site goes.\nrm -f /etc/nginx/sites-enabled/default\n` : ""}# Refuse to start on a configuration the programs reject.
postfix check
doveconf -n >/dev/null
unbound-checkconf >/dev/null
${plan.contentFilter.enabled ? "rspamadm configtest >/dev/null\n" : ""}${nginx ? "nginx -t\n" : ""}
step "services"
${rspamdWarmupFinish(plan, STATE_DIR)}rm -f ${POLICY_RC_D}
systemctl enable ${daemons}
${resolverSection()}systemctl restart ${daemons}
# Timers: certificate renewal (held by policy-rc.d), the users sync's, the blocklist watch's.
systemctl start certbot.timer
systemctl enable --now ${USERS_SYNC_TIMER}
${plan.spec.blocklistWatch.enabled ? `systemctl enable --now ${BLOCKLIST_WATCH_TIMER}\n` : ""}
step "finish"
# From here on a rollout applies its bundle itself; one that arrived during this setup is applied now.
flock ${STATE_DIR}/lock rm -f ${SETUP_INCOMPLETE_MARKER}
if [ -s ${PENDING_BUNDLE_FILE} ]; then
  ${APPLY_SCRIPT_PATH} "$(cat ${PENDING_BUNDLE_FILE})"
  rm -f ${PENDING_BUNDLE_FILE}
fi
touch ${SETUP_DONE_MARKER}
rm -f ${STATE_DIR}/amazon-ssm-agent.deb
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) mail-platform setup of host ${host.name} done"
`;
}
