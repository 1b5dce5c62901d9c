/**
 * Time to serve: how long a freshly booted mail host takes until it serves, and how long a changed
 * model takes to be live on a running host — both measured on the deploy rehearsal
 * (`lib/rehearsal`), i.e. the synthesized host booted for real as a system container with the
 * stand-ins for AWS, ACME and Debian's mirror.
 *
 *   npx tsx bench/mail/time-to-serve.ts [--runs 3] [--release trixie|bookworm] [--verbose]
 *
 * Prints the result as JSON on stdout and one summary line per run on stderr (`--verbose` also
 * streams the progress lines to stderr). Needs root; one rehearsal at a time per machine (the
 * rehearsal's lock: a second one waits for the first, up to 30 min).
 *
 * Every run is a fresh boot of the example platform (`examples/customer-groups/platform.yaml`,
 * its `os` set to the release): a new overlay on the cached image, new stand-ins, a new data
 * volume; the rehearsal is stopped and its files removed before the next run. Cached images are
 * reused; a run that had to build one reports the build time separately (never part of a number).
 */
import { readFileSync } from "fs";
import { accepts } from "../../lib/local/system";
import { cpus, release as kernelRelease, totalmem } from "os";
import { join } from "path";
import { parseArgs } from "util";
import { parse as parseYaml } from "yaml";
import type { PlatformInput } from "../../lib/model/schema";
import { HOST_OS_FACTS, type HostOs } from "../../lib/catalogue/host-os";
import { SETUP_DONE_MARKER, SETUP_LOG } from "../../lib/rollout/bootstrap/setup-script";
import { TABLES, tableRef } from "../../lib/render/postfix/table-names";
import { failedAttempts } from "../../lib/rehearsal/first-boot";
import type { DebianRelease } from "../../lib/rehearsal/image";
import { Rehearsal, type RolloutResult } from "../../lib/rehearsal/rehearsal";

/** The platform every run boots. */
export const TIME_TO_SERVE_MODEL = join(__dirname, "..", "..", "examples", "customer-groups", "platform.yaml");

/** The header field the configuration change adds to `privacy.stripHeaders`. */
export const CHANGE_HEADER = "X-Bench-Stripped";

/** Give up on a first boot (from the boot start) after this long. */
const BOOT_TIMEOUT_MS = 15 * 60_000;
/** Give up on a rollout (synthesis, publication, apply) after this long. */
const ROLLOUT_TIMEOUT_MS = 10 * 60_000;
/** Give up waiting for the applied change to be visible after this long. */
const LIVE_TIMEOUT_MS = 30_000;
/** How often the serving check polls. */
const POLL_MS = 250;
/** How long one listener may take to accept a connection before it counts as not answering. */
const CONNECT_TIMEOUT_MS = 1000;
/** Commands run inside the host for checks. */
const EXEC_TIMEOUT_MS = 30_000;

/** One step of the first-boot setup, from its log (whole seconds: the log's `date -u` stamps). */
export interface SetupStep {
  readonly step: string;
  /** Seconds from the boot start (see `bootToServingSeconds`) to the step's log line. */
  readonly startedAfterSeconds: number;
  /** Seconds until the next step's line (or the setup's "done" line). */
  readonly seconds: number;
}

