/**
 * The real programs of each host OS: this machine's own when it runs that release, otherwise the
 * release's programs in a root file system built from Debian's packages (cached like the
 * rehearsal's images) and run with chroot in a private mount namespace that shows this machine's
 * /tmp (where tests render) at the same path. So every check of rendered files runs with the
 * Postfix, Dovecot, OpenSSL, opendkim, nginx, unbound, rspamd, redis and BIND of the OS the files are
 * rendered for.
 */
import { spawnSync } from "child_process";
import { HOST_OS_FACTS, type HostOs } from "../../lib/catalogue/host-os";
import { machineOs } from "../../lib/local/machine-os";
import { ensureImage, toolsRecipe } from "../../lib/rehearsal/image";
import { run as runHere, type RunResult } from "./programs";

/** What the checks run, per OS. */
export const TOOL_PACKAGES: readonly string[] = [
  "bind9-utils",
  "cloud-init",
  "dns-root-data",
  "dovecot-core",
  "dovecot-flatcurve",
  "dovecot-imapd",
  "dovecot-lmtpd",
  "dovecot-managesieved",
  "dovecot-pop3d",
  "dovecot-sieve",
  "fail2ban",
  "nginx-light",
  "opendkim",
  "openssl",
  "postfix",
  "postfix-pcre",
  "postsrsd",
  "redis-server",
  "rspamd",
  "unbound",
];

const roots = new Map<HostOs, string>();

/** The root file system with the OS's programs (built on first use, then cached). */
export function toolsRoot(os: HostOs): string {
  if (!roots.has(os)) {
    const release = HOST_OS_FACTS[os].codename;
    const packages = release === "bookworm" ? TOOL_PACKAGES.map((p) => (p === "dovecot-flatcurve" ? "dovecot-fts-xapian" : p)) : TOOL_PACKAGES;
    roots.set(os, ensureImage(toolsRecipe(release, packages)).rootfs);
  }
  return roots.get(os)!;
}

/** Runs programs of one OS. */
export interface OsPrograms {
  readonly os: HostOs;
  /** Whether these are this machine's own programs. */
  readonly native: boolean;
  run(program: string, args: readonly string[], options?: { input?: string; timeoutMs?: number }): RunResult;
  /** The command line that runs a program of the OS (for a daemon the caller starts and stops itself). */
  command(program: string, args: readonly string[]): { readonly file: string; readonly args: readonly string[]; readonly env: NodeJS.ProcessEnv };
}

/** The programs of an OS. */
export function programsOf(os: HostOs): OsPrograms {
  if (machineOs() === os) {
    return {
      os,
      native: true,
      run: (program, args, options) => runHere(program, [...args], options?.input),
      command: (file, args) => ({ file, args, env: process.env }),
    };
  }
  return programsIn(os, () => toolsRoot(os));
}

/**
 * The programs of an OS in a root file system of its packages (the root is asked for on first use):
 * run with chroot in a private mount namespace that shows this machine's /tmp at the same path.
 */
export function programsIn(os: HostOs, rootOf: () => string): OsPrograms {
  const command = (program: string, args: readonly string[]) => {
    const root = rootOf();
    const script =
      'root=$1; shift; mount --rbind /tmp "$root/tmp" && mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" && exec chroot "$root" "$@"';
    return {
      file: "unshare",
      args: ["--mount", "--propagation", "private", "--fork", "--", "sh", "-c", script, "sh", root, program, ...args],
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" },
    };
  };
  return {
    os,
    native: false,
    command,
    run(program, args, options = {}) {
      const { file, args: argv, env } = command(program, args);
      const result = spawnSync(file, argv, { encoding: "utf8", input: options.input, timeout: options.timeoutMs ?? 60_000, env });
      return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
    },
  };
}

/** Every host OS, each with its programs. */
export function everyOs(): OsPrograms[] {
  return (["debian-13", "debian-12"] as const).map(programsOf);
}
