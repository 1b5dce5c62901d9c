/**
 * In-place rollout with the real Postfix and Dovecot: the apply script (the one the hosts run)
 * applies valid changes without restarting the queue, refuses broken ones before changing
 * anything, rolls back changes that break a listener, and does nothing when applied twice.
 */
import { spawn, spawnSync } from "child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { OUTSIDE_DOMAIN, stateLayout } from "../../../lib/local/conventions";
import type { LocalState } from "../../../lib/local/state";
import { runApply } from "../../../lib/local/local-bundle";
import { buildBundle, type Bundle } from "../../../lib/rollout/bundle";
import { exampleInput } from "../../support/example";
import { flushQueue, startInstance, stopInstance, testCertificate, waitForLog } from "../../support/live";
import { SmtpSink } from "../../support/smtp-sink";

const BIN = join(__dirname, "..", "..", "..", "bin", "mail-platform.js");
let state: LocalState;
let sink: SmtpSink;

beforeAll(async () => {
  state = await startInstance(exampleInput(), "rollout", "127.0.80");
  sink = new SmtpSink(state.outside, testCertificate(state, `mx.${OUTSIDE_DOMAIN}`));
}, 120_000);

afterAll(async () => {
  await sink?.stop().catch(() => undefined);
  await stopInstance(state);
}, 60_000);

const layout = () => stateLayout(state.stateDir);
const masterPid = () => readFileSync(join(layout().spool, "pid", "master.pid"), "utf8").trim();
const mainCf = () => readFileSync(join(layout().postfixConfig, "main.cf"), "utf8");

function platformFile(change: (input: ReturnType<typeof exampleInput>) => void): string {
  const input = exampleInput();
  change(input);
  const file = join(mkdtempSync(join(tmpdir(), "mail-platform-rollout-")), "platform.yaml");
  writeFileSync(file, stringify(input));
  return file;
}

function localApplyCli(file: string) {
  return spawnSync(process.execPath, [BIN, "local", "apply", file, "--state-dir", state.stateDir], { encoding: "utf8", timeout: 120_000 });
}

/** Relay a message through loopback (a local application) for a private-group sender. */
function relay(subject: string): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(
      "swaks",
      [
        "-s",
        state.addresses.private!,
        "-p",
        String(state.ports.smtp),
        "-f",
        "family@acme-home.example",
        "-t",
        `queue@${OUTSIDE_DOMAIN}`,
        "--header",
        `Subject: ${subject}`,
      ],
      { stdio: "ignore" },
    );
    child.on("exit", () => resolve());
  });
}

/** The bundle applied last (from the script's state), to derive broken ones from. */
function appliedBundle(): Bundle {
  const applied = JSON.parse(readFileSync(join(layout().stateDir, "apply", "applied.json"), "utf8")) as { id: string };
  return JSON.parse(readFileSync(join(layout().stateDir, "bundles", `${applied.id}.json`), "utf8")) as Bundle;
}

function rebuilt(bundle: Bundle, change: (parts: Omit<Bundle, "id" | "format">) => Omit<Bundle, "id" | "format">): Bundle {
  const { id: _id, format: _format, ...parts } = bundle;
  return buildBundle(change(parts));
}

