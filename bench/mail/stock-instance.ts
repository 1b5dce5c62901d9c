/**
 * The baseline of the mail benchmark: this machine's Postfix and Dovecot as Debian packages them,
 * plus only what is needed to deliver to the same mailbox type (Maildir over LMTP) and to accept
 * authenticated submission on 587/465 — Debian's own commented-out submission services, enabled.
 * It runs beside the platform instance on its own loopback address and state directory. No
 * postscreen, no DNSBL, no DKIM, no restrictions beyond Postfix's defaults.
 */
import { execFileSync, spawnSync } from "child_process";
import { chownSync, existsSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { accepts, account, hasLoopbackAddress, ownedDirectory, removeLoopbackAddress } from "../../lib/local/system";
import { issueTestCertificates } from "../../lib/local/test-ca";

/** Where the stock instance lives and what it serves. */
export interface StockInstance {
  readonly stateDir: string;
  readonly address: string;
  readonly hostName: string;
  readonly caFile: string;
  /** Mailbox directory of a user (`…/Maildir/new` holds delivered messages). */
  maildir(user: string): string;
  stop(): void;
}

function run(program: string, args: string[], env?: NodeJS.ProcessEnv): void {
  const result = spawnSync(program, args, { encoding: "utf8", env: env ? { ...process.env, ...env } : process.env, timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${program} ${args.join(" ")} failed (exit ${result.status}): ${result.stderr}`);
}

async function waitListening(address: string, ports: readonly number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await accepts(address, port))) {
      if (Date.now() > deadline) throw new Error(`stock instance: nothing listens on ${address}:${port}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Debian's packaged master.cf with its commented submission (587) and submissions (465) services enabled. */
function stockMasterCf(): string {
  const packaged = readFileSync("/usr/share/postfix/master.cf.dist", "utf8");
  return `${packaged}
# Debian's commented examples, enabled (the only additions to the packaged master.cf).
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_reject_unlisted_recipient=no
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
submissions inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_reject_unlisted_recipient=no
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
`;
}

/**
 * Start the stock instance.
 * @param dnsServer - resolver for the chrooted daemons (the platform instance's, so neither side
 *   waits on a resolver this machine cannot reach)
 */
export async function startStockInstance(options: {
  stateDir: string;
  address: string;
  domain: string;
  user: { name: string; password: string };
  dnsServer: string;
}): Promise<StockInstance> {
  const { stateDir, address, domain } = options;
  const hostName = `mail.${domain}`;
  const postfixConfig = join(stateDir, "postfix");
  const spool = join(stateDir, "spool");
  const data = join(stateDir, "data");
  const mail = join(stateDir, "mail");
  const logs = join(stateDir, "log");
  const dovecotBase = join(stateDir, "run", "dovecot");
  const dovecotState = join(stateDir, "lib", "dovecot");
  const dovecotConf = join(stateDir, "dovecot", "dovecot.conf");
  const users = join(stateDir, "dovecot", "users");
  stopStock(postfixConfig, dovecotBase);
  rmSync(stateDir, { recursive: true, force: true });
  for (const dir of [stateDir, postfixConfig, spool, logs, join(stateDir, "dovecot"), dovecotBase, dovecotState]) ownedDirectory(dir, 0o755);
  ownedDirectory(data, 0o700, "postfix");
  ownedDirectory(mail, 0o770, "nobody", "nogroup");
  const caFile = issueTestCertificates(join(stateDir, "certs"), [hostName]);
  const cert = join(stateDir, "certs", hostName);

  writeFileSync(
    join(postfixConfig, "main.cf"),
    [
      "# Debian's packaged main.cf defaults (/usr/share/postfix/main.cf.debian) …",
      readFileSync("/usr/share/postfix/main.cf.debian", "utf8").trim(),
      "# … and what this instance needs to exist beside another one and deliver over LMTP.",
      `queue_directory = ${spool}`,
      `data_directory = ${data}`,
      `maillog_file = ${join(logs, "postfix.log")}`,
      `maillog_file_prefixes = ${logs}`,
      `inet_interfaces = ${address}`,
      "inet_protocols = ipv4",
      `myhostname = ${hostName}`,
      "mydestination =",
      `virtual_mailbox_domains = ${domain}`,
      "virtual_transport = lmtp:unix:private/dovecot-lmtp",
      "smtpd_authorized_xclient_hosts = 127.0.0.0/8",
      `smtpd_tls_cert_file = ${join(cert, "fullchain.pem")}`,
      `smtpd_tls_key_file = ${join(cert, "privkey.pem")}`,
      "smtpd_tls_security_level = may",
      "smtpd_sasl_type = dovecot",
      "smtpd_sasl_path = private/auth",
      "",
    ].join("\n"),
  );
  writeFileSync(join(postfixConfig, "master.cf"), stockMasterCf());

  const hash = execFileSync("openssl", ["passwd", "-6", "-stdin"], { input: `${options.user.password}\n`, encoding: "utf8" }).trim();
  writeFileSync(users, `${options.user.name}:{SHA512-CRYPT}${hash}\n`, { mode: 0o640 });
  chownSync(users, 0, account("dovecot").gid);
  writeFileSync(
    dovecotConf,
    `# Dovecot's built-in defaults, plus what delivery over LMTP and SASL for Postfix need.
protocols = lmtp
base_dir = ${dovecotBase}
state_dir = ${dovecotState}
log_path = ${join(logs, "dovecot.log")}
ssl = no
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = ${users}
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${mail}/%d/%n
}
service lmtp {
  unix_listener ${spool}/private/dovecot-lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener ${spool}/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
`,
  );

  // Postfix binds inet_interfaces only to addresses an interface carries.
  if (!hasLoopbackAddress(address)) run("ip", ["addr", "add", `${address}/32`, "dev", "lo"]);
  run("/usr/lib/postfix/configure-instance.sh", ["-"], { MAIL_CONFIG: postfixConfig });
  writeFileSync(join(spool, "etc", "resolv.conf"), `nameserver ${options.dnsServer}\n`);
  run("postfix", ["-c", postfixConfig, "check"]);
  run("postfix", ["-c", postfixConfig, "start"]);
  // Postfix creates private/ on start; Dovecot's listeners go into it.
  run("dovecot", ["-c", dovecotConf]);
  await waitListening(address, [25, 587, 465]);

  return {
    stateDir,
    address,
    hostName,
    caFile,
    maildir: (user) => {
      const [local, userDomain] = user.split("@");
      return join(mail, userDomain!, local!, "Maildir");
    },
    stop: () => {
      stopStock(postfixConfig, dovecotBase);
      removeLoopbackAddress(address);
    },
  };
}

function stopStock(postfixConfig: string, dovecotBase: string): void {
  if (existsSync(join(postfixConfig, "main.cf"))) spawnSync("postfix", ["-c", postfixConfig, "stop"], { stdio: "ignore" });
  const dovecotPid = join(dovecotBase, "master.pid");
  if (existsSync(dovecotPid)) {
    try {
      process.kill(Number(readFileSync(dovecotPid, "utf8").trim()), "SIGTERM");
    } catch {
      // already gone
    }
  }
}
