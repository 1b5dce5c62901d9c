/**
 * The first-boot script of a mail host, run by cloud-init after the packages are installed
 * and the rendered files are written. It holds no secret: certificates come from ACME
 * (DNS-01 through Route53, allowed by the instance role), users are added later on the host.
 */
import type { AwsSpec } from "../../model/deployment-schema";
import type { HostPlan, Plan } from "../../plan/types";
import { zoneOf } from "../../model/deployment-checks";
import { generatedHeader } from "../header";
import { HOST_PATHS } from "../host-paths";
import { dkimKeyFiles, OPENDKIM_SOCKET, signsDkim } from "../opendkim/opendkim";
import { mtaStsHostNames } from "../nginx/mta-sts";

/** Where the script is installed on the host. */
export const SETUP_SCRIPT_PATH = "/usr/local/sbin/mail-platform-setup";

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
  const keys = [...dkimKeyFiles(plan.spec, HOST_PATHS)];
  const fetches = keys
    .map(([parameter, file]) => `( umask 077; aws ssm get-parameter --region "$region" --name ${sh(parameter)} --with-decryption --query Parameter.Value --output text > ${sh(file)} )\nchown opendkim:opendkim ${sh(file)}`)
    .join("\n");
  return `# DKIM private keys: from SSM Parameter Store into ${HOST_PATHS.opendkimDir}/keys, never printed.
token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)
region=$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)
install -d -o opendkim -g opendkim -m 0700 ${HOST_PATHS.opendkimDir}/keys
${fetches}
# The milter socket lives in Postfix's chroot; setgid postfix so Postfix may connect.
install -d -o opendkim -g postfix -m 2750 ${HOST_PATHS.postfixSpool}/${OPENDKIM_SOCKET.split("/")[0]}
`;
}

/** The script text for one host. */
export function renderSetupScript(plan: Plan, host: HostPlan, aws: AwsSpec): string {
  const ips = host.addresses.map((a) => sh(a.privateIp)).join(" ");
  const allNames = [...host.addresses.map((a) => a.hostName), ...mtaStsHostNames(plan)];
  // In DNSSEC-signed zones a TLSA record pins the key: renewals must keep it.
  const zones = plan.spec.dns?.zones ?? [];
  const inDnssecZone = (name: string) => zones.find((z) => z.name === zoneOf(name, zones.map((x) => x.name)))?.dnssec === true;
  const pinned = host.addresses.map((a) => a.hostName).filter(inDnssecZone);
  const names = allNames.filter((n) => !pinned.includes(n)).map(sh).join(" ");
  const mtaSts = mtaStsHostNames(plan).length > 0;
  const daemons = [...(signsDkim(plan.spec) ? ["opendkim"] : []), "postfix", "dovecot", ...(mtaSts ? ["nginx"] : [])].join(" ");
  const account = aws.acmeEmail === undefined ? "--register-unsafely-without-email" : `--email ${sh(aws.acmeEmail)}`;
  return `#!/bin/bash
${generatedHeader(plan.spec.name, host.name)}
# First-boot setup: addresses, mail user, certificates, checks, start. Log: /var/log/mail-platform-setup.log
set -euo pipefail
exec >>/var/log/mail-platform-setup.log 2>&1
echo "mail-platform setup of host ${host.name} starting"

# Every group address must be on the interface. cloud-init configures secondary private IPs
# from the instance metadata; any still missing is added as /32 (the VPC delivers it to this ENI).
iface=$(ip -4 route show default | awk '{print $5; exit}')
for ip in ${ips}; do
  ip -4 -o addr show | grep -qw "$ip" || ip addr add "$ip/32" dev "$iface"
done

# Mailboxes belong to one unprivileged user; the user database is managed on the host.
id ${HOST_PATHS.mailUser} >/dev/null 2>&1 || useradd --system --home-dir ${HOST_PATHS.mailHomeRoot} --no-create-home --shell /usr/sbin/nologin ${HOST_PATHS.mailUser}
install -d -o ${HOST_PATHS.mailUser} -g ${HOST_PATHS.mailUser} -m 0750 ${HOST_PATHS.mailHomeRoot}
[ -e ${HOST_PATHS.dovecotUsers} ] || install -o root -g dovecot -m 0640 /dev/null ${HOST_PATHS.dovecotUsers}

# One certificate per group host name (and per mta-sts.<domain> name), by DNS-01 through
# Route53: no inbound port is needed, and renewals reload the daemons.
issue_certificate() {
  certbot certonly --non-interactive --agree-tos ${account} --server ${sh(aws.acmeServer)} \\
    --dns-route53 --cert-name "$1" -d "$1" --keep-until-expiring "\${@:2}" \\
    --deploy-hook 'systemctl reload ${daemons}'
}
for name in ${names}; do issue_certificate "$name"; done
${pinned.map((n) => `issue_certificate ${sh(n)} --reuse-key  # DNSSEC zone: the TLSA record pins this key`).join("\n")}

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
echo "mail-platform setup of host ${host.name} done"
`;
}
