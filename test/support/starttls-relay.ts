/**
 * A relay that does ManageSieve's STARTTLS (RFC 5804) for a TLS scanner that does not know the
 * protocol (testssl.sh 3.0 has no `-t sieve`): each connection to the relay opens one to the
 * server, reads the greeting, sends STARTTLS, waits for its OK, and from then on passes bytes
 * through unchanged. The TLS handshake is the scanner's with the server itself; the relay never
 * sees plaintext after STARTTLS and holds no key.
 */
import { connect, createServer, type Server, type Socket } from "net";

/** A running relay. */
export interface StarttlsRelay {
  readonly port: number;
  close(): Promise<void>;
}

/** Start a relay on `address` (a free port) to the ManageSieve server at `target`. */
export function startSieveStarttlsRelay(address: string, target: { host: string; port: number }): Promise<StarttlsRelay> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    client.pause();
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once("close", () => open.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // A server that never answers does not hold the scanner's connection for ever.
    const timer = setTimeout(() => client.destroy(), 30_000);
    let text = "";
    let sent = false;
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1");
      // The greeting's capability lines end with an OK line; the answer to STARTTLS is one more.
      const okLines = text.split("\r\n").filter((l) => /^OK\b/i.test(l)).length;
      if (!sent && okLines >= 1) {
        sent = true;
        upstream.write("STARTTLS\r\n");
      } else if (sent && okLines >= 2 && text.endsWith("\r\n")) {
        clearTimeout(timer);
        upstream.off("data", onData);
        upstream.pipe(client);
        client.pipe(upstream);
        client.resume();
      }
    };
    upstream.on("data", onData);
    client.once("close", () => {
      clearTimeout(timer);
      upstream.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, address, () => {
      const bound = server.address();
      if (!bound || typeof bound === "string") return reject(new Error("relay has no port"));
      resolve({
        port: bound.port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of open) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