/** One fresh boot and one change on it. */
export interface TimeToServeRun {
  /** 1-based. */
  readonly run: number;
  /** Both numbers measured. */
  readonly ok: boolean;
  /**
   * Seconds from the boot start to serving, by `process.hrtime.bigint()`.
   *
   * Start: the moment `Rehearsal.start` logs `booting <host> (<instance id>) from <release>`,
   * which it does immediately before `HostContainer.boot()`; i.e. after the lock, the image
   * (taken from the cache, or built — then excluded and reported in `image`), the synthesis and
   * the stand-ins, and before the overlay of the image is mounted, the NoCloud seed (the user
   * data from cdk.tf.json) written and `systemd-nspawn --boot` spawned. The instance "boots" here.
   *
   * End: the first poll (every 250 ms) at which the host's first-boot setup is done and every
   * listener answers: the setup-done marker (`/var/lib/mail-platform/setup-done`, the criterion of
   * the rehearsal's first-boot wait `waitForFirstBoot`, read the same way) exists, and then every
   * listener of `host.expectedListeners` (each group address × each enabled mail port, plus
   * nginx's 443 per group address) accepts a TCP connection from this machine over the veth within
   * 1 s, all probed in parallel; the time is taken when the last probe has answered. A failed
   * setup attempt ends the run as failed (as the rehearsal's `maxFailures: 1`).
   */
  readonly bootToServingSeconds: number | null;
  /**
   * Seconds from a configuration change to it being live, by `process.hrtime.bigint()`. The
   * change: one more header field (`X-Bench-Stripped`) in `privacy.stripHeaders`, rolled out with
   * `Rehearsal.rollout` — the path of the rehearsal test: synthesize the changed model, publish
   * the host's new bundle in the S3 stand-in, run the SSM association's command
   * (`mail-platform-apply s3://…`) from the new cdk.tf.json inside the host as a transient service.
   *
   * Start: immediately before the `rollout` call. End: the first moment at which both hold —
   * (1) the rollout returned success: exit status 0 and `applied bundle <new bundle id>` in its
   * output (the apply script reports that after it installed the files, reloaded the daemons and
   * saw every listener answer again); and (2) Postfix sees the change: `postconf -P -x` shows the
   * submission cleanup service reading the header table, and `postmap -q "X-Bench-Stripped: …"`
   * on that table answers `IGNORE` (before the rollout it answers nothing — checked first, outside
   * the timing). The header table is a master.cf option, so `postconf -n` (main.cf) cannot show it;
   * `postconf -P` is its counterpart for master.cf.
   */
  readonly changeToLiveSeconds: number | null;
  /** The cached image the run booted, and whether it had to be built (build time excluded). */
  readonly image?: { readonly name: string; readonly built: boolean; readonly buildSeconds: number };
  /** The split of the run (seconds), for reading the numbers. */
  readonly detail: {
    /** From the `Rehearsal.start` call to the boot start: lock, image, synthesis, stand-ins. */
    prepareSeconds?: number;
    /** From the boot start to `Rehearsal.start` returning: overlay, seed, nspawn, PID 1 up, volume attached. */
    containerStartSeconds?: number;
    /** From the boot start to the first poll that saw the setup-done marker. */
    setupDoneSeconds?: number;
    /** How many listeners the serving check probed. */
    listeners?: number;
    /** The setup's steps, from its log. */
    setupSteps?: SetupStep[];
    /** What apt said in the setup's "packages" step. */
    packages?: { newlyInstalled?: number; aptNeedToGet?: string };
    /** Rollout: synthesis of the changed model and publication, then the apply inside the host. */
    rollout?: { synthAndPublishSeconds: number; applySeconds: number; verifySeconds: number; bundle: string };
    /** From the `stop` call to its end. */
    stopSeconds?: number;
  };
  /** Why the run failed (with the setup log's tail for a failed first boot). */
  readonly error?: string;
}

/** The whole measurement. */
export interface TimeToServe {
  readonly release: DebianRelease;
  readonly os: HostOs;
  readonly host: string;
  readonly model: string;
  readonly change: string;
  readonly runs: readonly TimeToServeRun[];
  /** Medians over the runs that measured the number (null when none did). */
  readonly median: { readonly bootToServingSeconds: number | null; readonly changeToLiveSeconds: number | null };
  /** Images built during the measurement (excluded from every number); empty when all were cached. */
  readonly imageBuilds: ReadonlyArray<{ readonly run: number; readonly name: string; readonly seconds: number }>;
  readonly machine: { readonly cpuModel: string; readonly cpuCount: number; readonly memoryGiB: number; readonly kernel: string; readonly node: string };
  /** Wall time of the whole measurement (every run, stops included). */
  readonly wallSeconds: number;
  readonly startedAt: string;
}

