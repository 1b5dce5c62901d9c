/** Help texts of `mail-platform` and its commands. */

/** Top-level help. */
export const MAIN_HELP = `Usage: mail-platform <command> [options]

Validate and render a mail platform model (platform.yaml or .json).

Commands:
  validate <file>            Check the model is deployable; list every problem with its path.
  render <file> --out <dir>  Write the Postfix and Dovecot files of every host.
  zone <file> --out <dir>    Write one BIND zone file per DNS zone (for review and export).
  local up <file>            Run a host on this machine (loopback, test CA, test user); --join adds another.
  local apply <file>         Apply a changed platform to it (validated, rolled back on failure).
  local down                 Stop it.
  rehearse <file>            Boot a host (or several) as deployed, against local stand-ins of AWS and ACME.
  group pause <file> <group>  Hold back a group's outbound mail in the queue (--local: apply now).
  group resume <file> <group> Deliver it again, the waiting mail at once.
  user passwd <file> <address>  Set a mailbox's password (its hash goes to SSM Parameter Store).
  user list <file>           The declared mailboxes and whether each has a password.
  user remove <file> <address>  Delete a mailbox's password hash (it can no longer log in).

Options:
  -h, --help                 Show help (also after a command: mail-platform render --help).

Exit codes: 0 success, 1 invalid model (or another failure you can fix), 2 usage error.
`;

