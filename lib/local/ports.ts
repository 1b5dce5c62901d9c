/** The ports a local instance listens on: the standard ones where free. */
import { createServer } from "net";
import type { PlatformSpec, ServiceName } from "../model/schema";
import { SERVICES } from "../catalogue/services";
import { LocalInstanceError } from "./instance-error";

function canListen(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

/**
 * Standard ports where free on every group address; otherwise 10000 + the standard port.
 * @param reserved ports no service may take (the host-to-host channel's). @default - none
 */
export async function choosePorts(
  spec: PlatformSpec,
  addresses: readonly string[],
  reserved: readonly number[] = [],
): Promise<Partial<Record<ServiceName, number>>> {
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const service of SERVICES.filter((s) => spec.services[s.name])) {
    for (const candidate of [service.port, 10000 + service.port].filter((p) => !reserved.includes(p))) {
      const free = await Promise.all(addresses.map((a) => canListen(candidate, a)));
      if (free.every(Boolean)) {
        ports[service.name] = candidate;
        break;
      }
    }
    if (ports[service.name] === undefined)
      throw new LocalInstanceError(`no free port for ${service.name} (${service.port} and ${10000 + service.port} are taken)`);
  }
  return ports;
}

/** Fail unless every address and port is free (a joining instance takes the ports of the instance it joins). */
export async function requireFree(targets: ReadonlyArray<readonly [string, number]>, why: string): Promise<void> {
  const taken: string[] = [];
  for (const [address, port] of targets) if (!(await canListen(port, address))) taken.push(`${address}:${port}`);
  if (taken.length > 0) throw new LocalInstanceError(`${taken.join(", ")} ${taken.length === 1 ? "is" : "are"} taken; ${why}`);
}
