/**
 * The first-boot script of a mail host, run by cloud-init after the packages are installed. It
 * holds no secret: the configuration comes as a bundle from the platform's S3 bucket (installed by
 * the same apply script that applies every later change), certificates come from ACME (DNS-01
 * through Route53), DKIM keys from SSM, users are added later on the host.
 */
import type { AwsSpec } from "../../model/deployment-schema";
import type { HostPlan, Plan } from "../../plan/types";
import { APPLY_SCRIPT_PATH, CERTIFICATES_SCRIPT_PATH } from "../../rollout/script-paths";
import { generatedHeader } from "../header";
import { HOST_PATHS } from "../host-paths";
import { CERTIFICATE_LIST } from "../certificates";
import { optionalDaemons } from "../../rollout/daemons";
import { dkimKeyFiles, OPENDKIM_SOCKET, signsDkim } from "../opendkim/opendkim";

/** Where the script is installed on the host. */
export const SETUP_SCRIPT_PATH = "/usr/local/sbin/mail-platform-setup";


/** Where the mail data volume is mounted; the queue and the mailboxes are bind-mounted from it. */
export const DATA_MOUNT = "/srv/mail-data";

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
  if (!/^[A-Za-z0-9@._:/+=-]+$/.test(value)) throw new Error(`refusing to put ${JSON.stringify(value)} into the setup script`);
  return `'${value}'`;
}

/**
 * DKIM private keys come from SSM Parameter Store (SecureString) at boot: written with a strict
 * umask, never echoed (this log would keep them), readable by opendkim only.
 */
function dkimSection(plan: Plan): string {
  if (!signsDkim(plan.spec)) return "";
  const fetches = [...dkimKeyFiles(plan.spec, HOST_PATHS)]
    .map(([parameter, file]) => `( umask 077; aws ssm get-parameter --region "$region" --name ${sh(parameter)} --with-decryption --query Parameter.Value --output text > ${sh(file)} )\nchown opendkim:opendkim ${sh(file)}`)
    .join("\n");
  return `# DKIM private keys: from SSM Parameter Store into ${HOST_PATHS.opendkimDir}/keys, never printed.
install -d -o opendkim -g opendkim -m 0700 ${HOST_PATHS.opendkimDir}/keys
${fetches}
# The milter socket lives in Postfix's chroot; setgid postfix so Postfix may connect.
install -d -o opendkim -g postfix -m 2750 ${HOST_PATHS.postfixSpool}/${OPENDKIM_SOCKET.split("/")[0]}
`;
}

/** The data volume: found by its tag, formatted once, mounted, queue and mailboxes bind-mounted. */
function dataVolumeSection(inputs: SetupInputs): string {
  return `# Mail data (queue and mailboxes) lives on its own EBS volume: replacing the instance keeps it.
instance_id=$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id)
device=""
for attempt in $(seq 1 60); do
  volume=$(aws ec2 describe-volumes --region "$region" --filters "Name=attachment.instance-id,Values=$instance_id" \\
    "Name=tag:${inputs.dataVolumeTag},Values=${inputs.dataVolumeName}" --query 'Volumes[0].VolumeId' --output text 2>/dev/null || true)
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
onto_data_volume() {
  # First use: the volume takes over what the packages put there; later: the volume's content wins.
  if [ ! -d "${DATA_MOUNT}/$2" ]; then mkdir -p "${DATA_MOUNT}/$2"; [ -d "$1" ] && cp -a "$1/." "${DATA_MOUNT}/$2/"; fi
  install -d "$1"
  grep -q " $1 none bind" /etc/fstab || echo "${DATA_MOUNT}/$2 $1 none bind,nofail,x-systemd.requires-mounts-for=${DATA_MOUNT} 0 0" >> /etc/fstab
  mountpoint -q "$1" || mount --bind "${DATA_MOUNT}/$2" "$1"
}
onto_data_volume ${HOST_PATHS.postfixSpool} postfix-spool
onto_data_volume ${HOST_PATHS.mailHomeRoot} mailboxes
`;
}

/** The daemons a host runs and reloads. */
export function managedDaemons(plan: Plan): string[] {
  const optional = optionalDaemons(plan);
  return [...(optional.opendkim ? ["opendkim"] : []), "postfix", "dovecot", ...(optional.nginx ? ["nginx"] : [])];
}

/**
 * The certificates script: one certificate per line of a list, by DNS-01 through Route53 (no
 * inbound port needed); renewals reload the daemons. Issuing is idempotent (--keep-until-expiring).
 */
