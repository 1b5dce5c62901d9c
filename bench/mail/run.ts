/**
 * The mail benchmark (`npm run bench:mail`, root): the platform's rendered Postfix + Dovecot
 * (through `mail-platform local`, on loopback) against stock Debian Postfix + Dovecot on another
 * loopback address, in the same run. Inbound on 25 (an outside peer, screened by postscreen) and submission
 * on 587/465 (AUTH, DKIM signing), 1 and 20 connections, 10 KB and 1 MB messages; each protection's
 * cost by a variant without it. Every message is counted in the mailbox: none lost, none duplicated.
 *
 * Options: `--out <file>` (default bench/mail-results.md), `--scale <factor>` for the message
 * counts (default 1), `--repetitions <n>` of every cell (default 3; figures are medians),
 * `--time-to-serve` also boots the rehearsal host three times (see time-to-serve.ts).
 */
import { execFileSync } from "child_process";
import { readFileSync, writeFileSync } from "fs";
import { cpus } from "os";
import { join } from "path";
import { readLocalState, type LocalState } from "../../lib/local/state";
import { localDown } from "../../lib/local/stop";
import { localUp } from "../../lib/local/up";
import { stateLayout } from "../../lib/local/conventions";
import { hasLoopbackAddress } from "../../lib/local/system";
import type { PlatformInput } from "../../lib/model/schema";
import { MAX_SENDING_LIMIT } from "../../lib/model/sending-limits";
import { parsePlatform } from "../../lib/validation/validate";
import { benchMessage, nowMs, runCell, type CellResult, type CellSpec } from "./cells";
import { sendOne, type SmtpSession } from "./smtp-client";
import { startStockInstance, type StockInstance } from "./stock-instance";
import { measureTimeToServe, type TimeToServe } from "./time-to-serve";

const ROOT = join(__dirname, "..", "..");
const DOMAIN = "bench.example";
/**
 * The outside peer on port 25: an address on the loopback interface outside 127/8, so neither
 * server counts it in `mynetworks` — postscreen screens it (DNSBL query, greeting test; its
 * verdict is cached as for a real peer) and the recipient restrictions apply in full.
 */
const OUTSIDE_PEER = "192.0.2.25";

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

const OUT = option("out", join(ROOT, "bench", "mail-results.md"));
const SCALE = Number(option("scale", "1"));
const TIME_TO_SERVE = process.argv.includes("--time-to-serve");
const REPETITIONS = Number(option("repetitions", "3"));

/** The largest sending limit the model allows. */
const BENCH_LIMIT = MAX_SENDING_LIMIT;

type Variant = "all" | "no-dnsbl" | "no-dkim" | "no-filter";

/**
 * The benchmarked platform: one group, DNSBL on port 25 (postscreen), DKIM signing, rspamd's
 * content filter with sending limits. A variant lacks one protection.
 */
function benchModel(variant: Variant): PlatformInput {
  const dkimKey = readFileSync(join(ROOT, "examples", "customer-groups", "platform.yaml"), "utf8").match(/^\s+publicKey: (\S+)/m)![1]!;
  return {
    name: "bench-mail",
    hosts: [{ name: "mx1" }],
    groups: [{ name: "bench", domains: [{ name: DOMAIN }], addresses: [{ host: "mx1", privateIp: "10.0.1.11", hostName: `mail.${DOMAIN}` }] }],
    ...(variant === "no-dkim" ? {} : { dkim: { selector: "bench", publicKey: dkimKey, privateKeyParameter: "/bench/dkim" } }),
    ...(variant === "no-dnsbl" ? {} : { dnsbl: { threshold: 1, sites: [{ zone: "dnsbl.bench.example", weight: 1 }] } }),
    // Without rspamd there is no content filter and no sending limit (rspamd counts them).
    ...(variant === "no-filter"
      ? { contentFilter: { enabled: false } }
      : {
          // One user sends every submission cell (hundreds of messages): the limits stay on (rspamd's
          // checks are part of the measured cost) at values the bench never reaches.
          sendingLimits: {
            perUser: { messagesPerHour: BENCH_LIMIT, messagesPerDay: BENCH_LIMIT, recipientsPerDay: BENCH_LIMIT },
            perGroup: { messagesPerHour: BENCH_LIMIT, messagesPerDay: BENCH_LIMIT },
          },
        }),
  };
}

/** Message counts per cell: bounded, enough for a p99 at 20 connections. */
function cells(target: string, ports: readonly (25 | 587 | 465)[]): CellSpec[] {
  const count = (n: number) => Math.max(5, Math.round(n * SCALE));
  return ports.flatMap((port) => [
    { target, port, concurrency: 1, messageBytes: 10_240, messages: count(40) },
    { target, port, concurrency: 20, messageBytes: 10_240, messages: count(400) },
    { target, port, concurrency: 1, messageBytes: 1_048_576, messages: count(20) },
    { target, port, concurrency: 20, messageBytes: 1_048_576, messages: count(60) },
  ]);
}

