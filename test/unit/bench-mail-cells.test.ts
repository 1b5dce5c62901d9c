/**
 * The mail benchmark counts every message in the mailbox: a message accepted but never delivered
 * is lost, one delivered twice is duplicated, and the latency is measured per message. Checked
 * against a stand-in server whose "delivery" drops one message and doubles another.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { runCell } from "../../bench/mail/cells";
import { SmtpSink } from "../support/smtp-sink";

test("a dropped message counts as lost, a doubled one as duplicated, the rest with their latency", async () => {
  const maildir = mkdtempSync(join(tmpdir(), "bench-cells-"));
  mkdirSync(join(maildir, "new"));
  const sink = new SmtpSink("127.0.0.1", { key: "", cert: "" }, 0);
  await sink.start();
  let delivered = 0;
  const deliver = setInterval(() => {
    for (; delivered < sink.messages().length; delivered++) {
      const data = sink.messages()[delivered]!.data;
      if (data === undefined) break;
      const id = /^X-Bench-Id: (\S+)/m.exec(data)![1]!;
      if (id.endsWith("-3")) continue; // lost
      const copies = id.endsWith("-5") ? 2 : 1; // duplicated
      for (let copy = 0; copy < copies; copy++) writeFileSync(join(maildir, "new", `${id}.${copy}`), data);
    }
  }, 5);
  try {
    const result = await runCell(
      { target: "stand in", port: 25, concurrency: 4, messageBytes: 2048, messages: 10 },
      { host: "127.0.0.1", port: sink.listeningPort(), security: "plain", helo: "client.example" },
      { from: "a@outside.example", to: "b@bench.example" },
      maildir,
      2_000,
    );
    expect(result).toMatchObject({ accepted: 10, refused: 0, delivered: 10, lost: 1, duplicated: 1 });
    expect(result.p50Ms).toBeGreaterThanOrEqual(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    expect(result.messagesPerSecond).toBeGreaterThan(0);
  } finally {
    clearInterval(deliver);
    await sink.stop();
    rmSync(maildir, { recursive: true, force: true });
  }
});
