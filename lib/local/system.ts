/**
 * The bits of this machine a local instance (and the mail benchmark's stock instance beside it)
 * needs: accounts, owned directories, addresses on the loopback interface, open ports.
 */
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, chownSync, mkdirSync } from "fs";
import { Socket } from "net";

/** Numeric uid of a user and gid of a group (the user's name by default). */
export function account(user: string, group = user): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim()),
    gid: Number(execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2]),
  };
}

/** Create a directory with exactly `mode`, owned by `user`:`group` when given. */
export function ownedDirectory(path: string, mode: number, user?: string, group?: string): void {
  mkdirSync(path, { recursive: true, mode });
  if (user) {
    const { uid, gid } = account(user, group);
    chownSync(path, uid, gid);
  }
  // mkdir's mode is filtered by the umask; setgid and exact bits need an explicit chmod.
  chmodSync(path, mode);
}

/** Whether the loopback interface carries `address` (as a /32). */
export function hasLoopbackAddress(address: string): boolean {
  return spawnSync("ip", ["-4", "-o", "addr", "show", "dev", "lo"], { encoding: "utf8" }).stdout.includes(` ${address}/32 `);
}

/** Take `address` off the loopback interface, if it is there. */
export function removeLoopbackAddress(address: string): void {
  if (hasLoopbackAddress(address)) spawnSync("ip", ["addr", "del", `${address}/32`, "dev", "lo"], { stdio: "ignore" });
}

/** Whether something accepts a TCP connection on `address`:`port` within `timeoutMs` (default half a second). */
export function accepts(address: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.setTimeout(timeoutMs);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, address);
  });
}