export function renderCertificatesScript(plan: Plan, host: HostPlan, aws: AwsSpec): string {
  const account = aws.acmeEmail === undefined ? "--register-unsafely-without-email" : `--email ${sh(aws.acmeEmail)}`;
  return `#!/bin/bash
${generatedHeader(plan.spec.name, host.name)}
# Usage: ${CERTIFICATES_SCRIPT_PATH} <list>  (one name per line, optionally followed by --reuse-key)
set -euo pipefail
grep -v '^#' "$1" | while read -r name options; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086 # options are certbot flags from the rendered list
  certbot certonly --non-interactive --agree-tos ${account} --server ${sh(aws.acmeServer)} \\
    --dns-route53 --cert-name "$name" -d "$name" --keep-until-expiring $options \\
    --deploy-hook 'systemctl reload ${managedDaemons(plan).join(" ")}'
done
`;
}

/** The script text for one host. */
export function renderSetupScript(plan: Plan, host: HostPlan, aws: AwsSpec, inputs: SetupInputs): string {
  const ips = host.addresses.map((a) => sh(a.privateIp)).join(" ");
  const mtaSts = optionalDaemons(plan).nginx;
  const daemons = managedDaemons(plan).join(" ");
  void aws;
  return `#!/bin/bash
${generatedHeader(plan.spec.name, host.name)}
# First-boot setup: addresses, data volume, configuration, certificates, checks, start, SSM agent.
# Log: /var/log/mail-platform-setup.log
set -euo pipefail
exec >>/var/log/mail-platform-setup.log 2>&1
echo "mail-platform setup of host ${host.name} starting"
token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 600' http://169.254.169.254/latest/api/token)
region=$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)
# The packages started Dovecot with Debian's configuration; nothing serves until ours is in place.
systemctl stop dovecot || true

# Every group address must be on the interface. cloud-init configures secondary private IPs
# from the instance metadata; any still missing is added as /32 (the VPC delivers it to this ENI).
iface=$(ip -4 route show default | awk '{print $5; exit}')
for ip in ${ips}; do
  ip -4 -o addr show | grep -qw "$ip" || ip addr add "$ip/32" dev "$iface"
done

${dataVolumeSection(inputs)}
# Mailboxes belong to one unprivileged user; the user database is managed on the host.
id ${HOST_PATHS.mailUser} >/dev/null 2>&1 || useradd --system --home-dir ${HOST_PATHS.mailHomeRoot} --no-create-home --shell /usr/sbin/nologin ${HOST_PATHS.mailUser}
chown ${HOST_PATHS.mailUser}:${HOST_PATHS.mailGroup} ${HOST_PATHS.mailHomeRoot}
chmod 0750 ${HOST_PATHS.mailHomeRoot}
[ -e ${HOST_PATHS.dovecotUsers} ] || install -o root -g dovecot -m 0640 /dev/null ${HOST_PATHS.dovecotUsers}

# The configuration: this host's bundle, validated and installed by the script that applies
# every later change too (the daemons start below).
${APPLY_SCRIPT_PATH} --no-reload ${sh(inputs.bundleUrl)}

# The certificates the configuration names (group host names, mta-sts.<domain>).
${CERTIFICATES_SCRIPT_PATH} /${CERTIFICATE_LIST}

${dkimSection(plan)}
# Lookup tables: the rendered ones are texthash/pcre (read directly); only aliases need building.
newaliases
${mtaSts ? "# nginx serves only the MTA-STS policies: Debian's default site goes.\nrm -f /etc/nginx/sites-enabled/default\n" : ""}
# Refuse to start on a configuration the programs reject.
postfix check
doveconf -n >/dev/null
${mtaSts ? "nginx -t\n" : ""}
systemctl enable ${daemons}
systemctl restart ${daemons}

# Last: the SSM agent (not packaged by Debian; from AWS's regional bucket). The rollout
# association runs as soon as it registers, so only once this host serves.
arch=$(dpkg --print-architecture)
curl -sf -o /tmp/amazon-ssm-agent.deb "https://s3.$region.amazonaws.com/amazon-ssm-$region/latest/debian_$arch/amazon-ssm-agent.deb"
dpkg -i /tmp/amazon-ssm-agent.deb
systemctl enable --now amazon-ssm-agent
echo "mail-platform setup of host ${host.name} done"
`;
}