interface Server {
  readonly label: string;
  session(port: 25 | 587 | 465): SmtpSession;
  readonly maildir: string;
  readonly user: { name: string; password: string };
}

function platformServer(label: string, state: LocalState): Server {
  const address = Object.values(state.addresses)[0]!;
  const ca = readFileSync(state.caFile, "utf8");
  const [local, domain] = state.user.name.split("@");
  return {
    label,
    user: state.user,
    maildir: join(stateLayout(state.stateDir).mail, domain!, local!, "Maildir"),
    session: (port) =>
      port === 25
        ? { host: address, port: state.ports.smtp!, security: "plain", localAddress: OUTSIDE_PEER, helo: "mx.outside.example" }
        : {
            host: address,
            port: port === 587 ? state.ports.submission! : state.ports.submissions!,
            security: port === 587 ? "starttls" : "tls",
            ca,
            servername: `mail.${DOMAIN}`,
            auth: { user: state.user.name, password: state.user.password },
            helo: "client.example",
          },
  };
}

function stockServer(stock: StockInstance, user: { name: string; password: string }): Server {
  const ca = readFileSync(stock.caFile, "utf8");
  return {
    label: "stock",
    user,
    maildir: stock.maildir(user.name),
    session: (port) =>
      port === 25
        ? { host: stock.address, port, security: "plain", localAddress: OUTSIDE_PEER, helo: "mx.outside.example" }
        : {
            host: stock.address,
            port,
            security: port === 587 ? "starttls" : "tls",
            ca,
            servername: stock.hostName,
            auth: { user: user.name, password: user.password },
            helo: "client.example",
          },
  };
}

async function measure(server: Server, specs: readonly CellSpec[], log: (line: string) => void): Promise<CellResult[]> {
  const results: CellResult[] = [];
  for (const spec of specs) {
    // Inbound mail comes from outside; submitted mail is the user's own.
    const envelope = spec.port === 25 ? { from: "peer@outside.example", to: server.user.name } : { from: server.user.name, to: server.user.name };
    const result = await runCell(spec, server.session(spec.port), envelope, server.maildir);
    log(
      `${spec.target} :${spec.port} c=${spec.concurrency} ${spec.messageBytes >= 1_048_576 ? "1 MB" : "10 KB"} ×${spec.messages}: ` +
        `${result.messagesPerSecond.toFixed(1)} msg/s, p50 ${result.p50Ms.toFixed(0)} ms, p99 ${result.p99Ms.toFixed(0)} ms, ` +
        `accepted ${result.accepted}, lost ${result.lost}, duplicated ${result.duplicated}${result.firstRefusal ? `, refused ${result.refused}: ${result.firstRefusal}` : ""}`,
    );
    results.push(result);
  }
  return results;
}

