/** Starting and stopping the stand-ins' servers the same way everywhere. */
import type { Server } from "net";

/** Listen on an address and port; rejects when the address cannot be bound. */
export function listenOn(server: Server, port: number, address: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve());
  });
}

/** Stop listening and drop open connections (clients may keep them alive). */
export async function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