/** The rehearsal in progress (for the command's signal handler). */
let active: Rehearsal | undefined;

const seconds = (from: bigint, to: bigint): number => Number(to - from) / 1e9;
const round = (value: number): number => Math.round(value * 1000) / 1000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2);
}

/** Reject when `work` does not settle within `ms` (the work itself is not cancelled). */
async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function lastLines(text: string | undefined, count: number): string {
  return (text ?? "").trimEnd().split("\n").slice(-count).join("\n");
}

/** The example model on the release's OS. */
function modelFor(release: DebianRelease): { input: PlatformInput; os: HostOs } {
  const os = (Object.keys(HOST_OS_FACTS) as HostOs[]).find((o) => HOST_OS_FACTS[o].codename === release);
  if (!os) throw new Error(`no host OS of the model is Debian ${release}`);
  const input = parseYaml(readFileSync(TIME_TO_SERVE_MODEL, "utf8")) as PlatformInput;
  return { input: { ...input, os }, os };
}

/** The setup's step lines, relative to the boot start (wall clock, whole seconds). */
function setupSteps(log: string, bootWallMs: number): SetupStep[] {
  const lines = [...log.matchAll(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) mail-platform setup of host \S+(?:: (.+)| (done))$/gm)].map((m) => ({
    at: Date.parse(m[1]!),
    step: m[2] ?? m[3]!,
  }));
  return lines
    .filter((l) => l.step !== "done")
    .map((l, i) => ({
      step: l.step,
      startedAfterSeconds: Math.round((l.at - bootWallMs) / 1000),
      seconds: Math.round(((lines[i + 1]?.at ?? l.at) - l.at) / 1000),
    }));
}

/** What apt said while installing the host's packages (from the setup log). */
function aptSummary(log: string): { newlyInstalled?: number; aptNeedToGet?: string } {
  const installed = /(\d+) newly installed/.exec(log);
  const needToGet = /^Need to get (.+) of archives\.$/m.exec(log);
  return { ...(installed ? { newlyInstalled: Number(installed[1]) } : {}), ...(needToGet ? { aptNeedToGet: needToGet[1] } : {}) };
}

/**
 * Wait until the first-boot setup is done and every listener answers (see
 * `TimeToServeRun.bootToServingSeconds`); returns the hrtime of the end point.
 */
