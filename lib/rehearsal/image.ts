/**
 * The root file system the rehearsal boots: Debian from Debian's own packages (`debootstrap`),
 * with what a Debian cloud image carries (systemd, cloud-init, curl, …) and nothing of the mail
 * platform — the host installs that itself at first boot, as on EC2. Built once per recipe and
 * cached; a change of the recipe (release, package list, build steps) builds a new image.
 */
import { UserError } from "../errors";
import { execFileSync } from "child_process";
import { chrootEnvironment } from "./guest-environment";
import { createHash } from "crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from "fs";
import { join } from "path";

/** Debian releases the rehearsal can boot. */
export type DebianRelease = "bookworm" | "trixie";

/** Where Debian's packages come from (the mirror this machine's apt uses). */
export const DEBIAN_MIRROR = "http://deb.debian.org/debian";

/**
 * What a Debian cloud image (the `ec2`/`genericcloud` builds) carries that the platform's scripts
 * may rely on. Keep it to the cloud image: a package added here that the real image lacks would
 * hide a missing install step from the rehearsal.
 */
export const CLOUD_IMAGE_PACKAGES: readonly string[] = [
  "ca-certificates",
  "cloud-guest-utils",
  "cloud-init",
  "curl",
  "dbus",
  "e2fsprogs",
  "iproute2",
  "less",
  "locales",
  "netbase",
  "openssh-server",
  "procps",
  "python3",
  "sudo",
  "systemd",
  "systemd-sysv",
  "unattended-upgrades",
];

/**
 * Packages only fetched into the image's apt cache (`/var/cache/apt/archives`), not installed:
 * what hosts install at first boot. apt takes them from the cache when the mirror still serves the
 * same version, so a rehearsal does not download them every time; it installs them all the same.
 */
export const PREFETCHED_HOST_PACKAGES: readonly string[] = [
  "certbot",
  "dns-root-data",
  "dovecot-core",
  "dovecot-imapd",
  "dovecot-lmtpd",
  "dovecot-pop3d",
  "dovecot-sieve",
  "fail2ban",
  "nftables",
  "nginx-light",
  "opendkim",
  "postfix",
  "postfix-pcre",
  "python3-boto3",
  "python3-certbot-dns-route53",
  "python3-systemd",
  "redis-server",
  "rspamd",
  "unbound",
];

/** One image recipe: everything that decides the image's content. */
export interface ImageRecipe {
  readonly release: DebianRelease;
  /**
   * What the image is for: `cloud` (what a Debian cloud image carries; hosts boot from it) or
   * `tools` (a release's own programs installed, to check rendered files with them).
   */
  readonly flavour: "cloud" | "tools";
  readonly mirror: string;
  readonly packages: readonly string[];
  readonly prefetch: readonly string[];
  /** Bumped when the build steps below change. */
  readonly buildSteps: number;
}

/** The full-text search package of each release (see hostPackages). */
const FULL_TEXT_SEARCH_PACKAGE: Readonly<Record<DebianRelease, string>> = { bookworm: "dovecot-fts-xapian", trixie: "dovecot-flatcurve" };

/** The recipe of a release. */
export function imageRecipe(release: DebianRelease): ImageRecipe {
  const prefetch = [...PREFETCHED_HOST_PACKAGES, FULL_TEXT_SEARCH_PACKAGE[release]].sort();
  return { release, flavour: "cloud", mirror: DEBIAN_MIRROR, packages: CLOUD_IMAGE_PACKAGES, prefetch, buildSteps: 2 };
}

/** A release's own programs installed (never booted): to check rendered files with them. */
export function toolsRecipe(release: DebianRelease, packages: readonly string[]): ImageRecipe {
  return { release, flavour: "tools", mirror: DEBIAN_MIRROR, packages: [...packages].sort(), prefetch: [], buildSteps: 2 };
}

/** The recipe's identity: a change of any part builds a new image. */
export function recipeHash(recipe: ImageRecipe): string {
  return createHash("sha256").update(JSON.stringify(recipe)).digest("hex").slice(0, 16);
}

/** Where images are cached unless told otherwise (kept between runs). */
export const DEFAULT_IMAGE_CACHE = "/var/cache/mail-platform/rehearsal";

/** A built image. */
export interface Image {
  readonly recipe: ImageRecipe;
  /** The root file system (never booted directly: each run boots an overlay of it). */
  readonly rootfs: string;
  /** Whether this call built it (false: taken from the cache). */
  readonly built: boolean;
  /** Seconds the build took (0 from the cache). */
  readonly seconds: number;
}

