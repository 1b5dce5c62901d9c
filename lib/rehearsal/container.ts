/**
 * One mail host as a system container: an overlay of the cached image (the image stays pristine),
 * cloud-init seeded through NoCloud with exactly the user data Terraform would send, booted by
 * `systemd-nspawn --boot` in the host's network namespace. On a machine whose PID 1 is not
 * systemd, nspawn runs with `--register=no --keep-unit`, in the cgroup it was started in: each
 * container therefore starts nspawn in a cgroup of its own (see containerCgroups), or two
 * containers would share one `payload` cgroup and each one's systemd would see the other's
 * processes in its units (a `systemctl stop postfix` waiting out its timeout for the other
 * host's Postfix).
 */
import { UserError } from "../errors";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import { containerCgroups, removeCgroups } from "./cgroups";
import { chrootEnvironment } from "./guest-environment";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import type { ContainerLink } from "./network";

/** What a container boots with. */
/** Where a container's root file system keeps what it writes: a tmpfs, or a directory on disk. */
export type WritableLayer = "memory" | "disk";

/**
 * The size limit of a memory layer: the packages a host's first boot installs take about 300 MB
 * (287 MB measured for Debian 12), logs and certificates little more; the limit keeps a runaway writer from taking the machine's memory.
 */
const MEMORY_LAYER_SIZE = "3g";

export interface ContainerOptions {
  /** The image's root file system (read-only lower layer). */
  readonly imageRootfs: string;
  /** Where the overlay's upper layer lives. */
  readonly writableLayer: WritableLayer;
  /** A directory of this run (overlay layers, console log, volumes). */
  readonly runDir: string;
  /** The network namespace and addresses. */
  readonly link: ContainerLink;
  /** The machine name (EC2-style, e.g. `ip-10-0-1-11`). */
  readonly hostName: string;
  /** The instance id cloud-init sees (the world's instance id). */
  readonly instanceId: string;
  /** User data exactly as EC2 hands it to the instance (base64-decoded, still gzip-compressed). */
  readonly userData: Buffer;
  /** The resolver the host uses (EC2's link-local resolver). */
  readonly resolver: string;
  /** CA certificates (PEM) the host trusts besides Debian's: the stand-ins' test CA. */
  readonly trustedCa: string;
  /**
   * The ACME server's issuing root (PEM), trusted as Debian's bundle trusts Let's Encrypt's roots
   * (a host verifying another host's certificate needs it). @default not trusted
   */
  readonly acmeRoot?: string;
  /**
   * The DNS root's trust anchor the host's unbound uses (the stand-in root's key, see
   * world-root), written where unbound keeps its anchor.
   */
  readonly rootTrustAnchor?: string;
}

/** The result of a command run inside the container. */
export interface ExecResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A booted host. */
export class HostContainer {
  private nspawn?: ChildProcess;
  private exited?: Promise<void>;
  private leaderPid?: number;
  private readonly loops: string[] = [];
  private cgroups: string[] = [];
  /** The merged root file system as this machine sees it (before any mount inside the container). */
  readonly root: string;
  /** systemd's console output. */
  readonly consoleLog: string;
  /** The file behind the attached data volume (once attached). */
  volumeFile?: string;

  constructor(private readonly options: ContainerOptions) {
    this.root = join(options.runDir, "root");
    this.consoleLog = join(options.runDir, "console.log");
  }

  /** The overlay's upper and work directories (a tmpfs mounted here for a memory layer). */
  private get layersDir(): string {
    return join(this.options.runDir, "layers");
  }

