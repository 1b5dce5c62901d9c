/**
 * The setup's renumbering of the data volume's owners, run by bash on real files: a volume whose
 * record names other numbers for this host's accounts (as after a move from Debian 12 to 13) has
 * each file moved to the account's number here, swapped numbers included; files of accounts this
 * host lacks, and of numbers the record does not name, stay as they are; the record then names
 * this host's numbers. Needs root (chown).
 */
import { spawnSync } from "child_process";
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { renumberVolumeOwnersFunction, VOLUME_OWNER_GROUPS, VOLUME_OWNER_USERS } from "../../lib/rollout/bootstrap/volume-owners";

const asRoot = process.getuid?.() === 0;
const run = (script: string) => spawnSync("bash", ["-euo", "pipefail", "-c", `${renumberVolumeOwnersFunction()}\n${script}`], { encoding: "utf8" });
const numberOf = (kind: "user" | "group", name: string) =>
  Number(spawnSync("sh", ["-c", kind === "user" ? `id -u ${name}` : `getent group ${name} | cut -d: -f3`], { encoding: "utf8" }).stdout.trim());
const owner = (path: string) => {
  const s = lstatSync(path);
  return [s.uid, s.gid];
};

(asRoot ? describe : describe.skip)("renumber_volume_owners", () => {
  let root: string;
  const daemon = numberOf("user", "daemon");
  const bin = numberOf("user", "bin");
  const daemonGroup = numberOf("group", "daemon");
  const binGroup = numberOf("group", "bin");

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "mail-platform-volume-owners-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test("moves files to this host's numbers by name, swapped numbers kept apart; others stay; the record is rewritten", () => {
    // The previous host numbered daemon and bin the other way round, and had an account this one lacks.
    writeFileSync(
      join(root, "owners"),
      [`user daemon ${bin}`, `user bin ${daemon}`, `group daemon ${binGroup}`, `group bin ${daemonGroup}`, "user gone-account 4711", ""].join("\n"),
    );
    mkdirSync(join(root, "queue", "deferred"), { recursive: true });
    const files: Record<string, [number, number]> = {
      "queue/deferred/was-daemon": [bin, binGroup],
      "queue/was-bin": [daemon, daemonGroup],
      "queue/deferred": [bin, daemonGroup],
      "queue/gone": [4711, 4711],
      "queue/unnamed": [4242, 4242],
    };
    for (const [path, [uid, gid]] of Object.entries(files)) {
      if (!path.endsWith("deferred")) writeFileSync(join(root, path), "x");
      chownSync(join(root, path), uid, gid);
    }
    symlinkSync("/etc/passwd", join(root, "queue", "link"));

    const result = run(`renumber_volume_owners ${root}/owners ${root}`);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });

    expect(owner(join(root, "queue/deferred/was-daemon"))).toEqual([daemon, daemonGroup]);
    expect(owner(join(root, "queue/was-bin"))).toEqual([bin, binGroup]);
    expect(owner(join(root, "queue/deferred"))).toEqual([daemon, binGroup]);
    expect(owner(join(root, "queue/gone"))).toEqual([4711, 4711]);
    expect(owner(join(root, "queue/unnamed"))).toEqual([4242, 4242]);
    // The link's target is outside the volume and is not touched.
    expect(owner("/etc/passwd")).toEqual([0, 0]);
    expect(result.stdout).toContain(`data volume: user number ${bin} is ${daemon} on this host; renumbering its files`);

    const expected = [
      ...VOLUME_OWNER_USERS.filter((n) => spawnSync("id", ["-u", n]).status === 0).map((n) => `user ${n} ${numberOf("user", n)}`),
      ...VOLUME_OWNER_GROUPS.filter((n) => spawnSync("getent", ["group", n]).status === 0).map((n) => `group ${n} ${numberOf("group", n)}`),
    ];
    expect(readFileSync(join(root, "owners"), "utf8").trim().split("\n")).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  test("a volume without a record (a new one) keeps its owners and gets this host's record", () => {
    writeFileSync(join(root, "file"), "x");
    chownSync(join(root, "file"), bin, binGroup);
    const result = run(`renumber_volume_owners ${root}/owners ${root}`);
    expect(result.status).toBe(0);
    expect(owner(join(root, "file"))).toEqual([bin, binGroup]);
    expect(readFileSync(join(root, "owners"), "utf8")).toMatch(/^user postfix \d+$/m);
  });

  test("a second run on the same host changes nothing", () => {
    writeFileSync(join(root, "file"), "x");
    chownSync(join(root, "file"), bin, binGroup);
    expect(run(`renumber_volume_owners ${root}/owners ${root}`).status).toBe(0);
    const record = readFileSync(join(root, "owners"), "utf8");
    const again = run(`renumber_volume_owners ${root}/owners ${root}`);
    expect([again.status, again.stdout]).toEqual([0, ""]);
    expect(readFileSync(join(root, "owners"), "utf8")).toBe(record);
    expect(owner(join(root, "file"))).toEqual([bin, binGroup]);
  });
});
