/**
 * Running a local instance for the live suites and talking to it with the real client tools.
 */
import { spawn, spawnSync } from "child_process";
import { existsSync, readFileSync, readdirSync } from "fs";
import { join } from "path";
import { readLocalState, type LocalState } from "../../lib/local/state";
import { localDown } from "../../lib/local/stop";
import { localUp } from "../../lib/local/up";
import { stateLayout } from "../../lib/local/conventions";
import type { PlatformInput } from "../../lib/model/schema";
import { parsePlatform } from "../../lib/validation/validate";
import { requirePrograms } from "./programs";
import { systemTmpdir } from "./run-temporary-directory";

/** Start an instance of a model in its own state directory and loopback block. */
export async function startInstance(input: PlatformInput, name: string, loopbackBlock: string): Promise<LocalState> {
  requirePrograms("postfix", "dovecot", "named", "swaks", "openssl", "nmap", "opendkim", "nginx", "rspamd", "redis-server", "/usr/bin/python3");
  // Outside the run's temporary directory: the next run finds and stops an instance an aborted run left.
  const stateDir = join(systemTmpdir(), `mail-platform-live-${name}`);
  if (existsSync(stateLayout(stateDir).stateFile)) await localDown(stateDir).catch(() => undefined);
  await localUp(parsePlatform(input), { stateDir, loopbackBlock });
  return readLocalState(stateDir);
}

/**
 * Start another host of the same model next to a running instance (`local up --join`), in its own
 * state directory, sharing the first instance's loopback block, DNS server and test CA.
 */
export async function joinInstance(input: PlatformInput, name: string, first: LocalState, host: string): Promise<LocalState> {
  const stateDir = join(systemTmpdir(), `mail-platform-live-${name}`);
  if (existsSync(stateLayout(stateDir).stateFile)) await localDown(stateDir).catch(() => undefined);
  await localUp(parsePlatform(input), { stateDir, join: first.stateDir, host });
  return readLocalState(stateDir);
}

/** Stop it. */
export async function stopInstance(state: LocalState | undefined): Promise<void> {
  if (state) await localDown(state.stateDir);
}

/** A swaks run: its exit status and transcript. */
export interface SwaksResult {
  readonly status: number | null;
  readonly transcript: string;
}

/** Run swaks with arguments; the transcript is stdout + stderr. */
export function swaks(args: readonly string[]): SwaksResult {
  const result = spawnSync("swaks", ["--timeout", "30", ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: result.status, transcript: `${result.stdout}${result.stderr}` };
}

/**
 * swaks without blocking this process: for servers that live in this process (a test sink, the
 * rehearsal's stand-ins) to keep answering meanwhile, and for slow first connections.
 */
export function swaksAsync(args: readonly string[], timeoutSeconds = 90): Promise<SwaksResult> {
  return new Promise((resolve) => {
    const child = spawn("swaks", ["--timeout", String(timeoutSeconds), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let transcript = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (transcript += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (transcript += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), (timeoutSeconds + 30) * 1000);
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, transcript });
    });
  });
}

/** The server replies (lines starting with `<-`, `<~`, `<**` or `<~*`) of a transcript. */
export function replies(transcript: string): string[] {
  return transcript
    .split("\n")
    .filter((l) => /^<(-|~|\*\*|~\*) /.test(l))
    .map((l) => l.replace(/^<(-|~|\*\*|~\*) +/, ""));
}

/**
 * The server's reply (all lines) to the first client command matching a pattern, e.g.
 * `replyTo(t, /^RCPT TO/)` → ["250 2.1.5 Ok"].
 */
export function replyTo(transcript: string, command: RegExp): string[] {
  const lines = transcript.split("\n");
  const start = lines.findIndex((l) => /^ ?(->|~>) /.test(l) && command.test(l.replace(/^ ?(->|~>) +/, "")));
  if (start < 0) throw new Error(`no client command matching ${command} in:\n${transcript}`);
  const reply: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^<(?:-|~|\*\*|~\*) +(.*)$/.exec(line);
    if (!match) {
      if (reply.length > 0) break;
      continue;
    }
    reply.push(match[1]!);
    if (/^\d{3} /.test(match[1]!)) break;
  }
  return reply;
}

/** Wait until the instance's Postfix log contains a line matching the pattern. */
export async function waitForLog(state: LocalState, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const file = stateLayout(state.stateDir).postfixLog;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = readFileSync(file, "utf8")
      .split("\n")
      .find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every message delivered to a mailbox of the instance. */
export function deliveredMessages(state: LocalState, address: string): string[] {
  const [user, domain] = address.split("@");
  const dir = join(stateLayout(state.stateDir).mail, domain!, user!, "Maildir", "new");
  return existsSync(dir)
    ? readdirSync(dir)
        .sort()
        .map((f) => readFileSync(join(dir, f), "utf8"))
    : [];
}

/** Wait for a delivered message matching a predicate. */
export async function waitForDelivery(state: LocalState, address: string, predicate: (message: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = deliveredMessages(state, address).find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching message for ${address} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Ask Postfix to retry the deferred queue now. */
export function flushQueue(state: LocalState): void {
  spawnSync("postqueue", ["-c", stateLayout(state.stateDir).postfixConfig, "-f"], { stdio: "ignore" });
}

/** Certificate and key the test CA issued for a name. */
export function testCertificate(state: LocalState, name: string): { key: string; cert: string } {
  const dir = join(stateLayout(state.stateDir).certs, name);
  return { key: readFileSync(join(dir, "privkey.pem"), "utf8"), cert: readFileSync(join(dir, "fullchain.pem"), "utf8") };
}

/** Verify a message's DKIM signature with dkimpy (python3-dkim), keys from the instance's DNS. */
export function verifyDkim(state: LocalState, message: string): string {
  const script = join(__dirname, "dkim-verify.py");
  const result = spawnSync("/usr/bin/python3", [script, state.dnsServer], { input: message, encoding: "utf8", timeout: 30_000 });
  return result.stdout.trim();
}