  /** Mount the overlay, write the cloud-init seed and the stand-ins' trust, and boot. */
  async boot(): Promise<void> {
    const { imageRootfs } = this.options;
    const layers = this.layersDir;
    mkdirSync(layers, { recursive: true });
    mkdirSync(this.root, { recursive: true });
    if (this.options.writableLayer === "memory") run("mount", ["-t", "tmpfs", "-o", `size=${MEMORY_LAYER_SIZE},mode=0755`, "mail-platform-rehearsal", layers]);
    for (const dir of ["upper", "work"]) mkdirSync(join(layers, dir), { recursive: true });
    run("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${imageRootfs},upperdir=${join(layers, "upper")},workdir=${join(layers, "work")}`, this.root]);
    this.seed();
    const log = openSync(this.consoleLog, "a");
    this.cgroups = containerCgroups(`mail-platform-rehearsal-${this.options.hostName}-${randomBytes(3).toString("hex")}`);
    // The shell joins the container's own cgroups, then becomes nspawn (same process).
    this.nspawn = spawn(
      "/bin/sh",
      [
        "-c",
        'for dir in $MAIL_PLATFORM_REHEARSAL_CGROUPS; do echo $$ > "$dir/cgroup.procs" || exit 97; done; exec systemd-nspawn "$@"',
        "systemd-nspawn",
        "--quiet",
        `--directory=${this.root}`,
        "--boot",
        "--register=no",
        "--keep-unit",
        `--network-namespace-path=${this.options.link.namespacePath}`,
        "--resolv-conf=off",
        "--timezone=off",
        "--link-journal=no",
        "--console=read-only",
        // Root on an instance manages its interfaces (the setup adds the secondary addresses).
        "--capability=CAP_NET_ADMIN",
        `--machine=${this.options.hostName}`,
      ],
      { stdio: ["ignore", log, log], env: { ...process.env, MAIL_PLATFORM_REHEARSAL_CGROUPS: this.cgroups.join(" ") } },
    );
    closeSync(log);
    this.exited = new Promise((resolve) => this.nspawn!.once("exit", () => resolve()));
    this.leaderPid = await this.waitForLeader();
  }

  /** The container's PID 1 (systemd) as this machine numbers it. */
  get leader(): number {
    if (this.leaderPid === undefined) throw new Error("the container is not booted");
    return this.leaderPid;
  }

  private seed(): void {
    const { options } = this;
    const seed = join(this.root, "var/lib/cloud/seed/nocloud");
    mkdirSync(seed, { recursive: true });
    // EC2 hands cloud-init the user data bytes as given (here gzip); cloud-init decompresses them.
    writeFileSync(join(seed, "user-data"), options.userData);
    writeFileSync(join(seed, "meta-data"), `instance-id: ${options.instanceId}\nlocal-hostname: ${options.hostName}\n`);
    // EC2's network comes from its DHCP and metadata; here the rehearsal configured eth0 already.
    writeFileSync(join(seed, "network-config"), "network:\n  config: disabled\n");
    writeFileSync(
      join(this.root, "etc/cloud/cloud.cfg.d/99-mail-platform-rehearsal.cfg"),
      "# mail-platform rehearsal: the NoCloud seed stands in for EC2's instance metadata.\ndatasource_list: [NoCloud, None]\n",
    );
    writeFileSync(join(this.root, "etc/resolv.conf"), `nameserver ${options.resolver}\n`);
    writeFileSync(join(this.root, "etc/hostname"), `${options.hostName}\n`);
    // The stand-ins answer under AWS's real names with certificates of a throwaway CA.
    writeFileSync(join(this.root, "usr/local/share/ca-certificates/mail-platform-rehearsal-ca.crt"), options.trustedCa);
    if (options.acmeRoot !== undefined)
      writeFileSync(join(this.root, "usr/local/share/ca-certificates/mail-platform-rehearsal-acme-root.crt"), options.acmeRoot);
    run("chroot", [this.root, "update-ca-certificates", "--fresh"]);
    if (options.rootTrustAnchor !== undefined) {
      // Dated far ahead: unbound's unit replaces the anchor with dns-root-data's only when that is newer.
      const anchor = join(this.root, "var/lib/unbound/root.key");
      mkdirSync(dirname(anchor), { recursive: true });
      writeFileSync(anchor, options.rootTrustAnchor);
      const later = new Date("2100-01-01T00:00:00Z");
      utimesSync(anchor, later, later);
    }
  }

  private async waitForLeader(): Promise<number> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.nspawn?.exitCode !== null)
        throw new UserError(`systemd-nspawn exited (${this.nspawn?.exitCode}); a rehearsal needs systemd-nspawn and root: ${tail(this.consoleLog, 10)}`);
      for (const pid of childrenOf(this.nspawn!.pid!)) {
        if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "systemd") return pid;
      }
      await sleep(100);
    }
    throw new UserError(`the container's systemd did not start within 30 s (a slow or overloaded machine?): ${tail(this.consoleLog, 10)}`);
  }

  /**
   * Run a command inside the container (all its namespaces), as root. Asynchronous on purpose:
   * the stand-ins the command may reach run in this process and must keep answering.
   */
  exec(argv: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return new Promise((resolve) => {
      const input = options.input;
      const child = spawn("nsenter", ["--target", String(this.leader), "--mount", "--uts", "--ipc", "--net", "--pid", "--", ...argv], {
        env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" },
        // No input: no pipe to write to, so a command that exits at once cannot make us write into
        // a closed pipe (EPIPE).
        stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
      child.once("error", (error) => (stderr += `${error.message}\n`));
      child.once("close", (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
      if (child.stdin) {
        // A command that exits without reading its input closes the pipe: its status and output
        // tell what happened, the broken pipe adds nothing.
        child.stdin.on("error", (error: NodeJS.ErrnoException) => {
          if (error.code !== "EPIPE") stderr += `${error.message}\n`;
        });
        child.stdin.end(input);
      }
    });
  }

  /**
   * Run a shell command as a transient systemd service of the container, the way the SSM agent
   * runs a Run Command document: root, a clean environment, its output returned.
   */
  runAsService(command: string, timeoutMs = 600_000): Promise<ExecResult> {
    return this.exec(["systemd-run", "--wait", "--pipe", "--collect", "--quiet", "--service-type=exec", "/bin/sh", "-c", command], { timeoutMs });
  }

  /** A file inside the container (through its mount namespace), or undefined when missing. */
  readFile(path: string): string | undefined {
    const file = join(`/proc/${this.leader}/root`, path);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  }

  /** A directory listing inside the container (empty when missing). */
  listDirectory(path: string): string[] {
    const dir = join(`/proc/${this.leader}/root`, path);
    return existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).sort() : [];
  }

  /**
   * Attach a block device backed by a sparse file, where EC2 presents an EBS volume on a Nitro
   * instance: `/dev/nvme1n1` with udev's `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_<vol id
   * without dash>` link. Containers run no udev, so the node and link are made here, as udev would.
   */
  attachVolume(volumeId: string, sizeMiB: number, existing?: string): string {
    // An existing image is a volume that outlived its instance (a replaced host keeps its data).
    const file = existing ?? join(this.options.runDir, `${volumeId}.img`);
    if (!existing) run("truncate", ["-s", `${sizeMiB}M`, file]);
    this.volumeFile = file;
    const loop = spawnSync("losetup", ["--find", "--show", file], { encoding: "utf8" });
    if (loop.status !== 0) throw new UserError(`losetup failed (a rehearsal needs a free loop device and root): ${loop.stderr.trim()}`);
    const device = loop.stdout.trim();
    this.loops.push(device);
    const rdev = statSync(device).rdev;
    const major = Math.floor(rdev / 256) & 0xfff;
    const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
    // The node keeps the loop device's name: libblkid finds UUID= mounts through /proc/partitions.
    const name = device.replace("/dev/", "");
    const id = `nvme-Amazon_Elastic_Block_Store_${volumeId.replace("-", "")}`;
    const result = spawnSync(
      "nsenter",
      [
        "--target",
        String(this.leader),
        "--mount",
        "--uts",
        "--ipc",
        "--net",
        "--pid",
        "--",
        "sh",
        "-c",
        `mknod /dev/${name} b ${major} ${minor} && mkdir -p /dev/disk/by-id && ln -sf ../../${name} /dev/disk/by-id/${id}`,
      ],
      { encoding: "utf8" },
    );
    if (result.status !== 0) throw new Error(`presenting ${device} in the container failed: ${result.stderr.trim()}`);
    return `/dev/disk/by-id/${id}`;
  }

  /** Power the container off (systemd's orderly shutdown), then tear down its overlay and devices. */
  async stop(): Promise<void> {
    if (this.nspawn && this.nspawn.exitCode === null) {
      if (this.leaderPid !== undefined) spawnSync("kill", ["-s", "SIGRTMIN+3", String(this.leaderPid)]);
      // The timer goes once the container is down: a pending one would keep a test runner alive.
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([
        this.exited!.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 45_000))),
      ]);
      clearTimeout(timer);
      if (!stopped) {
        this.nspawn.kill("SIGKILL");
        await this.exited;
      }
    }
    for (const loop of this.loops.splice(0)) spawnSync("losetup", ["--detach", loop]);
    if (existsSync(this.root)) spawnSync("umount", [this.root]);
    if (this.options.writableLayer === "memory" && existsSync(this.layersDir)) spawnSync("umount", [this.layersDir]);
    removeCgroups(this.cgroups.splice(0));
  }

  /** Remove the run's files (after stop). */
  remove(): void {
    rmSync(this.options.runDir, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: "utf8", env: chrootEnvironment() });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${(result.stderr || result.stdout).trim()}`);
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** The last lines of a text file ("" when missing). */
export function tail(file: string, lines: number): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
