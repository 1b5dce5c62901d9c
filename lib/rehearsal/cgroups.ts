/**
 * A cgroup of its own for each container. `systemd-nspawn --keep-unit` (needed where PID 1 is not
 * systemd) puts the container into `<its own cgroup>/payload`; two containers started from the same
 * cgroup would share that payload, and each container's systemd would count the other's
 * processes as its own units' (stopping a unit would wait for processes it can neither see nor
 * kill). So each container's nspawn starts in a fresh cgroup below this process's, in every
 * hierarchy systemd uses: the unified one (cgroup2) and, on a hybrid or legacy machine, the
 * `name=systemd` one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "fs";
import { join } from "path";

/** The mount points of the hierarchies systemd uses, with this process's cgroup path in each. */
function systemdHierarchies(): { mount: string; path: string }[] {
  const own = readFileSync("/proc/self/cgroup", "utf8").trim().split("\n");
  const unifiedPath = own.find((l) => l.startsWith("0::"))?.slice(3);
  const namedPath = own.find((l) => /^\d+:name=systemd:/.test(l))?.replace(/^\d+:name=systemd:/, "");
  const found: { mount: string; path: string }[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    // mountinfo: id parent major:minor root mountpoint options … - fstype source super-options
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [root, mount] = [fields[3]!, fields[4]!];
    const [fstype, , superOptions = ""] = right.split(" ");
    const path = fstype === "cgroup2" ? unifiedPath : fstype === "cgroup" && superOptions.split(",").includes("name=systemd") ? namedPath : undefined;
    // A mount may show a subtree only (its root): our cgroup must be inside it.
    if (path === undefined || !(path === root || path.startsWith(root === "/" ? "/" : `${root}/`))) continue;
    const relative = root === "/" ? path : path.slice(root.length);
    if (!found.some((f) => f.mount === mount)) found.push({ mount, path: relative });
  }
  return found;
}

/**
 * Create a cgroup named `name` below this process's cgroup in each systemd hierarchy; returns
 * their directories (a process joins them by writing its pid to each one's `cgroup.procs`).
 */
export function containerCgroups(name: string): string[] {
  return systemdHierarchies().map(({ mount, path }) => {
    const dir = join(mount, path, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  });
}

/** Remove cgroups once their processes are gone (children first; one still in use stays). */
export function removeCgroups(dirs: readonly string[]): void {
  const remove = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) remove(join(dir, entry.name));
    try {
      rmdirSync(dir);
    } catch {
      // still populated (a process outlived the container): left for the kernel to keep
    }
  };
  for (const dir of dirs) remove(dir);
}
