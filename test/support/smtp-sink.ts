/**
 * A minimal SMTP server standing in for "the outside world": it records who connected (source
 * address), the HELO name, whether STARTTLS was used (and the SNI name), and each message. STARTTLS can be offered
 * or not, to test outbound TLS requirements.
 */
import { createServer, type Server, type Socket } from "net";
import { TLSSocket } from "tls";

/** One message as the sink saw it, with the session it came in. */
export interface SinkSession {
  readonly peerAddress: string;
  helo?: string;
  tls: boolean;
  /** The name the client asked for with SNI, once TLS is up (absent: no SNI). */
  serverName?: string;
  mailFrom?: string;
  recipients: string[];
  data?: string;
}

/** A test SMTP server. */
export class SmtpSink {
  readonly sessions: SinkSession[] = [];
  /** Whether EHLO advertises STARTTLS. */
  offerStartTls = false;
  /** Recipients refused for good at RCPT (550 5.1.1), so the sending server must bounce. */
  refuseRecipient: (address: string) => boolean = () => false;
  private server?: Server;
  private readonly open = new Set<Socket>();

  constructor(
    private readonly address: string,
    private readonly credentials: { key: string; cert: string },
    private readonly port = 25,
  ) {}

  /** Start listening. */
  start(): Promise<void> {
    this.server = createServer((socket) => {
      this.open.add(socket);
      socket.once("close", () => this.open.delete(socket));
      this.serve(socket);
    });
    return new Promise((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.port, this.address, () => resolve());
    });
  }

  /** The port it listens on (the one the system chose, when constructed with port 0). */
  listeningPort(): number {
    const address = this.server?.address();
    if (!address || typeof address === "string") throw new Error("the sink is not listening");
    return address.port;
  }

  /** Stop listening and drop connections. */
  stop(): Promise<void> {
    // Cached client connections (Postfix keeps them open a while) would keep the server alive.
    for (const socket of this.open) socket.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Every delivered message (a session may carry several: Postfix reuses connections). */
  messages(): SinkSession[] {
    return this.delivered;
  }

  private readonly delivered: SinkSession[] = [];

  /** Wait for a delivered message matching a predicate. */
  async waitForMessage(predicate: (s: SinkSession) => boolean, timeoutMs = 20_000): Promise<SinkSession> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages().find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message at the sink within ${timeoutMs} ms; sessions: ${JSON.stringify(this.sessions)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private serve(raw: Socket): void {
    const session: SinkSession = { peerAddress: raw.remoteAddress?.replace(/^::ffff:/, "") ?? "", tls: false, recipients: [] };
    this.sessions.push(session);
    let socket: Socket = raw;
    let buffer = "";
    let inData = false;
    let dataLines: string[] = [];
    const reply = (text: string) => socket.write(`${text}\r\n`);
    const onLine = (line: string) => {
      if (inData) {
        if (line === ".") {
          inData = false;
          session.data = dataLines.join("\r\n");
          this.delivered.push({ ...session, recipients: [...session.recipients] });
          session.recipients = [];
          reply("250 2.0.0 queued by sink");
        } else dataLines.push(line.startsWith("..") ? line.slice(1) : line);
        return;
      }
      const [verb = "", ...rest] = line.split(" ");
      switch (verb.toUpperCase()) {
        case "EHLO":
          session.helo = rest.join(" ");
          reply(`250-sink.test${!session.tls && this.offerStartTls ? "\r\n250-STARTTLS" : ""}\r\n250 8BITMIME`);
          break;
        case "HELO":
          session.helo = rest.join(" ");
          reply("250 sink.test");
          break;
        case "STARTTLS":
          if (!this.offerStartTls || session.tls) return void reply("502 5.5.1 not offered");
          reply("220 2.0.0 go ahead");
          socket.removeAllListeners("data");
          socket = new TLSSocket(raw, { isServer: true, key: this.credentials.key, cert: this.credentials.cert });
          socket.once("secure", () => {
            // The SNI name (Node types it only on the server-side socket of tls.Server).
            const name = (socket as unknown as { servername?: string | false }).servername;
            if (typeof name === "string" && name !== "") session.serverName = name;
          });
          session.tls = true;
          buffer = "";
          socket.on("data", onData);
          socket.on("error", () => undefined);
          break;
        case "MAIL":
          session.mailFrom = /<([^>]*)>/.exec(line)?.[1] ?? "";
          session.recipients = [];
          reply("250 2.1.0 ok");
          break;
        case "RCPT": {
          const recipient = /<([^>]*)>/.exec(line)?.[1] ?? "";
          if (this.refuseRecipient(recipient)) return void reply("550 5.1.1 no such user here (test sink)");
          session.recipients.push(recipient);
          reply("250 2.1.5 ok");
          break;
        }
        case "DATA":
          inData = true;
          dataLines = [];
          reply("354 go ahead");
          break;
        case "RSET":
          session.recipients = [];
          reply("250 ok");
          break;
        case "NOOP":
          reply("250 ok");
          break;
        case "QUIT":
          reply("221 bye");
          socket.end();
          break;
        default:
          reply("502 5.5.2 unknown command");
      }
    };
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      let index: number;
      while ((index = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        onLine(line);
      }
    };
    raw.on("data", onData);
    raw.on("error", () => undefined);
    reply("220 sink.test ESMTP test sink");
  }
}
