/**
 * The real programs the integration tests run. A missing program is a test failure (never
 * a skip), with the Debian packages to install in the message.
 */
import { spawnSync } from "child_process";

/** Program → Debian package. */
const PACKAGES: Readonly<Record<string, string>> = {
  postconf: "postfix",
  postfix: "postfix",
  postmap: "postfix",
  doveconf: "dovecot-core",
  openssl: "openssl",
  "cloud-init": "cloud-init",
  named: "bind9",
  "named-checkzone": "bind9-utils",
  swaks: "swaks",
  nmap: "nmap",
  testssl: "testssl.sh",
  opendkim: "opendkim",
  nginx: "nginx-light",
  "fail2ban-client": "fail2ban",
  "fail2ban-regex": "fail2ban",
  nft: "nftables",
  unbound: "unbound",
  rspamd: "rspamd",
  rspamadm: "rspamd",
  "redis-server": "redis-server",
  "unbound-checkconf": "unbound",
  "dnssec-signzone": "bind9-utils",
  dig: "bind9-dnsutils",
  "/usr/bin/python3": "python3-dkim",
};

/** Fail with a clear message unless every program is on PATH. */
export function requirePrograms(...programs: string[]): void {
  const missing = programs.filter((p) => spawnSync("sh", ["-c", `command -v ${p}`]).status !== 0);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((p) => PACKAGES[p] ?? p))];
  throw new Error(
    `missing program(s): ${missing.join(", ")}. Install the Debian packages: ` +
      `apt-get install -y --no-install-recommends ${packages.join(" ")} (or run .ci/install-debian-packages)`,
  );
}

/** Result of running a program. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a program synchronously and capture its output. */
export function run(program: string, args: readonly string[], input?: string): RunResult {
  const result = spawnSync(program, args, { encoding: "utf8", input, timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
