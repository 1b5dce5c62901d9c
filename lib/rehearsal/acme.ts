/**
 * The ACME server of the rehearsal: Debian's `pebble` (Let's Encrypt's test server) with
 * `pebble-challtestsrv` as the DNS server it validates DNS-01 challenges with. The Route53
 * stand-in writes the challenge records into challtestsrv, as Route53 would publish them; pebble
 * checks them there, as Let's Encrypt checks the real DNS. Can be stopped and started again, to
 * rehearse a first boot while the ACME server is unreachable.
 */
import { spawn, type ChildProcess } from "child_process";
import { closeSync, mkdirSync, openSync, writeFileSync } from "fs";
import { get } from "https";
import { connect } from "net";
import { join } from "path";

/** Ports of the ACME stand-ins. */
export const ACME_PORTS = { directory: 14000, management: 15000, challengeDns: 8053, challengeManagement: 8055 } as const;

/** Where and how the ACME stand-ins run. */
export interface AcmeOptions {
  /** Address pebble listens on. */
  readonly address: string;
  /** Address pebble-challtestsrv listens on. */
  readonly challengeAddress: string;
  /** The name under which the host reaches pebble (its certificate's name). */
  readonly hostName: string;
  /** pebble's TLS key and certificate (PEM), for `hostName`. */
  readonly tls: { readonly key: string; readonly cert: string };
  /** Directory for configuration and logs. */
  readonly dir: string;
}

/** pebble and pebble-challtestsrv. */
export class AcmeServer {
  private pebble?: ChildProcess;
  private challenges?: ChildProcess;

  constructor(private readonly options: AcmeOptions) {}

  /** The ACME directory URL the model's `aws.acmeServer` names. */
  get directoryUrl(): string {
    return `https://${this.options.hostName}:${ACME_PORTS.directory}/dir`;
  }

  /** challtestsrv's management API, where the Route53 stand-in publishes TXT records. */
  get challengeManagementUrl(): string {
    return `http://${this.options.challengeAddress}:${ACME_PORTS.challengeManagement}`;
  }

  /** Start challtestsrv (kept running) and pebble. */
  async start(): Promise<void> {
    const { dir, challengeAddress } = this.options;
    mkdirSync(dir, { recursive: true });
    if (!this.challenges) {
      this.challenges = launch(
        "pebble-challtestsrv",
        [
          "-defaultIPv4",
          "",
          "-defaultIPv6",
          "",
          "-dns01",
          `${challengeAddress}:${ACME_PORTS.challengeDns}`,
          "-http01",
          "",
          "-https01",
          "",
          "-tlsalpn01",
          "",
          "-management",
          `${challengeAddress}:${ACME_PORTS.challengeManagement}`,
        ],
        join(dir, "challtestsrv.log"),
        {},
      );
      await waitForPort(challengeAddress, ACME_PORTS.challengeManagement);
    }
    await this.startPebble();
  }

  /** Start pebble alone (after `stopPebble`). */
  async startPebble(): Promise<void> {
    if (this.pebble) return;
    const { dir, address, challengeAddress, tls } = this.options;
    writeFileSync(join(dir, "pebble.key"), tls.key, { mode: 0o600 });
    writeFileSync(join(dir, "pebble.pem"), tls.cert);
    writeFileSync(
      join(dir, "pebble.json"),
      JSON.stringify({
        pebble: {
          listenAddress: `${address}:${ACME_PORTS.directory}`,
          managementListenAddress: `${address}:${ACME_PORTS.management}`,
          certificate: join(dir, "pebble.pem"),
          privateKey: join(dir, "pebble.key"),
          httpPort: 5002,
          tlsPort: 5001,
          ocspResponderURL: "",
          externalAccountBindingRequired: false,
        },
      }),
    );
    // No random sleeps before validation and no deliberately rejected nonces: the rehearsal tests
    // the host's path to a certificate, not certbot's retry logic.
    this.pebble = launch(
      "pebble",
      ["-config", join(dir, "pebble.json"), "-dnsserver", `${challengeAddress}:${ACME_PORTS.challengeDns}`],
      join(dir, "pebble.log"),
      {
        PEBBLE_VA_NOSLEEP: "1",
        PEBBLE_WFE_NONCEREJECT: "0",
      },
    );
    await waitForPort(address, ACME_PORTS.directory);
  }

  /** Stop pebble (the ACME server becomes unreachable); challtestsrv keeps running. */
  async stopPebble(): Promise<void> {
    await stopProcess(this.pebble);
    this.pebble = undefined;
  }

  /** The root certificate pebble issues under (PEM), to verify what the host serves. */
  async issuingRoot(caPem: string): Promise<string> {
    return new Promise((resolve, reject) => {
      get({ host: this.options.address, port: ACME_PORTS.management, path: "/roots/0", servername: this.options.hostName, ca: caPem }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`pebble /roots/0: ${response.statusCode}`))));
      }).on("error", reject);
    });
  }

  /** Stop both. */
  async stop(): Promise<void> {
    await this.stopPebble();
    await stopProcess(this.challenges);
    this.challenges = undefined;
  }
}

function launch(command: string, args: readonly string[], logFile: string, env: Record<string, string>): ChildProcess {
  const log = openSync(logFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", log, log], env: { ...process.env, ...env } });
  closeSync(log);
  return child;
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Wait until a TCP port accepts connections. */
export async function waitForPort(host: string, port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
