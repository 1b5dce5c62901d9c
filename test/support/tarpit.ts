/**
 * A dead-slow SMTP destination: it accepts TCP connections on each of its addresses and never
 * sends a greeting, so a Postfix delivery agent that connects waits out smtp_helo_timeout
 * (300 s) holding its process. It counts the connections it holds.
 */
import { createServer, type Server, type Socket } from "net";

/** Listeners on several addresses, port 25, that hold every connection silently. */
export class Tarpit {
  private readonly servers: Server[] = [];
  private readonly open = new Set<Socket>();
  /** Connections accepted so far, by the address connected to. */
  readonly accepted = new Map<string, number>();

  constructor(
    private readonly addresses: readonly string[],
    private readonly port = 25,
  ) {}

  /** Listen on every address. */
  async start(): Promise<void> {
    for (const address of this.addresses) {
      const server = createServer((socket) => {
        this.open.add(socket);
        this.accepted.set(address, (this.accepted.get(address) ?? 0) + 1);
        socket.on("error", () => undefined);
        socket.once("close", () => this.open.delete(socket));
      });
      this.servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(this.port, address, () => resolve());
      });
    }
  }

  /** Connections held right now. */
  holding(): number {
    return this.open.size;
  }

  /** Drop every connection (the waiting delivery agents see the connection close) and stop. */
  async stop(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
