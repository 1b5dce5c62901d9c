/**
 * The apply script when a reload command names a program that is not there: a bundle that adds a
 * host program and runs it in its reload commands, rolled back to files without that program,
 * runs the same commands again. The script must treat the missing program as a failed command
 * (roll back, exit 3, the previous files in place), never end in a traceback half-way.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { applyScriptPath } from "../../lib/rollout/apply-script";
import { buildBundle, bundleText } from "../../lib/rollout/bundle";

test("a reload command whose program is missing rolls the files back (exit 3) instead of crashing", () => {
  const dir = mkdtempSync(join(tmpdir(), "mail-platform-apply-"));
  const kept = join(dir, "root", "kept.conf");
  const added = join(dir, "root", "added-program");
  const first = buildBundle({
    platform: "p",
    host: "h",
    files: [{ path: kept, mode: "0644", content: "old\n" }],
    prepare: [],
    validate: [],
    reload: [["true"]],
    start: [],
    listeners: [],
  });
  const second = buildBundle({
    platform: "p",
    host: "h",
    files: [
      { path: kept, mode: "0644", content: "new\n" },
      { path: added, mode: "0755", content: "#!/bin/sh\nexit 1\n" },
    ],
    prepare: [],
    validate: [],
    // The program fails; in the rollback it is gone with the rest of the new files.
    reload: [[added]],
    start: [],
    listeners: [],
  });
  const run = (bundle: typeof first) => {
    const file = join(dir, `${bundle.id}.json`);
    writeFileSync(file, bundleText(bundle));
    return spawnSync("/usr/bin/python3", [applyScriptPath(), file, "--state-dir", join(dir, "state")], { encoding: "utf8" });
  };
  expect(run(first).status).toBe(0);
  const result = run(second);
  expect(result.stderr).not.toContain("Traceback");
  expect(result.stderr).toMatch(/reload \(rollback\) .*added-program: exit 127/);
  expect(result.stderr).toMatch(/rolled back to/);
  expect(result.status).toBe(3);
  expect(readFileSync(kept, "utf8")).toBe("old\n");
  expect(existsSync(added)).toBe(false);
});

test.each(["prepare", "validate"] as const)(
  "a %s command whose program the host lacks refuses the bundle (exit 2, nothing changed) and says why, without a traceback",
  (phase) => {
    const dir = mkdtempSync(join(tmpdir(), "mail-platform-apply-"));
    const kept = join(dir, "root", "kept.conf");
    const bundle = (content: string, command?: string[]) =>
      buildBundle({
        platform: "p",
        host: "h",
        files: [{ path: kept, mode: "0644", content }],
        prepare: phase === "prepare" && command ? [command] : [],
        validate: phase === "validate" && command ? [command] : [],
        reload: [["true"]],
        start: [],
        listeners: [],
      });
    const run = (b: ReturnType<typeof bundle>) => {
      const file = join(dir, `${b.id}.json`);
      writeFileSync(file, bundleText(b));
      return spawnSync("/usr/bin/python3", [applyScriptPath(), file, "--state-dir", join(dir, "state")], { encoding: "utf8" });
    };
    expect(run(bundle("old\n")).status).toBe(0);
    // As a bundle that turns on the content filter reaches a host that booted without rspamd.
    const result = run(bundle("new\n", ["mail-platform-test-absent-program", "configtest"]));
    expect(result.stderr).not.toContain("Traceback");
    expect(result.stderr).toMatch(
      /REJECTED, nothing changed: mail-platform-test-absent-program is not installed on this host: a change that needs new packages takes effect on a replaced instance/,
    );
    expect(result.status).toBe(2);
    expect(readFileSync(kept, "utf8")).toBe("old\n");
  },
);
