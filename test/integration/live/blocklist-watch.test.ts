/**
 * The blocklist watch live (instance on loopback block 127.0.174; a blocklist named and the IMDS
 * stand-in on 127.0.175): the host's program, with the configuration rendered for the instance,
 * looks the group addresses up in test blocklist zones through a real named, learns the public
 * addresses from the instance metadata (as on EC2, where the Elastic IPs come at deploy), and
 * publishes through a recording stand-in of the host's AWS client (the real client's call against
 * the CloudWatch stand-in is shown in the rehearsal's AWS tests). With pauseWhenListed the listed
 * group's outbound mail waits in Postfix's queue while the other group's leaves at once; the hold
 * survives a rollout (`local apply`); `resume` delivers every waiting message exactly once, and the
 * listing resumed past does not pause the group again.
 */
import { spawn } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { localApply } from "../../../lib/local/apply";
import { OUTSIDE_DOMAIN, stateLayout } from "../../../lib/local/conventions";
import { localBlocklistWatchCommand } from "../../../lib/local/local-bundle";
import type { LocalState } from "../../../lib/local/state";
import type { PlatformInput } from "../../../lib/model/schema";
import { parsePlatform } from "../../../lib/validation/validate";
import { ImdsServer } from "../../../lib/rehearsal/aws/imds";
import { issueRoleCredentials } from "../../../lib/rehearsal/aws/credentials";
import { EXAMPLE_FILE } from "../../support/example";
import { startInstance, stopInstance, swaksAsync, testCertificate } from "../../support/live";
import { startNamed, type RunningNamed } from "../../support/named";
import { testInstanceMetadata } from "../../support/instance-metadata";
import { SmtpSink, type SinkSession } from "../../support/smtp-sink";

const BLOCK = "127.0.174";
const WORLD = "127.0.175";
/** The groups' public addresses, as the instance metadata associates them with the private ones. */
const PUBLIC = { business: "198.51.100.10", private: "198.51.100.20" } as const;
const LISTING = "bl.watch-test.example";
const LISTS_EVERYTHING = "all.watch-test.example";
const REFUSING = "refusing.watch-test.example";
/** A second working list, also listing business: a new listing after a resume. */
const SECOND = "bl2.watch-test.example";
const RUN = `${process.pid}-${Date.now()}`;

const INPUT = parse(readFileSync(EXAMPLE_FILE, "utf8")) as PlatformInput;
INPUT.blocklistWatch = { enabled: true, zones: [LISTING, LISTS_EVERYTHING, REFUSING], pauseWhenListed: true };

let state: LocalState;
let named: RunningNamed;
let imds: ImdsServer;
let sink: SmtpSink;
let dir: string;

const reverse = (ip: string) => ip.split(".").reverse().join(".");
function zone(name: string, records: readonly string[]): string {
  return [`$TTL 60`, `@ IN SOA ns.${name}. hostmaster.${name}. 1 3600 600 86400 60`, `@ IN NS ns.${name}.`, `ns IN A ${WORLD}.53`, ...records, ""].join("\n");
}

beforeAll(async () => {
  state = await startInstance(INPUT, "blocklist-watch", BLOCK);
  // RFC 5782 test points in the working list; business's address listed there only.
  const zones = new Map([
    [LISTING, zone(LISTING, [`${reverse("127.0.0.2")} IN A 127.0.0.2`, `${reverse(PUBLIC.business)} IN A 127.0.0.3`])],
    [LISTS_EVERYTHING, zone(LISTS_EVERYTHING, ["* IN A 127.0.0.2"])],
    [REFUSING, zone(REFUSING, ["* IN A 127.255.255.254"])],
    [SECOND, zone(SECOND, [`${reverse("127.0.0.2")} IN A 127.0.0.2`, `${reverse(PUBLIC.business)} IN A 127.0.0.2`])],
  ]);
  named = await startNamed(zones, WORLD);
  const launchedAt = new Date();
  imds = new ImdsServer(
    testInstanceMetadata({
      privateIp: state.addresses.business!,
      launchedAt,
      networkInterfaces: [
        { mac: "0a:1b:2c:3d:4e:5f", ipv4Associations: { [PUBLIC.business]: state.addresses.business!, [PUBLIC.private]: state.addresses.private! } },
      ],
    }),
    { address: `${WORLD}.1`, port: 0, credentials: () => issueRoleCredentials(launchedAt) },
  );
  await imds.start();
  sink = new SmtpSink(state.outside, testCertificate(state, `mx.${OUTSIDE_DOMAIN}`));
  await sink.start();
  dir = mkdtempSync(join(tmpdir(), "mail-platform-blocklist-watch-"));
  // The host's AWS client, recording: its arguments, one per line, then a blank line.
  writeFileSync(join(dir, "mail-platform-aws"), `#!/bin/sh\nprintf '%s\\n' "$@" >> ${join(dir, "calls")}\necho >> ${join(dir, "calls")}\n`);
  chmodSync(join(dir, "mail-platform-aws"), 0o755);
}, 180_000);