async function waitUntilServing(
  rehearsal: Rehearsal,
  bootStart: bigint,
  log: (line: string) => void,
): Promise<{ servingAt: bigint; setupDoneAt: bigint; listeners: number }> {
  const listeners = rehearsal.hostPlan.expectedListeners;
  const deadline = bootStart + BigInt(BOOT_TIMEOUT_MS) * 1_000_000n;
  let setupDoneAt: bigint | undefined;
  let lastMissing = "";
  for (;;) {
    const setupLog = rehearsal.container.readFile(SETUP_LOG) ?? "";
    const failure = failedAttempts(setupLog)[0];
    if (failure) {
      const denied = rehearsal.deniedCalls();
      throw new Error(
        `the first-boot setup failed at step "${failure.step}" (exit ${failure.exit}, attempt ${failure.attempt})${denied ? `\n${denied}` : ""}\n--- last lines of ${SETUP_LOG} ---\n${lastLines(setupLog, 25)}\n--- last lines of /var/log/cloud-init-output.log ---\n${lastLines(rehearsal.container.readFile("/var/log/cloud-init-output.log"), 15)}`,
      );
    }
    if (rehearsal.container.readFile(SETUP_DONE_MARKER) !== undefined) {
      if (setupDoneAt === undefined) {
        setupDoneAt = process.hrtime.bigint();
        log(`setup done after ${seconds(bootStart, setupDoneAt).toFixed(1)} s; probing ${listeners.length} listeners`);
      }
      const answers = await Promise.all(listeners.map(([address, port]) => accepts(address, port, CONNECT_TIMEOUT_MS)));
      const servingAt = process.hrtime.bigint();
      if (answers.every(Boolean)) return { servingAt, setupDoneAt, listeners: listeners.length };
      lastMissing = listeners
        .filter((_, i) => !answers[i])
        .map(([a, p]) => `${a}:${p}`)
        .join(", ");
    }
    if (process.hrtime.bigint() > deadline) {
      throw new Error(
        setupDoneAt === undefined
          ? `the first-boot setup did not finish within ${BOOT_TIMEOUT_MS / 1000} s\n--- last lines of ${SETUP_LOG} ---\n${lastLines(setupLog, 25)}`
          : `not every listener answered within ${BOOT_TIMEOUT_MS / 1000} s of the boot (missing: ${lastMissing})`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** The submission cleanup's header table as Postfix reads it, and its answer for the changed header. */
async function strippedByPostfix(rehearsal: Rehearsal, header: string): Promise<{ table?: string; answer: string }> {
  const services = await rehearsal.exec(["postconf", "-P", "-x"], { timeoutMs: EXEC_TIMEOUT_MS });
  const configDirectory = (await rehearsal.exec(["postconf", "-x", "-h", "config_directory"], { timeoutMs: EXEC_TIMEOUT_MS })).stdout.trim();
  const table = tableRef(TABLES.submissionHeaderChecks).replace("$config_directory", configDirectory);
  if (services.status !== 0 || !services.stdout.split("\n").some((l) => /\/header_checks = /.test(l) && l.endsWith(`= ${table}`))) return { answer: "" };
  const query = await rehearsal.exec(["postmap", "-q", `${header}: time-to-serve probe`, table], { timeoutMs: EXEC_TIMEOUT_MS });
  return { table, answer: query.status === 0 ? query.stdout.trim() : "" };
}

/**
 * Roll the change out and wait until it is live (see `TimeToServeRun.changeToLiveSeconds`).
 */
async function changeToLive(
  rehearsal: Rehearsal,
  log: (line: string) => void,
): Promise<{ seconds: number; detail: NonNullable<TimeToServeRun["detail"]["rollout"]> }> {
  const before = await strippedByPostfix(rehearsal, CHANGE_HEADER);
  if (before.answer !== "") throw new Error(`${CHANGE_HEADER} is stripped before the change (${before.table} answers ${JSON.stringify(before.answer)})`);

  const start = process.hrtime.bigint();
  const result: RolloutResult = await withTimeout(
    rehearsal.rollout((input) => {
      input.privacy = { ...input.privacy, stripHeaders: [...(input.privacy?.stripHeaders ?? ["X-Originating-IP"]), CHANGE_HEADER] };
    }, "time-to-serve-change"),
    ROLLOUT_TIMEOUT_MS,
    "the rollout",
  );
  const returned = process.hrtime.bigint();
  const applied = `applied bundle ${result.bundle.id.slice(0, 12)}`;
  if (result.status !== 0 || !result.output.includes(applied)) {
    throw new Error(`the rollout did not report "${applied}" (exit ${result.status}):\n${lastLines(result.output, 20)}`);
  }
  const liveBy = returned + BigInt(LIVE_TIMEOUT_MS) * 1_000_000n;
  for (;;) {
    const after = await strippedByPostfix(rehearsal, CHANGE_HEADER);
    const now = process.hrtime.bigint();
    if (after.answer === "IGNORE") {
      const total = seconds(start, now);
      log(`change live after ${total.toFixed(2)} s (apply ${result.seconds.toFixed(2)} s)`);
      return {
        seconds: total,
        detail: {
          synthAndPublishSeconds: round(seconds(start, returned) - result.seconds),
          applySeconds: round(result.seconds),
          verifySeconds: round(seconds(returned, now)),
          bundle: result.bundle.id.slice(0, 12),
        },
      };
    }
    if (now > liveBy)
      throw new Error(
        `the rollout reported success but Postfix does not strip ${CHANGE_HEADER} within ${LIVE_TIMEOUT_MS / 1000} s (answer ${JSON.stringify(after.answer)}, table ${after.table ?? "not referenced by any service"})`,
      );
    await sleep(100);
  }
}

/** One fresh boot, one change, stop. Never throws: a failure is recorded in the run. */
async function measureRun(run: number, release: DebianRelease, input: PlatformInput, log: (line: string) => void): Promise<TimeToServeRun> {
  const detail: TimeToServeRun["detail"] = {};
  let image: TimeToServeRun["image"];
  let bootToServing: number | null = null;
  let changeToLiveSeconds: number | null = null;
  let error: string | undefined;
  let bootStart: bigint | undefined;
  let bootWallMs = 0;
  let rehearsal: Rehearsal | undefined;
  const called = process.hrtime.bigint();
  try {
    rehearsal = await Rehearsal.start({
      input,
      release,
      // On disk, as an instance's root volume: dpkg's syncs at the package installation count.
      writableLayer: "disk",
      log: (line) => {
        // Rehearsal.start logs this line immediately before HostContainer.boot(): the boot start.
        if (bootStart === undefined && /^booting \S+ \(\S+\) from \S+$/.test(line)) {
          bootStart = process.hrtime.bigint();
          bootWallMs = Date.now();
        }
        log(line);
      },
    });
    active = rehearsal;
    const started = process.hrtime.bigint();
    image = {
      name: `${rehearsal.image.recipe.release}-${rehearsal.image.recipe.flavour}`,
      built: rehearsal.image.built,
      buildSeconds: rehearsal.image.built ? round(rehearsal.image.seconds) : 0,
    };
    if (bootStart === undefined) throw new Error("Rehearsal.start never logged the boot (no `booting …` line): cannot place the boot start");
    detail.prepareSeconds = round(seconds(called, bootStart));
    detail.containerStartSeconds = round(seconds(bootStart, started));

    const serving = await waitUntilServing(rehearsal, bootStart, log);
    bootToServing = seconds(bootStart, serving.servingAt);
    detail.setupDoneSeconds = round(seconds(bootStart, serving.setupDoneAt));
    detail.listeners = serving.listeners;
    const setupLog = rehearsal.container.readFile(SETUP_LOG) ?? "";
    detail.setupSteps = setupSteps(setupLog, bootWallMs);
    detail.packages = aptSummary(setupLog);
    log(`serving after ${bootToServing.toFixed(2)} s (${serving.listeners} listeners)`);

    const change = await changeToLive(rehearsal, log);
    changeToLiveSeconds = change.seconds;
    detail.rollout = change.detail;
  } catch (caught) {
    error = (caught as Error).message;
    log(`run ${run} failed: ${error.split("\n")[0]}`);
  } finally {
    if (rehearsal) {
      const stopping = process.hrtime.bigint();
      try {
        await rehearsal.stop();
      } catch (caught) {
        error = `${error ? `${error}\n` : ""}stopping the rehearsal failed: ${(caught as Error).message}`;
      }
      detail.stopSeconds = round(seconds(stopping, process.hrtime.bigint()));
      active = undefined;
    }
  }
  return {
    run,
    ok: error === undefined && bootToServing !== null && changeToLiveSeconds !== null,
    bootToServingSeconds: bootToServing === null ? null : round(bootToServing),
    changeToLiveSeconds: changeToLiveSeconds === null ? null : round(changeToLiveSeconds),
    ...(image ? { image } : {}),
    detail,
    ...(error === undefined ? {} : { error }),
  };
}

/**
 * Boot the example host `runs` times (each a fresh boot, stopped and cleaned up before the next)
 * and measure, per run, the time from boot to serving and from a configuration change to it being
 * live; see `TimeToServeRun` for the exact start and end points. A failed run is recorded with
 * its error and left out of the medians. Needs root.
 */
export async function measureTimeToServe(options: { runs?: number; release?: "trixie" | "bookworm"; log?: (line: string) => void } = {}): Promise<TimeToServe> {
  const runs = options.runs ?? 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a whole number of at least 1, got ${runs}`);
  const release = options.release ?? "trixie";
  const log = options.log ?? (() => undefined);
  if (process.getuid?.() !== 0) throw new Error("the rehearsal needs root (network namespaces, systemd-nspawn, the stand-ins' ports)");
  const { input, os } = modelFor(release);
  const startedAt = new Date().toISOString();
  const wallStart = process.hrtime.bigint();
  const results: TimeToServeRun[] = [];
  for (let run = 1; run <= runs; run++) {
    log(`run ${run}/${runs} on ${release}`);
    results.push(await measureRun(run, release, input, (line) => log(`[run ${run}] ${line}`)));
  }
  const measured = (pick: (r: TimeToServeRun) => number | null) => results.map(pick).filter((v): v is number => v !== null);
  const cpu = cpus();
  return {
    release,
    os,
    host: input.hosts[0]!.name,
    model: "examples/customer-groups/platform.yaml",
    change: `privacy.stripHeaders += ${CHANGE_HEADER}`,
    runs: results,
    median: { bootToServingSeconds: median(measured((r) => r.bootToServingSeconds)), changeToLiveSeconds: median(measured((r) => r.changeToLiveSeconds)) },
    imageBuilds: results.filter((r) => r.image?.built).map((r) => ({ run: r.run, name: r.image!.name, seconds: r.image!.buildSeconds })),
    machine: {
      cpuModel: cpu[0]?.model ?? "unknown",
      cpuCount: cpu.length,
      memoryGiB: round(totalmem() / 2 ** 30),
      kernel: kernelRelease(),
      node: process.version,
    },
    wallSeconds: round(seconds(wallStart, process.hrtime.bigint())),
    startedAt,
  };
}

/** One line per run for the terminal. */
export function runSummary(run: TimeToServeRun, release: DebianRelease): string {
  if (!run.ok && run.bootToServingSeconds === null) return `run ${run.run} (${release}): FAILED before serving: ${run.error?.split("\n")[0] ?? "unknown"}`;
  const boot = run.bootToServingSeconds === null ? "–" : `${run.bootToServingSeconds.toFixed(2)} s`;
  const change = run.changeToLiveSeconds === null ? `FAILED: ${run.error?.split("\n")[0] ?? "unknown"}` : `${run.changeToLiveSeconds.toFixed(2)} s`;
  const built = run.image?.built ? `, image built in ${run.image.buildSeconds.toFixed(0)} s (excluded)` : "";
  return `run ${run.run} (${release}): boot→serving ${boot} (setup done ${run.detail.setupDoneSeconds?.toFixed(2) ?? "–"} s), change→live ${change}${built}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "3" }, release: { type: "string", default: "trixie" }, verbose: { type: "boolean", default: false } },
    strict: true,
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, got ${JSON.stringify(values.runs)}`);
  if (values.release !== "trixie" && values.release !== "bookworm")
    throw new Error(`--release must be trixie or bookworm, got ${JSON.stringify(values.release)}`);
  const stopOnSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`time-to-serve: ${signal}, stopping the rehearsal\n`);
    const stopping = active?.stop().catch(() => undefined) ?? Promise.resolve();
    void withTimeout(stopping, 90_000, "stopping").finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  const result = await measureTimeToServe({
    runs,
    release: values.release,
    ...(values.verbose ? { log: (line: string) => process.stderr.write(`time-to-serve: ${line}\n`) } : {}),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  for (const run of result.runs) process.stderr.write(`${runSummary(run, result.release)}\n`);
  return result.runs.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`time-to-serve: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
