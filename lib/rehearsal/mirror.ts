/**
 * The Debian mirror as the host reaches it: the host resolves `deb.debian.org` to this forwarder,
 * which passes each request on to the real mirror this machine uses. Packages stay Debian's,
 * signed and checked by apt inside the host as on EC2; only Debian's mirror names are forwarded.
 */
import { createServer, request, type Server } from "http";
import { closeServer, listenOn } from "./listening";

/** The mirror names a Debian cloud image's apt sources use. */
export const DEBIAN_MIRROR_NAMES: readonly string[] = ["deb.debian.org", "security.debian.org"];

/** Totals of what went through the forwarder. */
export interface MirrorTraffic {
  requests: number;
  bytes: number;
  refused: number;
}

/** An HTTP forwarder to Debian's mirror. */
export class MirrorForwarder {
  private server?: Server;
  readonly traffic: MirrorTraffic = { requests: 0, bytes: 0, refused: 0 };

  constructor(
    private readonly address: string,
    private readonly port = 80,
  ) {}

  /** Listen on the stand-in address. */
  async start(): Promise<void> {
    this.server = createServer((incoming, outgoing) => {
      const host = (incoming.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
      if (!DEBIAN_MIRROR_NAMES.includes(host)) {
        this.traffic.refused++;
        outgoing.writeHead(403, { "content-type": "text/plain" }).end(`the rehearsal forwards only Debian's mirror, not ${host}\n`);
        return;
      }
      this.traffic.requests++;
      const upstream = request({ host, port: 80, method: incoming.method, path: incoming.url, headers: incoming.headers, timeout: 60_000 }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on("data", (chunk: Buffer) => (this.traffic.bytes += chunk.length));
        answer.pipe(outgoing);
      });
      upstream.on("timeout", () => upstream.destroy(new Error("timeout")));
      upstream.on("error", (error) => {
        if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
        outgoing.end(`mirror unreachable: ${error.message}\n`);
      });
      incoming.pipe(upstream);
    });
    await listenOn(this.server, this.port, this.address);
  }

  /** Stop listening. */
  async stop(): Promise<void> {
    if (!this.server) return;
    await closeServer(this.server);
    this.server = undefined;
  }
}