/** What to stop when the run is interrupted (Ctrl-C): the instances started so far. */
const running = new Set<() => Promise<unknown> | void>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench:mail: ${signal}, stopping the instances\n`);
    void Promise.allSettled([...running].map((stop) => stop())).finally(() => process.exit(130));
  });
}

async function withPlatform<T>(variant: Variant, block: string, use: (state: LocalState) => Promise<T>): Promise<T> {
  const stateDir = `/tmp/mail-bench-${variant}`;
  await localDown(stateDir).catch(() => undefined);
  const stop = () => localDown(stateDir);
  running.add(stop);
  try {
    await localUp(parsePlatform(benchModel(variant)), { stateDir, loopbackBlock: block });
    return await use(readLocalState(stateDir));
  } finally {
    await localDown(stateDir);
    running.delete(stop);
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("bench:mail needs root (it runs Postfix and Dovecot on loopback)");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const all: CellResult[] = [];
  const started = Date.now();
  const peerAdded = !hasLoopbackAddress(OUTSIDE_PEER);
  if (peerAdded) execFileSync("ip", ["addr", "add", `${OUTSIDE_PEER}/32`, "dev", "lo"]);
  try {
    await measureAll(all, log);
  } finally {
    if (peerAdded) execFileSync("ip", ["addr", "del", `${OUTSIDE_PEER}/32`, "dev", "lo"]);
  }
  // After the mail cells, on a quiet machine: three fresh boots of the rehearsal host.
  const timeToServe = TIME_TO_SERVE ? await measureTimeToServe({ runs: 3, release: "trixie", log }) : undefined;
  const report = renderReport(all, (Date.now() - started) / 1000, timeToServe);
  writeFileSync(OUT, report);
  process.stdout.write(report);
}

/**
 * The first message of a new outside peer, not counted in the cells: postscreen holds a peer it
 * has not seen for its greeting test (postscreen_greet_wait) and caches the verdict
 * (postscreen_greet_ttl, a day), so only the first contact pays it.
 */
async function firstContactSeconds(server: Server): Promise<number> {
  const started = nowMs();
  const outcome = await sendOne(server.session(25), {
    from: "peer@outside.example",
    to: server.user.name,
    data: benchMessage(`first-contact-${Date.now()}`, "peer@outside.example", server.user.name, 1024),
  });
  if (!outcome.accepted) throw new Error(`${server.label}: the first message of a new peer was refused: ${outcome.reply}`);
  return (nowMs() - started) / 1000;
}

const firstContact = new Map<string, number>();

/** Start the platform's variants and the stock instance side by side, all on loopback. */
async function measureAll(all: CellResult[], log: (line: string) => void): Promise<void> {
  await withPlatform("all", "127.0.41", (state) =>
    withPlatform("no-dnsbl", "127.0.42", (noDnsbl) =>
      withPlatform("no-dkim", "127.0.43", (noDkim) =>
        withPlatform("no-filter", "127.0.44", async (noFilter) => {
          const stock = await startStockInstance({
            stateDir: "/tmp/mail-bench-stock",
            address: "127.0.50.1",
            domain: DOMAIN,
            user: state.user,
            dnsServer: state.dnsServer,
          });
          running.add(stock.stop);
          try {
            const servers = [
              { server: platformServer("platform", state), ports: [25, 587, 465] },
              { server: stockServer(stock, state.user), ports: [25, 587, 465] },
              { server: platformServer("without postscreen/DNSBL", noDnsbl), ports: [25] },
              // OpenDKIM signs submitted mail. On port 25 it sees loopback clients only (rspamd verifies
              // inbound mail): the outside peer's mail never reaches it, so no port-25 variant.
              { server: platformServer("without OpenDKIM", noDkim), ports: [587, 465] },
              // rspamd scans inbound and submitted mail and counts the sending limits.
              { server: platformServer("without rspamd (content filter, limits)", noFilter), ports: [25, 587, 465] },
            ] as const;
            for (const { server } of servers) firstContact.set(server.label, await firstContactSeconds(server));
            // Every cell of every server, then the next repetition: all see the same machine state,
            // and each figure is the median of its repetitions.
            const repetitions: CellResult[][] = [];
            for (let repetition = 0; repetition < REPETITIONS; repetition++) {
              log(`repetition ${repetition + 1} of ${REPETITIONS}`);
              const round: CellResult[] = [];
              for (const port of [25, 587, 465] as const) {
                for (const { server, ports } of servers) {
                  if ((ports as readonly number[]).includes(port)) round.push(...(await measure(server, cells(server.label, [port]), log)));
                }
              }
              repetitions.push(round);
            }
            all.push(...medianCells(repetitions));
          } finally {
            stock.stop();
            running.delete(stock.stop);
          }
        }),
      ),
    ),
  );
}

/** Per cell, the median throughput and latency of the repetitions; losses and duplicates summed. */
function medianCells(repetitions: readonly CellResult[][]): CellResult[] {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return repetitions[0]!.map((first, index) => {
    const runs = repetitions.map((round) => round[index]!);
    const sum = (pick: (r: CellResult) => number) => runs.reduce((n, r) => n + pick(r), 0);
    return {
      ...first,
      messages: sum((r) => r.messages),
      accepted: sum((r) => r.accepted),
      refused: sum((r) => r.refused),
      delivered: sum((r) => r.delivered),
      lost: sum((r) => r.lost),
      duplicated: sum((r) => r.duplicated),
      messagesPerSecond: median(runs.map((r) => r.messagesPerSecond)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
    };
  });
}

/** The issue's targets, judged on the cells of the platform with every protection against stock. */
function targetLines(results: readonly CellResult[]): string[] {
  const key = (r: CellSpec) => `${r.port}|${r.concurrency}|${r.messageBytes}`;
  const stock = new Map(results.filter((r) => r.target === "stock").map((r) => [key(r), r]));
  const pairs = results.filter((r) => r.target === "platform").map((r) => [r, stock.get(key(r))!] as const);
  const worstThroughput = Math.min(...pairs.map(([p, s]) => p.messagesPerSecond / s.messagesPerSecond));
  const worstP99 = Math.max(...pairs.map(([p, s]) => p.p99Ms / s.p99Ms));
  const clean = results.every((r) => r.lost === 0 && r.duplicated === 0);
  const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
  return [
    `- ${verdict(worstThroughput >= 0.8)}: throughput ≥ 0.8× stock in every cell (worst ${worstThroughput.toFixed(2)}×)`,
    `- ${verdict(worstP99 <= 2)}: p99 latency ≤ 2× stock in every cell (worst ${worstP99.toFixed(2)}×)`,
    `- ${verdict(clean)}: zero lost, zero duplicated in every cell`,
  ];
}

function timeToServeLines(t: TimeToServe): string[] {
  const seconds = (v: number | null) => (v === null ? "failed" : `${v.toFixed(1)} s`);
  return [
    `Time to serve (deploy rehearsal, ${t.os}, packages in the image's apt cache, medians of ${t.runs.length} fresh boots):`,
    `- first boot → every listener answers: ${seconds(t.median.bootToServingSeconds)} (runs: ${t.runs.map((r) => seconds(r.bootToServingSeconds)).join(", ")}; target ≤ 120 s)`,
    `- configuration change → live on the host: ${seconds(t.median.changeToLiveSeconds)} (runs: ${t.runs.map((r) => seconds(r.changeToLiveSeconds)).join(", ")}; target ≤ 10 s)`,
    "",
  ];
}

