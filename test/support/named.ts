/** A real named serving given zones on one loopback address, for DNS integration tests. */
import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { loopbackPlan, stateLayout } from "../../lib/local/conventions";
import { writeDnsServer } from "../../lib/local/dns-server";
import { pidFromFile, waitGone } from "../../lib/local/processes";

/** A running named. */
export interface RunningNamed {
  readonly address: string;
  stop(): Promise<void>;
}

/** Start named for the zones (zone name → zone text) on `<block>.53`. */
export async function startNamed(zones: ReadonlyMap<string, string>, block: string): Promise<RunningNamed> {
  const dir = mkdtempSync(join(tmpdir(), "mail-platform-named-"));
  chmodSync(dir, 0o755);
  const layout = stateLayout(dir);
  const loopback = loopbackPlan(block);
  const conf = writeDnsServer(layout, loopback, zones);
  spawnSync("ip", ["addr", "add", `${loopback.dns}/32`, "dev", "lo"], { stdio: "ignore" });
  const started = spawnSync("named", ["-c", conf], { stdio: "ignore" });
  if (started.status !== 0) throw new Error("named did not start");
  const deadline = Date.now() + 10_000;
  while (
    spawnSync("dig", ["+short", "+time=1", "+tries=1", `@${loopback.dns}`, "SOA", [...zones.keys()][0]!]).status !== 0 ||
    !pidFromFile(join(layout.dns, "named.pid"))
  ) {
    if (Date.now() > deadline) throw new Error("named did not answer");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    address: loopback.dns,
    async stop() {
      const pid = pidFromFile(join(layout.dns, "named.pid"));
      if (pid) {
        process.kill(pid, "SIGTERM");
        await waitGone([pid], 10_000);
      }
      spawnSync("ip", ["addr", "del", `${loopback.dns}/32`, "dev", "lo"], { stdio: "ignore" });
    },
  };
}

/** The answer values of a query, as dig +short prints them (TXT strings joined). */
export function dig(server: string, type: string, name: string): string[] {
  const out = spawnSync("dig", ["+short", "+time=2", "+tries=1", `@${server}`, type, name], { encoding: "utf8" }).stdout.trim();
  if (out === "") return [];
  return out.split("\n").map((line) => {
    if (type === "TXT") return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1")).join("");
    // dig prints TLSA data in uppercase hex broken by blanks.
    if (type === "TLSA") return line.replace(/^(\d+ \d+ \d+) (.*)$/, (_m, head: string, hex: string) => `${head} ${hex.replace(/ /g, "").toLowerCase()}`);
    return line;
  });
}
