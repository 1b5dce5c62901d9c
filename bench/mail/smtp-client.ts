/**
 * A minimal SMTP client for the mail benchmark: one message per connection, as an MX peer or a
 * mail client sends, from a chosen local address (an outside peer on port 25), with STARTTLS or
 * implicit TLS, and AUTH PLAIN. Postfix's smtp-source cannot authenticate, so the benchmark
 * brings its own.
 */
import { connect as connectTcp, type Socket } from "net";
import { connect as connectTls, type TLSSocket } from "tls";

/** How to reach the server and what to say before MAIL FROM. */
export interface SmtpSession {
  readonly host: string;
  readonly port: number;
  /** `plain` (port 25), `starttls` (587), `tls` (465). */
  readonly security: "plain" | "starttls" | "tls";
  /** CA certificate(s) that issued the server's certificate (PEM). */
  readonly ca?: string;
  /** Name to verify the server certificate for. */
  readonly servername?: string;
  /** Connect from this local address (one outside `mynetworks`, so postscreen and DNSBL apply); plain and STARTTLS sessions. */
  readonly localAddress?: string;
  readonly auth?: { readonly user: string; readonly password: string };
  readonly helo: string;
}

/** One message: envelope and the complete RFC 5322 text (CRLF line ends, dot-stuffed by the client). */
export interface SmtpMessage {
  readonly from: string;
  readonly to: string;
  readonly data: string;
}

/** The outcome of one message. */
export interface SmtpOutcome {
  /** Whether the server accepted the message (250 after the data). */
  readonly accepted: boolean;
  /** The last reply, for failures. */
  readonly reply: string;
  /** Wall-clock milliseconds (sub-millisecond, comparable to file mtimes) when the end of data was handed to the kernel. */
  readonly dataEndMs?: number;
}

class ReplyReader {
  private buffer = "";
  private waiting?: { resolve: (reply: string) => void; reject: (error: Error) => void };
  private queue: string[] = [];
  private failure?: Error;

  constructor(socket: Socket | TLSSocket) {
    this.attach(socket);
  }

  attach(socket: Socket | TLSSocket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.feed(chunk));
    socket.on("error", (error: Error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("connection closed")));
  }

  detach(socket: Socket | TLSSocket): void {
    socket.removeAllListeners("data");
    socket.removeAllListeners("error");
    socket.removeAllListeners("close");
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    // A reply ends with a line "ddd text" (space after the code); "ddd-text" lines continue it.
    for (;;) {
      const match = /(^|\n)(\d{3}) [^\n]*\r?\n/.exec(this.buffer);
      if (!match) return;
      const end = match.index + match[0].length;
      this.queue.push(this.buffer.slice(0, end).trimEnd());
      this.buffer = this.buffer.slice(end);
      this.flush();
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.flush();
  }

  private flush(): void {
    if (!this.waiting) return;
    const next = this.queue.shift();
    if (next !== undefined) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(next);
    } else if (this.failure) {
      const { reject } = this.waiting;
      this.waiting = undefined;
      reject(this.failure);
    }
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.flush();
    });
  }
}

function code(reply: string): number {
  return Number(reply.slice(0, 3));
}

function lastLine(reply: string): string {
  return reply.split("\n").pop()!;
}

/** Send one message in its own connection. Never throws: failures come back as not accepted. */
export async function sendOne(session: SmtpSession, message: SmtpMessage, timeoutMs = 120_000): Promise<SmtpOutcome> {
  let socket: Socket | TLSSocket | undefined;
  const timer = setTimeout(() => socket?.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const tlsOptions = { ca: session.ca, servername: session.servername, minVersion: "TLSv1.2" as const };
    socket =
      session.security === "tls"
        ? connectTls({ host: session.host, port: session.port, ...tlsOptions })
        : connectTcp({ host: session.host, port: session.port, localAddress: session.localAddress });
    let reader = new ReplyReader(socket);
    const expect = async (wanted: number, sent: string): Promise<string> => {
      const reply = await reader.next();
      if (code(reply) !== wanted) throw new Error(`${sent}: ${lastLine(reply)}`);
      return reply;
    };
    const say = async (line: string, wanted: number): Promise<string> => {
      socket!.write(`${line}\r\n`);
      return expect(wanted, line.split(" ")[0]!);
    };
    await expect(220, "greeting");
    await say(`EHLO ${session.helo}`, 250);
    if (session.security === "starttls") {
      await say("STARTTLS", 220);
      const plain = socket;
      reader.detach(plain);
      socket = connectTls({ socket: plain, ...tlsOptions });
      reader = new ReplyReader(socket);
      await new Promise<void>((resolve, reject) => {
        (socket as TLSSocket).once("secureConnect", () => resolve());
        (socket as TLSSocket).once("error", reject);
      });
      await say(`EHLO ${session.helo}`, 250);
    }
    if (session.auth) {
      const token = Buffer.from(`\u0000${session.auth.user}\u0000${session.auth.password}`).toString("base64");
      await say(`AUTH PLAIN ${token}`, 235);
    }
    await say(`MAIL FROM:<${message.from}>`, 250);
    await say(`RCPT TO:<${message.to}>`, 250);
    await say("DATA", 354);
    const body = message.data.replace(/^\./gm, "..");
    let dataEndMs = 0;
    socket.write(`${body}${body.endsWith("\r\n") ? "" : "\r\n"}.\r\n`, () => (dataEndMs = performance.timeOrigin + performance.now()));
    const reply = await reader.next();
    // The write callback runs before the reply is read in practice; never report a zero start.
    if (dataEndMs === 0) dataEndMs = performance.timeOrigin + performance.now();
    socket.write("QUIT\r\n");
    socket.end();
    return code(reply) === 250 ? { accepted: true, reply: lastLine(reply), dataEndMs } : { accepted: false, reply: lastLine(reply) };
  } catch (error) {
    socket?.destroy();
    return { accepted: false, reply: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Send `count` messages over `concurrency` parallel connections; returns outcomes in message order. */
export async function sendMany(session: SmtpSession, count: number, concurrency: number, messageAt: (index: number) => SmtpMessage): Promise<SmtpOutcome[]> {
  const outcomes: SmtpOutcome[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      outcomes[index] = await sendOne(session, messageAt(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return outcomes;
}