/** Help of each command. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  validate: `Usage: mail-platform validate <file> [--render-only] [--json]

Check a platform model (YAML or JSON) against the schema and the cross-field rules.
Every problem is listed with its field path, the value received and what is allowed.
A model called valid is one MailPlatform deploys (cdktf synth): the aws and dns sections
are required unless --render-only is given.

Options:
  --render-only  Judge the model for rendering the configuration only (render, zone, local):
                 the aws and dns sections may be missing.
  --json         Print the result as JSON on stdout: {"valid": true} or {"valid": false, "issues": [...]}.
  -h, --help     Show this help.

Exit codes: 0 valid, 1 invalid, 2 usage error (unknown option, missing or unreadable file).
`,
  local: `Usage: mail-platform local up|apply <file> [options] | mail-platform local down [options]

Run hosts of a platform on this machine with the real Postfix, Dovecot and named, to try
it or to test it. See: mail-platform local up --help, local apply --help, local down --help
`,
  "local up": `Usage: mail-platform local up <file> [--host NAME] [--state-dir DIR] [--loopback 127.X.Y | --join DIR] [--users FILE]

Start the rendered Postfix and Dovecot of one host on this machine (needs root and Debian's
postfix, dovecot-core, dovecot-imapd, dovecot-pop3d, dovecot-lmtpd, bind9 and openssl packages):
each group address on its own loopback address (127.X.Y.11, .12, …), certificates from a
throwaway test CA, a local DNS server for the platform's zones and the DNSBL test. The test
overlay adds a test mailbox, tester@<first domain>, with a generated password (and routes
postmaster@/abuse@ to it when the model sets no accounts.roleMailbox); the model's mailboxes
log in with the passwords of --users. Prints one JSON object on stdout:
  {"addresses": {group: address}, "ports": {service: port}, "caFile": path,
   "user": {"name": …, "password": …}, "stateDir": path}
Standard ports are used when free; otherwise 10000 + the standard port (never 10025, the
host-to-host channel's port).

A second host of the same platform runs next to the first with --join <first's state dir> and
its own --state-dir: same loopback block (each host has its own addresses there), the first's
DNS server, test CA (a backup MX verifies its group's home channel), DKIM keys, ports and
passwords (the test user's too); its own Postfix queue, Dovecot, mail and logs. Each instance
stops with its own local down; stop the joined ones first (the first takes the DNS server down).

Options:
  --host NAME        Host to run (default: the first host; with --join, the first host that
                     runs in no instance of the platform yet).
  --state-dir DIR    Where configuration, spool, mail and logs go (default: ${"$"}TMPDIR/mail-platform-local).
  --loopback 127.X.Y Loopback block of the instance (default: 127.0.10).
  --join DIR         Run another host of the platform next to the running instance in DIR
                     (needs --state-dir; not with --loopback).
  --users FILE       Passwords of the model's mailboxes, one line each: address:password
                     (hashed with SHA512-CRYPT) or address:{SCHEME}hash (e.g. from doveadm pw);
                     # comments and blank lines are ignored. An address that is no mailbox of
                     the model is an error. Default: only the test mailbox can log in.
  -h, --help         Show this help.

Exit codes: 0 running, 1 invalid model or start failure, 2 usage error.
`,
  "local apply": `Usage: mail-platform local apply <file> [--state-dir DIR] [--users FILE]

Apply a changed platform to the running local instance with the same script the hosts use:
stage the new files, validate them (postconf -n, postfix check, doveconf -n), swap them in,
reload (queued mail stays queued), check every listener, and roll back on any failure.
The change must keep the instance's shape (host names, services, DKIM keys); otherwise
local down, then local up. Prints {"applied": "<bundle id>"} on success. Afterwards only the
model's mailboxes can log in: a removed mailbox cannot, and its mail stays in its Maildir.

Options:
  --state-dir DIR  The instance (default: ${"$"}TMPDIR/mail-platform-local).
  --users FILE     New or changed passwords of the model's mailboxes (format as for local up).
  -h, --help       Show this help.

Exit codes: 0 applied (or already applied), 1 invalid model or change refused/rolled back, 2 usage error.
`,
  "local down": `Usage: mail-platform local down [--state-dir DIR]

Stop the local instance in DIR (default: ${"$"}TMPDIR/mail-platform-local) and every process it started,
and no other: an instance that joined another (local up --join) leaves the shared DNS server running;
the first instance stops it, and names the joined instances that still run.
The files stay for inspection.

Exit codes: 0 stopped, 1 no instance there or a process would not stop, 2 usage error.
`,
  group: `Usage: mail-platform group pause|resume <file> <group> [--local DIR]

The brake on one customer group's outbound mail. See: mail-platform group pause --help
`,
  "group pause": `Usage: mail-platform group pause <file> <group> [--local DIR]

Hold back the outbound mail of one group: sets groups[].outbound.paused in the platform file
(comments and layout kept), checks the changed model like any other change, and leaves the
rollout to the next deploy. Once rolled out, Postfix keeps every message the group sends to a
foreign domain in its deferred queue (defer_transports of the group's transport): nothing is
refused or bounced while paused, but mail still waits at most maximal_queue_lifetime (5 days,
10 on a backup MX). The group's inbound mail and its mail to the platform's own mailboxes on the
same host keep flowing. A whole-queue flush (postqueue -f, sendmail -q) overrides the brake for
that one run: do not flush a host while a group is paused.

Options:
  --local DIR  Apply the change at once to the running local instance with this state directory.
  -h, --help   Show this help.

A group that is already paused is not an error: the file stays as it is.
Exit codes: 0 paused (or already), 1 invalid file, unknown group (the groups are listed) or the
local instance refused the change, 2 usage error (missing or unreadable file).
`,
  "group resume": `Usage: mail-platform group resume <file> <group> [--local DIR]

Release the brake of one group: removes groups[].outbound.paused from the platform file
(comments and layout kept) and checks the changed model. When the change is applied (by deploy,
or at once with --local), the apply script delivers the group's waiting mail immediately
(postqueue -i of each of its deferred messages), not at the next queue run; groups that stay
paused keep waiting.

Options:
  --local DIR  Apply the change at once to the running local instance with this state directory.
  -h, --help   Show this help.

A group that is not paused is not an error: the file stays as it is.
Exit codes: as group pause.
`,
  user: `Usage: mail-platform user passwd|list|remove <file> … [--region REGION]

Manage the passwords of the mailboxes declared in the model. Each mailbox's password hash is a
SecureString parameter in SSM Parameter Store at <accounts.passwordParameterPrefix>/<domain>/<local part>
(default prefix /<platform name>/mail-users); the hosts read it from there. AWS region and
credentials come from the standard chain (AWS_PROFILE, AWS_REGION, ~/.aws, SSO), as for the aws command.
See: mail-platform user passwd --help, user list --help, user remove --help
`,
  "user passwd": `Usage: mail-platform user passwd <file> <address> [--stdin] [--print] [--region REGION]

Set the password of a mailbox declared in the model (groups[].mailboxes). The password is asked
twice on the terminal without echo, or read from the first line of standard input with --stdin;
it must have 12 to 1024 characters and no control characters. It is hashed here as Dovecot's
ARGON2ID ({ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$…) and only the hash leaves this machine: it
is written as SecureString (key aws/ssm, overwriting the previous one) to the mailbox's parameter.
The password is never printed or logged.

Options:
  --stdin          Read the password from the first line of standard input (for scripts).
  --print          Do not call AWS: print the aws ssm put-parameter command that stores the hash
                   (the hash only, never the password), for pipelines that hold the AWS rights.
  --region REGION  The stack's AWS region. Default: AWS_REGION or the profile's region.
  -h, --help       Show this help.

AWS rights: ssm:PutParameter on the parameter, kms:Encrypt through SSM (granted by aws/ssm).
Exit codes: 0 stored (or printed), 1 invalid model, address not a declared mailbox, password
refused or AWS refused, 2 usage error.
`,
  "user list": `Usage: mail-platform user list <file> [--json] [--region REGION]

List the mailboxes declared in the model with their group and quota, and whether a password hash
is stored for each (without reading it: nothing is decrypted). Hashes stored under the prefix for
mailboxes no longer declared are listed after them.

Options:
  --json           Print {"prefix", "mailboxes": [{address, group, quotaMb, passwordSet}], "undeclaredParameters"}.
  --region REGION  The stack's AWS region. Default: AWS_REGION or the profile's region.
  -h, --help       Show this help.

AWS rights: ssm:GetParametersByPath on the prefix.
Exit codes: 0 listed, 1 invalid model or AWS refused, 2 usage error.
`,
  "user remove": `Usage: mail-platform user remove <file> <address> [--region REGION]

Delete the password hash of a mailbox, so that it can no longer log in once the hosts have synced
their users. The mailbox itself is what the model declares: while it is declared it still receives
mail; remove it from groups[].mailboxes to delete it. Its mail is never deleted (the Maildir stays
on the host). Works for addresses already removed from the model too (the parameter's name is
derived from the model's prefix).

Options:
  --region REGION  The stack's AWS region. Default: AWS_REGION or the profile's region.
  -h, --help       Show this help.

AWS rights: ssm:DeleteParameter on the parameter.
Exit codes: 0 deleted (or a declared mailbox had none), 1 invalid model, nothing to delete for an
undeclared address, or AWS refused, 2 usage error.
`,
  rehearse: `Usage: mail-platform rehearse <file> [--host NAME | --hosts NAME,NAME | --hosts all] [--region REGION] [--timeout SECONDS] [--keep]

Rehearse a deploy of one host (default: the first): synthesize the platform as cdktf would,
boot the host's user data from cdk.tf.json in a systemd-nspawn container built from Debian's
packages (the release of the host's os: Debian 13 or 12), and let it reach AWS (IMDSv2, EC2, SSM, S3, Route53), ACME (pebble) and Debian's
mirror through local stand-ins under their real names. Every AWS call is checked against the
synthesized instance role. Then check that every listener answers, SMTP greets with the group's
host name and the TLS ports present the issued certificates. Prints a JSON report.
With --hosts, several hosts boot at once, each in its own container with its own user data and
instance identity, sharing the stand-ins and reaching each other's private addresses as in the
VPC (a backup MX forwards to its home's channel); the report has an entry per host.
Needs root; the first run of a release builds its Debian image (about 90 s, cached in
/var/cache/mail-platform/rehearsal).

Substituted, and listed in the report: aws.acmeServer (the local pebble) and each DKIM public key
(a fresh test key pair; the SSM stand-in serves its private half under the model's parameter).

Options:
  --host NAME         The host to boot. Default: the first host.
  --hosts LIST        Boot these hosts at once (names separated by commas), or all of them.
  --region REGION     The stack's AWS region. Default: eu-central-1.
  --timeout SECONDS   Give up on the first boot after this long. Default: 1200.
  --keep              Keep the host running after the report (until Ctrl-C).
  -h, --help          Show this help.

Exit codes: 0 the host serves, 1 invalid model or the first boot or a check failed (the run's
files are kept and named), 2 usage error.
`,
  zone: `Usage: mail-platform zone <file> --out <dir>

Write <dir>/<zone>.zone for every zone in dns.zones: the same records the constructs create in
Route53 (MX, A, SRV, SPF, DMARC, DKIM, MTA-STS, TLS-RPT, TLSA, DAV). Values known only after
deploy are placeholders, each named in a comment: new Elastic IPs are documentation addresses
(192.0.2.x, RFC 5737), the name servers are placeholder.invalid (Route53 assigns them).

Options:
  -o, --out <dir>  Output directory (created if missing).
  -h, --help       Show this help.

Exit codes: 0 written, 1 invalid model or no dns section, 2 usage error.
`,
  render: `Usage: mail-platform render <file> --out <dir>

Render the configuration of every host: <dir>/<host>/etc/postfix/... and
<dir>/<host>/etc/dovecot/dovecot.conf. Nothing is written when the model is invalid.

Options:
  -o, --out <dir>  Output directory (created if missing).
  -h, --help       Show this help.

Exit codes: 0 written, 1 invalid model, 2 usage error.
`,
};