function run(command: string, args: readonly string[], log: (line: string) => void): void {
  log(`image: ${command} ${args.join(" ")}`);
  execFileSync(command, args, { stdio: ["ignore", "ignore", "pipe"], env: chrootEnvironment({ DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C.UTF-8" }) });
}

/** The apt sources of a Debian cloud image of the release. */
function sourcesList(release: DebianRelease, mirror: string): string {
  const security = mirror.replace(/\/debian$/, "/debian-security");
  return [`deb ${mirror} ${release} main`, `deb ${mirror} ${release}-updates main`, `deb ${security} ${release}-security main`, ""].join("\n");
}

function build(recipe: ImageRecipe, target: string, log: (line: string) => void): void {
  // debootstrap resolves only plain dependencies; the cloud packages go in with apt afterwards.
  run("debootstrap", ["--variant=minbase", "--include=systemd,systemd-sysv,dbus", recipe.release, target, recipe.mirror], log);
  writeFileSync(join(target, "etc/apt/sources.list"), sourcesList(recipe.release, recipe.mirror));
  const chrootApt = (...args: string[]) => run("chroot", [target, "apt-get", "-q", "-y", ...args], log);
  chrootApt("update");
  if (recipe.flavour === "tools") {
    // Nothing installed here may start a daemon, and Postfix's package writes no main.cf.
    writeFileSync(join(target, "usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n", { mode: 0o755 });
    execFileSync("chroot", [target, "debconf-set-selections"], {
      input: "postfix postfix/main_mailer_type select No configuration\n",
      env: chrootEnvironment(),
    });
  }
  chrootApt("install", ...recipe.packages);
  if (recipe.prefetch.length > 0) chrootApt("install", "--download-only", ...recipe.prefetch);
  // Debian's first `postfix check` copies files into Postfix's chroot and says so; do it now (with
  // an empty main.cf: the package was told to write none).
  if (recipe.packages.includes("postfix")) run("chroot", [target, "sh", "-c", "touch /etc/postfix/main.cf && postfix check && rm /etc/postfix/main.cf"], log);
  // cloud-init applies en_US.UTF-8 unless told otherwise; Debian's locale-gen builds only what
  // /etc/locale.gen lists, so the image lists it (as an image built with that locale does).
  writeFileSync(join(target, "etc/locale.gen"), "en_US.UTF-8 UTF-8\n");
  run("chroot", [target, "locale-gen"], log);
  // An image has no machine identity: systemd creates one at first boot, as on EC2.
  writeFileSync(join(target, "etc/machine-id"), "");
  rmSync(join(target, "var/lib/dbus/machine-id"), { force: true });
  // SSH host keys are made by cloud-init at first boot of each instance.
  for (const entry of readdirSync(join(target, "etc/ssh"))) if (entry.startsWith("ssh_host_")) rmSync(join(target, "etc/ssh", entry));
}

/** Sleep without an event loop (image builds are synchronous; so is waiting for another builder). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Hold the build lock of one release and flavour in a cache directory while `work` runs: test
 * workers and the command may want the same image at once, and one of them builds it while the
 * others wait. Images of other releases or flavours build at the same time (each in its own
 * directory; a build removes only older images of its own release and flavour). A lock whose
 * owner is gone is taken over.
 */
function withBuildLock<T>(cacheDir: string, kind: string, work: () => T, timeoutMs = 20 * 60_000): T {
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, `.build-lock-${kind}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lock, "utf8").trim());
      let alive: boolean;
      try {
        process.kill(owner, 0);
        alive = owner > 0;
      } catch {
        alive = false;
      }
      if (!alive) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new UserError(
          `another process (pid ${owner}) has been building the ${kind} image for ${timeoutMs / 1000} s; one build of each release and flavour runs at a time: wait for it or stop it`,
        );
      pause(1000);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * The cached image of a recipe, built when missing. Builds go to a temporary directory and are
 * renamed into place complete, so an interrupted build is never taken for an image; one process
 * builds while others wanting an image of the same cache wait for it.
 */
export function ensureImage(recipe: ImageRecipe, cacheDir: string = DEFAULT_IMAGE_CACHE, log: (line: string) => void = () => undefined): Image {
  const name = `${recipe.release}-${recipe.flavour}-${recipeHash(recipe)}`;
  const rootfs = join(cacheDir, name, "rootfs");
  if (existsSync(join(cacheDir, name, "complete"))) return { recipe, rootfs, built: false, seconds: 0 };
  return withBuildLock(cacheDir, `${recipe.release}-${recipe.flavour}`, () => {
    if (existsSync(join(cacheDir, name, "complete"))) return { recipe, rootfs, built: false, seconds: 0 };
    return buildInto(recipe, cacheDir, name, rootfs, log);
  });
}

function buildInto(recipe: ImageRecipe, cacheDir: string, name: string, rootfs: string, log: (line: string) => void): Image {
  const started = Date.now();
  // Images of older recipes of the same release are of no further use.
  for (const entry of readdirSync(cacheDir)) {
    if (entry.startsWith(`${recipe.release}-${recipe.flavour}-`) && entry !== name) rmSync(join(cacheDir, entry), { recursive: true, force: true });
  }
  const building = join(cacheDir, `.building-${name}-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  try {
    build(recipe, join(building, "rootfs"), log);
    writeFileSync(join(building, "recipe.json"), `${JSON.stringify(recipe, null, 2)}\n`);
    writeFileSync(join(building, "complete"), `${new Date().toISOString()}\n`);
    rmSync(join(cacheDir, name), { recursive: true, force: true });
    renameSync(building, join(cacheDir, name));
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw new UserError(
      `building the ${recipe.release} ${recipe.flavour} image failed (it needs debootstrap and the Debian mirror): ${(error as { stderr?: Buffer }).stderr?.toString().trim().split("\n").slice(-5).join(" | ") ?? (error as Error).message}`,
    );
  }
  return { recipe, rootfs, built: true, seconds: (Date.now() - started) / 1000 };
}
