/**
 * A line-oriented client for SMTP, IMAP and POP3 probes that need exact bytes on the wire
 * (bare LF sequences) or raw protocol dialogues, with an in-place TLS upgrade.
 */
import { Socket, connect as tcpConnect } from "net";
import { connect as tlsConnect, type TLSSocket } from "tls";

/** A connected client. */
export class TextClient {
  private buffer = "";
  private waiters: Array<() => void> = [];
  private closed = false;

  private constructor(private socket: Socket | TLSSocket) {
    this.attach();
  }

  /** Open a plain TCP connection (optionally from a given local address). */
  static async plain(host: string, port: number, localAddress?: string): Promise<TextClient> {
    const socket = tcpConnect({ host, port, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("error", reject);
    });
    return new TextClient(socket);
  }

  /**
   * An SMTP session of an internet peer on port 25, ready for MAIL FROM: greeting read, the peer's
   * address and name set by XCLIENT (the server authorizes loopback for it), STARTTLS done and
   * EHLO said again over TLS. Fails the test when the server refuses XCLIENT or STARTTLS.
   */
  static async outsidePeerOverTls(host: string, port: number, peer: { addr: string; name: string; helo: string; servername: string }): Promise<TextClient> {
    const client = await TextClient.plain(host, port);
    await client.smtpReply();
    await client.smtp(`EHLO ${peer.helo}`);
    const xclient = (await client.smtp(`XCLIENT ADDR=${peer.addr} NAME=${peer.name}`)).pop()!;
    if (!xclient.startsWith("220 ")) throw new Error(`XCLIENT refused: ${xclient}`);
    await client.smtp(`EHLO ${peer.helo}`);
    const starttls = (await client.smtp("STARTTLS")).pop()!;
    if (!starttls.startsWith("220 ")) throw new Error(`STARTTLS refused: ${starttls}`);
    await client.upgrade(peer.servername);
    await client.smtp(`EHLO ${peer.helo}`);
    return client;
  }

  /** Open a TLS connection from the first byte (implicit TLS), optionally from a given local address. */
  static async tls(host: string, port: number, servername: string, localAddress?: string): Promise<TextClient> {
    const socket = tlsConnect({ host, port, servername, rejectUnauthorized: false, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", () => resolve());
      socket.once("error", reject);
    });
    return new TextClient(socket);
  }

  private attach(): void {
    this.socket.on("data", (chunk: Buffer) => {
      this.buffer += chunk.toString("latin1");
      this.wake();
    });
    this.socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on("error", () => undefined);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  /** Send bytes exactly as given. */
  write(raw: string): void {
    this.socket.write(Buffer.from(raw, "latin1"));
  }

  /** Read lines until one matches; returns all lines read. Times out with what was read. */
  async readUntil(done: (line: string) => boolean, timeoutMs = 15_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const lines: string[] = [];
    for (;;) {
      let index: number;
      while ((index = this.buffer.indexOf("\r\n")) >= 0) {
        const line = this.buffer.slice(0, index);
        this.buffer = this.buffer.slice(index + 2);
        lines.push(line);
        if (done(line)) return lines;
      }
      if (this.closed) throw new Error(`connection closed; read: ${JSON.stringify(lines)}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timeout; read: ${JSON.stringify(lines)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Whether any bytes arrive within a time (for "the server must stay silent"). */
  async silentFor(ms: number): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.buffer.length === 0;
  }

  /** Read one SMTP reply (its last line has a blank after the code). */
  async smtpReply(): Promise<string[]> {
    return this.readUntil((line) => /^\d{3} /.test(line));
  }

  /** Send an SMTP command and read the reply. */
  async smtp(command: string): Promise<string[]> {
    this.write(`${command}\r\n`);
    return this.smtpReply();
  }

  /** Upgrade the connection to TLS in place (after STARTTLS/STLS was accepted). */
  async upgrade(servername: string): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("close");
    const secure = tlsConnect({ socket: plain, servername, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
    });
    this.socket = secure;
    this.buffer = "";
    this.attach();
  }

  /** Close the connection. */
  close(): void {
    this.socket.destroy();
  }
}