afterAll(async () => {
  await sink?.stop().catch(() => undefined);
  await imds?.stop().catch(() => undefined);
  await named?.stop().catch(() => undefined);
  await stopInstance(state);
}, 60_000);

/** The watch, as the timer runs it on a host, pointed at this instance's files. */
function watch(...args: string[]): Promise<{ status: number | null; stderr: string; stdout: string }> {
  const argv = localBlocklistWatchCommand(stateLayout(state.stateDir), "--resolver", `${WORLD}.53`, "--aws-client", join(dir, "mail-platform-aws"), ...args);
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const mainCf = () => readFileSync(join(stateLayout(state.stateDir).postfixConfig, "main.cf"), "utf8");
const deferred = () => /^defer_transports = (.*)$/m.exec(mainCf())?.[1] ?? "";
const withId = (id: string) => (s: SinkSession) => (s.data ?? "").includes(`Message-Id: ${id}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(from: string, to: string, id: string, server: string): Promise<void> {
  const result = await swaksAsync(["-s", server, "-p", String(state.ports.smtp), "-f", from, "-t", to, "--header", `Message-Id: ${id}`], 60);
  expect(result.transcript).toMatch(/^<[-~] +250 2\.0\.0 Ok: queued/m);
}

interface WatchState {
  addresses: Record<string, { address: string; listedBy: string[]; errors: Record<string, string>; transport: string }>;
  held: Record<string, { group: string; listedBy: string[] }>;
}
async function status(): Promise<WatchState> {
  const result = await watch("status");
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as WatchState;
}

describe("the blocklist watch", () => {
  const businessIds = [0, 1, 2, 3, 4].map((i) => `<watch-${RUN}-${i}@acme-corp.example>`);

  test("finds the listed group's public address, refuses to trust broken lists, publishes, and holds that group only", async () => {
    const result = await watch("check");
    expect(result.stderr).toContain(`group business (${PUBLIC.business}): LISTED by ${LISTING}`);
    expect(result.stderr).toContain(`zone ${LISTS_EVERYTHING} lists 127.0.0.1: it lists every address (a dead or broken list); skipped this time`);
    expect(result.stderr).toContain(
      `zone ${REFUSING} answers 127.255.255.254 (the list refuses or does not understand this resolver's queries); skipped this time`,
    );
    expect(result.stderr).toContain("group business: outbound mail held on this host (out-business) until mail-platform-blocklist-watch resume business");
    expect(result.status).toBe(0);

    const found = await status();
    expect(found.addresses.business).toMatchObject({ address: PUBLIC.business, listedBy: [LISTING], transport: "out-business" });
    expect(found.addresses.private).toMatchObject({ address: PUBLIC.private, listedBy: [], transport: "out-private" });
    expect(Object.keys(found.addresses.private!.errors).sort()).toEqual([LISTS_EVERYTHING, REFUSING]);
    expect(found.held).toEqual({ "out-business": expect.objectContaining({ group: "business", listedBy: [LISTING] }) });
    expect(deferred()).toBe("out-business");

    // One put-metric-data: Listed and LookupFailures of each group, in the platform's namespace.
    const calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n\n");
    expect(calls).toHaveLength(1);
    const [command, namespace, data] = calls[0]!.split("\n");
    expect([command, namespace]).toEqual(["put-metric-data", "MailPlatform/acme-mail/Blocklists"]);
    const points = (JSON.parse(data!) as { MetricName: string; Dimensions: { Name: string; Value: string }[]; Value: number }[]).map(
      (p) => `${p.Dimensions.map((d) => `${d.Name}=${d.Value}`).join(",")} ${p.MetricName}=${p.Value}`,
    );
    expect(points).toEqual([
      "Host=mx1,Group=business Listed=1",
      "Host=mx1,Group=business LookupFailures=2",
      "Host=mx1,Group=private Listed=0",
      "Host=mx1,Group=private LookupFailures=2",
    ]);
  }, 60_000);

  test("the held group's mail waits while the other group's leaves at once; a rollout keeps the hold", async () => {
    for (const id of businessIds) await send("alice@acme-corp.example", `watch@${OUTSIDE_DOMAIN}`, id, state.addresses.business!);
    const privateId = `<watch-private-${RUN}@acme-home.example>`;
    await send("family@acme-home.example", `family-peer@${OUTSIDE_DOMAIN}`, privateId, state.addresses.private!);
    await sink.waitForMessage(withId(privateId), 15_000);

    // A rollout of the same model: the apply script installs the bundle's main.cf, and the bundle's reload commands put the hold back.
    const applied = localApply(parsePlatform(INPUT), { stateDir: state.stateDir });
    expect(applied.status).toBe(0);
    expect(applied.log).toMatch(/installed \d+ files/);
    expect(applied.log).toMatch(/reload .*mail-platform-blocklist-watch\.py .*apply-holds: exit 0/);
    expect(deferred()).toBe("out-business");
    expect(mainCf().match(/^defer_transports =/gm)).toHaveLength(1);

    // A second check while still listed: nothing new, the hold stays, and nothing leaves.
    const again = await watch("check");
    expect(again.status).toBe(0);
    expect(again.stderr).not.toContain("LISTED");
    await sleep(3_000);
    expect(businessIds.map((id) => sink.messages().filter(withId(id)).length)).toEqual([0, 0, 0, 0, 0]);
  }, 120_000);

  test("resume delivers every waiting message exactly once, and the listing resumed past does not pause the group again", async () => {
    const resumed = await watch("resume", "business");
    expect(resumed.stderr).toMatch(/release out-business: flushed 5 waiting message\(s\)/);
    expect(resumed.stderr).toContain("group business: released (out-business)");
    expect(resumed.status).toBe(0);
    expect(deferred()).toBe("");
    const deadline = Date.now() + 30_000;
    while (!businessIds.every((id) => sink.messages().some(withId(id))) && Date.now() < deadline) await sleep(200);
    await sleep(3_000);
    expect(businessIds.map((id) => sink.messages().filter(withId(id)).length)).toEqual([1, 1, 1, 1, 1]);

    const later = await watch("check");
    expect(later.status).toBe(0);
    expect(later.stderr).not.toContain("held on this host");
    expect(deferred()).toBe("");
    expect((await status()).held).toEqual({});
  }, 90_000);

  test("a new listing pauses the group again; switching the watch off ends its holds at the rollout and delivers the waiting mail", async () => {
    const withSecond = structuredClone(INPUT);
    withSecond.blocklistWatch = { ...withSecond.blocklistWatch, zones: [LISTING, SECOND] };
    expect(localApply(parsePlatform(withSecond), { stateDir: state.stateDir }).status).toBe(0);
    const listedAgain = await watch("check");
    expect(listedAgain.stderr).toContain(`group business (${PUBLIC.business}): LISTED by ${LISTING}, ${SECOND}`);
    expect(listedAgain.stderr).toContain("outbound mail held on this host (out-business)");
    expect(deferred()).toBe("out-business");
    const id = `<watch-off-${RUN}@acme-corp.example>`;
    await send("alice@acme-corp.example", `watch@${OUTSIDE_DOMAIN}`, id, state.addresses.business!);
    await sleep(3_000);
    expect(sink.messages().filter(withId(id))).toHaveLength(0);

    const off = structuredClone(INPUT);
    off.blocklistWatch = { enabled: false };
    const applied = localApply(parsePlatform(off), { stateDir: state.stateDir });
    // The apply script logs its reload commands' exit codes; the released transport, it finds and flushes itself.
    expect(applied.log).toMatch(/release out-business: flushed 1 waiting message\(s\)/);
    expect(applied.status).toBe(0);
    expect(deferred()).toBe("");
    await sink.waitForMessage(withId(id), 30_000);
    expect((await status()).held).toEqual({});
  }, 120_000);
});