describe("in-place rollout", () => {
  test("a valid change is applied with a reload: mail queued before it is delivered after it", async () => {
    // The outside world is down: the relayed messages wait in the queue.
    const subjects = Array.from({ length: 5 }, (_, i) => `queued-before-${i}`);
    await Promise.all(subjects.map(relay));
    await waitForLog(state, /to=<queue@outside\.example>.*status=deferred/);
    const pid = masterPid();

    const result = localApplyCli(platformFile((i) => (i.messageSizeLimitBytes = 20_971_520)));
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ applied: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(result.stderr).toMatch(/check postconf -c \{stage\}.* -n: ok/);
    expect(mainCf()).toMatch(/^message_size_limit = 20971520$/m);
    expect(masterPid()).toBe(pid);
    const queue = spawnSync("postqueue", ["-c", layout().postfixConfig, "-j"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
    expect(queue.length).toBeGreaterThanOrEqual(5);

    await sink.start();
    flushQueue(state);
    for (const subject of subjects) await sink.waitForMessage((s) => (s.data ?? "").includes(subject), 30_000);
  }, 90_000);

  test("a broken change is refused before anything changes; mail before and during the attempt is delivered", async () => {
    const before = mainCf();
    const pid = masterPid();
    const broken = rebuilt(appliedBundle(), (parts) => ({
      ...parts,
      files: parts.files.map((f) => (f.path.endsWith("/postfix/main.cf") ? { ...f, content: `${f.content}smtpd_tls_auth_onyl = yes\n` } : f)),
    }));
    const subjects = Array.from({ length: 10 }, (_, i) => `around-broken-${i}`);
    const sending = [relay(subjects[0]!), relay(subjects[1]!), relay(subjects[2]!), relay(subjects[3]!), relay(subjects[4]!)];
    const result = runApply(layout(), broken);
    sending.push(...subjects.slice(5).map(relay));
    await Promise.all(sending);

    expect(result.status).toBe(2);
    expect(result.log).toMatch(/REJECTED, nothing changed: postconf -c .* -n failed .*unused parameter: smtpd_tls_auth_onyl=yes/);
    expect(mainCf()).toBe(before);
    expect(masterPid()).toBe(pid);
    for (const subject of subjects) await sink.waitForMessage((s) => (s.data ?? "").includes(subject), 30_000);
  }, 90_000);

  test("a new listener that cannot be bound is refused before the reload that would stop Postfix", () => {
    const pid = masterPid();
    // The sink holds <block>.200:25; a listener there would make Postfix's master exit on reload.
    const taken = `${state.outside}:25`;
    const bundle = rebuilt(appliedBundle(), (parts) => ({
      ...parts,
      files: parts.files.map((f) => (f.path.endsWith("/postfix/master.cf") ? { ...f, content: `${f.content}${taken} inet n - y - - smtpd\n` } : f)),
      listeners: [...parts.listeners, [state.outside, 25] as const],
    }));
    const result = runApply(layout(), bundle);
    expect(result.status).toBe(2);
    expect(result.log).toMatch(new RegExp(`new listener ${taken.replace(/\./g, "\\.")} cannot be bound \\(Address already in use\\)`));
    expect(masterPid()).toBe(pid);
  });

  test("a change after which a listener does not answer is rolled back, and the old configuration serves", async () => {
    const before = mainCf();
    const missing = `${state.addresses.business}`;
    const bundle = rebuilt(appliedBundle(), (parts) => ({
      ...parts,
      files: parts.files.map((f) =>
        f.path.endsWith("/postfix/main.cf") ? { ...f, content: f.content.replace(/^message_size_limit = .*$/m, "message_size_limit = 30000000") } : f,
      ),
      // Promised but never configured: nothing will answer there after the reload.
      listeners: [...parts.listeners, [missing, 2999] as const],
    }));
    const result = runApply(layout(), bundle);
    expect(result.status).toBe(3);
    expect(result.log).toMatch(new RegExp(`rolling back: not listening after reload: ${missing.replace(/\./g, "\\.")}:2999`));
    expect(result.log).toMatch(/rolled back to [0-9a-f]{12}; the previous configuration serves/);
    expect(mainCf()).toBe(before);
    await relay("after-rollback");
    await sink.waitForMessage((s) => (s.data ?? "").includes("after-rollback"), 30_000);
  }, 90_000);

  test("applying the same platform twice changes nothing the second time", () => {
    const file = platformFile((i) => (i.messageSizeLimitBytes = 20_971_520));
    expect(localApplyCli(file).status).toBe(0);
    const mtime = statSync(join(layout().postfixConfig, "main.cf")).mtimeMs;
    const pid = masterPid();
    const second = localApplyCli(file);
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/bundle [0-9a-f]{12} is already applied: nothing to do/);
    expect(statSync(join(layout().postfixConfig, "main.cf")).mtimeMs).toBe(mtime);
    expect(masterPid()).toBe(pid);
  });
});
