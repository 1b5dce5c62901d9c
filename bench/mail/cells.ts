/**
 * One cell of the mail benchmark: N messages of one size over C parallel connections to one
 * port of one server, each counted in the mailbox. Throughput is accepted-and-delivered messages
 * per second (first connection to last delivery); latency is per message, from the moment the
 * client has handed the end of data to the kernel to the message file's modification time in
 * the Maildir (Postfix may deliver before its "250 queued" reply has been read).
 */
import { existsSync, openSync, readSync, closeSync, readdirSync, rmSync, statSync } from "fs";
import { join } from "path";
import { sendMany, type SmtpSession } from "./smtp-client";

/** What a cell sends. */
export interface CellSpec {
  /** Label of the server/variant, e.g. `platform` or `stock`. */
  readonly target: string;
  readonly port: 25 | 587 | 465;
  readonly concurrency: number;
  readonly messageBytes: number;
  readonly messages: number;
}

/** What a cell measured. */
export interface CellResult extends CellSpec {
  readonly accepted: number;
  readonly refused: number;
  /** First refusal's reply, if any. */
  readonly firstRefusal?: string;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly messagesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable to file mtimes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A message of about `bytes` bytes with an id header the cell finds it by. */
export function benchMessage(id: string, from: string, to: string, bytes: number): string {
  const headers = [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: bench ${id}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${id}@bench.invalid>`,
    `X-Bench-Id: ${id}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
  ];
  const line = "The quick brown fox jumps over the lazy dog while the mail benchmark counts.";
  const lines: string[] = [];
  let size = headers.join("\r\n").length;
  while (size < bytes) {
    lines.push(line);
    size += line.length + 2;
  }
  return [...headers, ...lines].join("\r\n") + "\r\n";
}

function benchIdOf(file: string): string | undefined {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(8192);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return /^X-Bench-Id: (\S+)/m.exec(buffer.subarray(0, read).toString("latin1"))?.[1];
  } finally {
    closeSync(fd);
  }
}

function mailboxFiles(maildir: string): string[] {
  return ["new", "cur"].flatMap((sub) => {
    const dir = join(maildir, sub);
    return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
  });
}

/** Empty a Maildir's `new` and `cur`, so a cell counts only its own messages. */
export function emptyMailbox(maildir: string): void {
  for (const file of mailboxFiles(maildir)) rmSync(file, { force: true });
}

/** Run one cell: send, wait for delivery (bounded), count and time every message. */
export async function runCell(
  spec: CellSpec,
  session: SmtpSession,
  envelope: { from: string; to: string },
  maildir: string,
  deliveryTimeoutMs = 180_000,
): Promise<CellResult> {
  emptyMailbox(maildir);
  const runId = `${spec.target.replace(/[^A-Za-z0-9]+/g, "-")}-${spec.port}-c${spec.concurrency}-${spec.messageBytes}-${Date.now().toString(36)}`;
  const started = nowMs();
  const outcomes = await sendMany(session, spec.messages, spec.concurrency, (index) => {
    return { ...envelope, data: benchMessage(`${runId}-${index}`, envelope.from, envelope.to, spec.messageBytes) };
  });
  const acceptedAt = new Map<string, number>();
  outcomes.forEach((outcome, index) => {
    if (outcome.accepted) acceptedAt.set(`${runId}-${index}`, outcome.dataEndMs!);
  });
  const refused = outcomes.filter((o) => !o.accepted);

  // Wait until every accepted message is in the mailbox (or the bound runs out), then a little
  // longer, so a duplicate delivered late is counted too.
  const deadline = Date.now() + deliveryTimeoutMs;
  let files: string[];
  for (;;) {
    files = mailboxFiles(maildir);
    if (files.length >= acceptedAt.size || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  files = mailboxFiles(maildir);

  const seen = new Map<string, number>();
  let lastDelivery = started;
  const latencies: number[] = [];
  for (const file of files) {
    const id = benchIdOf(file);
    if (!id || !acceptedAt.has(id)) continue;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const delivered = statSync(file).mtimeMs;
    lastDelivery = Math.max(lastDelivery, delivered);
    if (seen.get(id) === 1) latencies.push(Math.max(0, delivered - acceptedAt.get(id)!));
  }
  latencies.sort((a, b) => a - b);
  const delivered = [...seen.values()].reduce((n, c) => n + c, 0);
  const unique = seen.size;
  return {
    ...spec,
    accepted: acceptedAt.size,
    refused: refused.length,
    ...(refused[0] ? { firstRefusal: refused[0].reply } : {}),
    delivered,
    lost: acceptedAt.size - unique,
    duplicated: delivered - unique,
    messagesPerSecond: unique / ((lastDelivery - started) / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
