/**
 * Running Debian's real AWS clients against the stand-ins on loopback: each client runs in its own
 * mount namespace whose /etc/hosts points AWS's real host names at the stand-in address (as the
 * rehearsal's DNS does for the host), with a clean environment — no credentials but what IMDS
 * hands out, the test CA as its trust store, and no configuration file. Clients run
 * asynchronously: the stand-ins answer from this same process.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "child_process";
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import { connect } from "net";
import { join } from "path";

/** Program → Debian package, for the failure message when one is missing. */
const PROGRAMS: Readonly<Record<string, string>> = {
  "/usr/bin/aws": "awscli",
  "/usr/bin/pebble-challtestsrv": "pebble",
  "/usr/bin/dig": "bind9-dnsutils",
  "/usr/bin/curl": "curl",
  "/usr/bin/openssl": "openssl",
  "/usr/bin/unshare": "util-linux",
};

/** Fail (never skip) unless the clients and root are here, naming what to install. */
export function requireClients(): void {
  const missing = Object.keys(PROGRAMS).filter((p) => spawnSync("test", ["-x", p]).status !== 0);
  if (spawnSync("/usr/bin/python3", ["-c", "import certbot_dns_route53, boto3"]).status !== 0) missing.push("python3-certbot-dns-route53");
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((p) => PROGRAMS[p] ?? p))];
    throw new Error(
      `missing: ${missing.join(", ")}. Install: apt-get install -y --no-install-recommends ${packages.join(" ")} (or run .ci/install-debian-packages)`,
    );
  }
  if (process.getuid?.() !== 0)
    throw new Error("the AWS client tests need root: a private /etc/hosts per client (unshare --mount) and port 443 on a loopback address");
}

/** A CA and one server certificate for the names (wildcards allowed), made with openssl. */
export function issueCertificate(dir: string, names: readonly string[]): { caFile: string; key: string; cert: string } {
  mkdirSync(dir, { recursive: true });
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=AWS stand-ins test CA", "-keyout", "ca.key", "-out", "ca.pem"]);
  writeFileSync(join(dir, "server.cnf"), `subjectAltName = ${names.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage = serverAuth\n`);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${names[0]}`, "-keyout", "server.key", "-out", "server.csr"]);
  openssl([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "server.cnf",
    "-out",
    "server.pem",
  ]);
  return { caFile: join(dir, "ca.pem"), key: readFileSync(join(dir, "server.key"), "utf8"), cert: readFileSync(join(dir, "server.pem"), "utf8") };
}

/** What a client printed and how it exited. */
export interface ClientResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Clients that resolve AWS's names to the stand-ins. */
export class ClientSandbox {
  private readonly hostsFile: string;
  private readonly home: string;

  constructor(
    dir: string,
    address: string,
    names: readonly string[],
    private readonly env: Readonly<Record<string, string>>,
  ) {
    mkdirSync(join(dir, "home"), { recursive: true });
    this.home = join(dir, "home");
    this.hostsFile = join(dir, "hosts");
    writeFileSync(
      this.hostsFile,
      `127.0.0.1 localhost\n${names
        .filter((n) => !n.startsWith("*."))
        .map((n) => `${address} ${n}`)
        .join("\n")}\n`,
    );
  }

  /** Run a program; `extraEnv` adds to (or, with "", removes from) the client environment. */
  run(argv: readonly string[], extraEnv: Readonly<Record<string, string>> = {}, input?: string): Promise<ClientResult> {
    const env: Record<string, string> = {
      PATH: "/usr/bin:/bin:/usr/sbin:/sbin",
      HOME: this.home,
      LANG: "C.UTF-8",
      AWS_CONFIG_FILE: join(this.home, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(this.home, "no-credentials"),
      AWS_PAGER: "",
      ...this.env,
      ...extraEnv,
    };
    for (const [k, v] of Object.entries(env)) if (v === "" && k !== "AWS_PAGER") delete env[k];
    return new Promise((resolve, reject) => {
      const child = spawn("unshare", ["--mount", "--", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', this.hostsFile, ...argv], {
        env,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
      child.on("error", reject);
      child.on("close", (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
      child.stdin.end(input ?? "");
    });
  }
}

/** Wait until a TCP port accepts connections. */
export async function waitForPort(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, host, () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** pebble-challtestsrv serving DNS-01 records on `address` (DNS port 8053, management 8055). */
export async function startChallengeDns(address: string, logFile: string): Promise<{ managementUrl: string; dnsPort: number; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    "pebble-challtestsrv",
    ["-defaultIPv4", "", "-defaultIPv6", "", "-dns01", `${address}:8053`, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", `${address}:8055`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  try {
    await waitForPort(address, 8055);
  } catch (error) {
    child.kill();
    throw new Error(`pebble-challtestsrv did not start: ${(error as Error).message}\n${output}`);
  }
  return {
    managementUrl: `http://${address}:8055`,
    dnsPort: 8053,
    stop: async () => {
      writeFileSync(logFile, output);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