/** The release and the daemons' versions the figures belong to. */
function programVersions(): string {
  const release = /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "unknown system";
  const postfix = execFileSync("postconf", ["-dh", "mail_version"], { encoding: "utf8" }).trim();
  const dovecot = execFileSync("dovecot", ["--version"], { encoding: "utf8" }).trim().split(" ")[0];
  return `${release}, Postfix ${postfix}, Dovecot ${dovecot}`;
}

function renderReport(results: readonly CellResult[], seconds: number, timeToServe?: TimeToServe): string {
  const cpu = cpus();
  const key = (r: CellSpec) => `${r.port}|${r.concurrency}|${r.messageBytes}`;
  const stock = new Map(results.filter((r) => r.target === "stock").map((r) => [key(r), r]));
  const size = (bytes: number) => (bytes >= 1_048_576 ? "1 MB" : "10 KB");
  const platform = new Map(results.filter((r) => r.target === "platform").map((r) => [key(r), r]));
  const rows = results.map((r) => {
    const base = stock.get(key(r));
    const ratio = base && r.target !== "stock" ? `${(r.messagesPerSecond / base.messagesPerSecond).toFixed(2)}×` : "–";
    const p99Ratio = base && r.target !== "stock" ? `${(r.p99Ms / base.p99Ms).toFixed(2)}×` : "–";
    // A variant lacks one protection: the platform's throughput lost to it is that protection's share.
    const full = platform.get(key(r));
    const share = full && r.target !== "platform" && r.target !== "stock" ? `${(100 * (1 - full.messagesPerSecond / r.messagesPerSecond)).toFixed(0)} %` : "–";
    return `| ${r.target} | ${r.port} | ${r.concurrency} | ${size(r.messageBytes)} | ${r.messages} | ${r.messagesPerSecond.toFixed(1)} | ${r.p50Ms.toFixed(0)} | ${r.p99Ms.toFixed(0)} | ${ratio} | ${p99Ratio} | ${share} | ${r.lost} / ${r.duplicated} |`;
  });
  const losses = results.filter((r) => r.lost > 0 || r.duplicated > 0 || r.refused > 0);
  return [
    `Mail benchmark: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, Node ${process.version}, ${programVersions()}; run took ${seconds.toFixed(0)} s.`,
    `Each figure is the median of ${REPETITIONS} repetitions, every server's cells interleaved; "messages" counts all repetitions.`,
    "Throughput: messages accepted and delivered per second (first connection to last delivery, one message per connection).",
    "Latency: end of data sent → message file in the Maildir. Ratios: platform ÷ stock, same cell, same run. A variant lacks one",
    "protection; its share is the throughput the full platform loses to it (1 − platform ÷ variant).",
    "",
    "| server | port | connections | size | messages | msg/s | p50 ms | p99 ms | msg/s ÷ stock | p99 ÷ stock | share of the missing protection | lost / duplicated |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `First message of a new outside peer on port 25 (not in the cells): ${[...firstContact].map(([target, seconds]) => `${target} ${seconds.toFixed(2)} s`).join(", ")}` +
      " — postscreen's greeting test of a peer it has not seen (it waits postscreen_greet_wait, 6 s, for a client that" +
      " talks too early; its verdict is cached for a day); the stock server runs no postscreen.",
    "",
    losses.length === 0 ? "Every cell: every message accepted, none lost, none duplicated." : `Cells with refusals, losses or duplicates: ${losses.length}.`,
    "",
    ...targetLines(results),
    "",
    ...(timeToServe ? timeToServeLines(timeToServe) : []),
  ].join("\n");
}

main().catch((error: Error) => {
  process.stderr.write(`bench:mail failed: ${error.message}\n`);
  process.exitCode = 1;
});
