/**
 * The test support that keeps feedback fast and the machine clean: one shared, frozen synthesis
 * of the unchanged example per process, property run counts from the environment, and one
 * temporary directory per run that the run removes.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { basename, dirname, join } from "path";
import { inCi, LOCAL_FRACTION, propertyRuns } from "../support/property-runs";
import { enterRunDirectory, leaveRunDirectory, RUN_DIRECTORY_PREFIX, systemTmpdir, tsxCacheName } from "../support/run-temporary-directory";
import { synthExample, synthExampleAfresh } from "../support/synth";

describe("the unchanged example's synthesis", () => {
  test("is made once per process and handed out frozen", () => {
    const first = synthExample();
    expect(synthExample()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.json.resource.aws_instance)).toBe(true);
    expect(() => {
      Object.values(first.json.resource.aws_instance!)[0]!.instance_type = "t3.large";
    }).toThrow(TypeError);
    expect(() => (first.platform.renderedFiles[0]!.files as unknown as unknown[]).push({})).toThrow(TypeError);
    // A copy is free to change.
    const copy = structuredClone(first.json);
    copy.output = {};
    expect(Object.keys(first.json.output)).not.toHaveLength(0);
  });

  test("equals a fresh synthesis; a changed example is synthesized afresh and not frozen", () => {
    expect(synthExampleAfresh().text).toBe(synthExample().text);
    const changed = synthExample((i) => (i.messageSizeLimitBytes = 20_971_520));
    expect(changed).not.toBe(synthExample());
    expect(changed.text).not.toBe(synthExample().text);
    expect(Object.isFrozen(changed.json)).toBe(false);
  });
});

describe("property run counts", () => {
  test("CI runs the full count; locally a tenth, at least one", () => {
    expect(propertyRuns(500, { CI: "true" })).toBe(500);
    expect(propertyRuns(500, { CI: "1" })).toBe(500);
    expect(propertyRuns(500, {})).toBe(Math.ceil(500 * LOCAL_FRACTION));
    expect(propertyRuns(500, { CI: "false" })).toBe(50);
    expect(propertyRuns(3, {})).toBe(1);
    expect(inCi({ CI: "0" })).toBe(false);
  });

  test("PROPERTY_RUNS overrides both: full, a number of runs, or a factor", () => {
    expect(propertyRuns(500, { PROPERTY_RUNS: "full" })).toBe(500);
    expect(propertyRuns(500, { CI: "true", PROPERTY_RUNS: "7" })).toBe(7);
    expect(propertyRuns(500, { PROPERTY_RUNS: "10x" })).toBe(5000);
    expect(propertyRuns(150, { CI: "true", PROPERTY_RUNS: "0.5x" })).toBe(75);
    expect(propertyRuns(1, { PROPERTY_RUNS: "0.01x" })).toBe(1);
  });

  test("a PROPERTY_RUNS it cannot read is refused with what is allowed", () => {
    for (const bad of ["0", "-5", "many", "0x", "1.5"]) {
      expect(() => propertyRuns(500, { PROPERTY_RUNS: bad })).toThrow(`PROPERTY_RUNS="${bad}" is not understood; allowed: "full", a whole number of runs`);
    }
    expect(() => propertyRuns(0, {})).toThrow("the CI count must be a whole number ≥ 1, got 0");
  });
});

describe("the run's temporary directory", () => {
  test("is where this run's tests put their temporary files", () => {
    expect(basename(tmpdir()).startsWith(RUN_DIRECTORY_PREFIX)).toBe(true);
    expect(dirname(tmpdir())).toBe(systemTmpdir());
  });

  test("is removed with everything in it when the run leaves it, tsx's cache kept, and TMPDIR points back", () => {
    const env: NodeJS.ProcessEnv = {};
    const system = mkdtempSync(join(tmpdir(), "system-"));
    const dir = enterRunDirectory(env, system);
    expect(dirname(dir)).toBe(system);
    expect(env.TMPDIR).toBe(dir);
    mkdirSync(join(dir, "cdktf.outdir.x", "stacks"), { recursive: true });
    writeFileSync(join(dir, "cdktf.outdir.x", "stacks", "cdk.tf.json"), "{}");
    writeFileSync(join(dir, tsxCacheName(), "compiled.js"), "");
    expect(leaveRunDirectory(env)).toBe(dir);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(join(system, tsxCacheName(), "compiled.js"))).toBe(true);
    expect(env.TMPDIR).toBe(system);
    expect(leaveRunDirectory(env)).toBeUndefined();
  });

  test("a directory that is not a run directory is never removed", () => {
    const other = join(tmpdir(), "not-a-run");
    mkdirSync(other);
    const env: NodeJS.ProcessEnv = { MAIL_PLATFORM_TEST_RUN_TMPDIR: other, MAIL_PLATFORM_TEST_SYSTEM_TMPDIR: tmpdir() };
    expect(() => leaveRunDirectory(env)).toThrow(`MAIL_PLATFORM_TEST_RUN_TMPDIR=${other} is not a test run directory`);
    expect(existsSync(other)).toBe(true);
  });
});
