import { spawnSync } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { chrootEnvironment } from "../../../lib/rehearsal/guest-environment";

describe("the environment of a program started inside a guest root", () => {
  const saved = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test("names no temporary directory of this machine and keeps the rest", () => {
    Object.assign(process.env, { TMPDIR: "/tmp/host-only", TMP: "/tmp/host-only", TEMP: "/tmp/host-only" });
    const env = chrootEnvironment({ LC_ALL: "C.UTF-8" });
    expect([env.TMPDIR, env.TMP, env.TEMP]).toEqual([undefined, undefined, undefined]);
    expect(env.LC_ALL).toBe("C.UTF-8");
    expect(env.PATH).toBe(process.env.PATH);
  });

  test("mktemp in a program given that environment works although this process's TMPDIR does not exist", () => {
    const gone = mkdtempSync(join(tmpdir(), "gone-"));
    rmSync(gone, { recursive: true });
    process.env.TMPDIR = gone;
    expect(spawnSync("mktemp", { encoding: "utf8", env: process.env }).status).not.toBe(0);
    const made = spawnSync("mktemp", { encoding: "utf8", env: chrootEnvironment() });
    expect(made.status).toBe(0);
    rmSync(made.stdout.trim(), { force: true });
  });
});
