/**
 * `local up --join`: which instance a joining one joins and which host it runs, refused before
 * anything changes on disk; the shared test CA; and the overlay addresses of the host it runs
 * (not the model's first host). "Running" is faked with pid files naming this test process.
 */
import { execFileSync, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { loopbackPlan, stateLayout } from "../../lib/local/conventions";
import { joinTarget, joinedInstances, registerJoined, runningJoinedInstances } from "../../lib/local/join";
import { LocalInstanceError } from "../../lib/local/instance-error";
import { dovecotOverlay, postfixOverlay } from "../../lib/local/overlay";
import { requireFree } from "../../lib/local/ports";
import type { LocalState } from "../../lib/local/state";
import { issueTestCertificates, testAuthority } from "../../lib/local/test-ca";
import { localTestSpec } from "../../lib/local/test-spec";
import type { PlatformSpec } from "../../lib/model/schema";
import { plan } from "../../lib/plan/plan";
import { parsePlatform } from "../../lib/validation/validate";
import { twoHostInput } from "../support/two-hosts";

const BLOCK = "127.0.97";

function spec(change?: (input: ReturnType<typeof twoHostInput>) => void): PlatformSpec {
  const input = twoHostInput();
  change?.(input);
  return parsePlatform(input);
}

const threeHosts = (input: ReturnType<typeof twoHostInput>) => {
  input.hosts.push({ name: "mx3" });
  input.groups[0]!.addresses.push({ host: "mx3", privateIp: "10.0.3.11", hostName: "mx3.acme-corp.example" });
  input.aws = { ...input.aws!, hosts: { ...input.aws!.hosts, mx3: input.aws!.hosts.mx2! } };
};

/** A fake instance: its state file, and pid files naming this (live) process for what "runs". */
function instance(dir: string, host: string, options: { named?: boolean; mail?: boolean; joined?: string; platform?: string } = {}): string {
  const layout = stateLayout(dir);
  mkdirSync(layout.dns, { recursive: true });
  mkdirSync(join(layout.spool, "pid"), { recursive: true });
  const state: LocalState = {
    addresses: {},
    ports: { smtp: 25 },
    caFile: layout.caFile,
    user: { name: "tester@acme-corp.example", password: "x" },
    stateDir: dir,
    dkimPublicKeys: {},
    platform: options.platform ?? "acme-mail",
    host,
    loopbackBlock: BLOCK,
    dnsServer: `${BLOCK}.53`,
    outside: `${BLOCK}.200`,
    ...(options.joined === undefined ? {} : { joined: options.joined }),
  };
  writeFileSync(layout.stateFile, JSON.stringify(state));
  if (options.named ?? true) writeFileSync(join(layout.dns, "named.pid"), `${process.pid}\n`);
  if (options.mail ?? true) writeFileSync(join(layout.spool, "pid", "master.pid"), `${process.pid}\n`);
  return dir;
}

describe("which instance a joining instance joins, and which host it runs", () => {
  let root: string;
  let first: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "local-join-"));
    first = instance(join(root, "mx1"), "mx1");
  });

  test("GIVEN mx1 runs WHEN joining without --host THEN the next host of the model that runs nowhere, mx2", () => {
    const { joined, hostName } = joinTarget(spec(), { join: first, stateDir: join(root, "new") });
    expect(hostName).toBe("mx2");
    expect(joined.state.host).toBe("mx1");
    expect(joined.layout.stateDir).toBe(first);
  });

  test("GIVEN mx2 joined and runs WHEN joining again THEN mx3 of a three-host model, and none of a two-host model", () => {
    const second = instance(join(root, "mx2"), "mx2", { named: false, joined: first });
    registerJoined(joinTarget(spec(), { join: first, stateDir: second }).joined, second);
    expect(joinedInstances(stateLayout(first))).toEqual([second]);
    expect(joinTarget(spec(threeHosts), { join: first, stateDir: join(root, "new") }).hostName).toBe("mx3");
    expect(() => joinTarget(spec(), { join: first, stateDir: join(root, "new") })).toThrow(
      `every host of the platform already runs (mx1 in ${first}, mx2 in ${second})`,
    );
    expect(() => joinTarget(spec(threeHosts), { join: first, stateDir: join(root, "new"), host: "mx2" })).toThrow(
      `host "mx2" already runs in ${second}; join with another --host`,
    );
  });

  test("joining an instance that joined another joins the first (it runs the DNS server)", () => {
    const second = instance(join(root, "mx2"), "mx2", { named: false, joined: first });
    const { joined } = joinTarget(spec(threeHosts), { join: second, stateDir: join(root, "new") });
    expect(joined.layout.stateDir).toBe(first);
  });

  test("a joined instance whose Postfix and Dovecot stopped no longer holds its host", () => {
    const second = instance(join(root, "mx2"), "mx2", { named: false, mail: false, joined: first });
    registerJoined(joinTarget(spec(), { join: first, stateDir: second }).joined, second);
    expect(runningJoinedInstances(stateLayout(first))).toEqual([]);
    expect(joinTarget(spec(), { join: first, stateDir: join(root, "new") }).hostName).toBe("mx2");
  });

  test.each([
    ["the host that the joined instance runs", () => ({ join: first, stateDir: join(root, "new"), host: "mx1" }), /host "mx1" already runs in/],
    ["its own state directory", () => ({ join: first, stateDir: first }), /needs its own --state-dir/],
    ["another loopback block", () => ({ join: first, stateDir: join(root, "new"), loopbackBlock: "127.0.98" }), /runs on loopback block 127\.0\.97/],
    ["a directory without an instance", () => ({ join: join(root, "nothing"), stateDir: join(root, "new") }), /no local instance in/],
  ])("fails for %s", (_what, request, message) => {
    expect(() => joinTarget(spec(), request())).toThrow(LocalInstanceError);
    expect(() => joinTarget(spec(), request())).toThrow(message);
  });

  test("fails for an instance of another platform, and one whose DNS server stopped", () => {
    const other = instance(join(root, "other"), "mx1", { platform: "other-mail" });
    expect(() => joinTarget(spec(), { join: other, stateDir: join(root, "new") })).toThrow(/it runs platform "other-mail", the file describes "acme-mail"/);
    const stopped = instance(join(root, "stopped"), "mx1", { named: false });
    expect(() => joinTarget(spec(), { join: stopped, stateDir: join(root, "new") })).toThrow(/its DNS server does not run/);
  });
});

describe("the shared test CA", () => {
  test("a joining instance's certificates are issued by the first's CA, whose key stays with the first", () => {
    const root = mkdtempSync(join(tmpdir(), "local-join-ca-"));
    const first = join(root, "first");
    const second = join(root, "second");
    issueTestCertificates(first, ["mail.acme-corp.example"]);
    const caFile = issueTestCertificates(second, ["mail.acme-home.example"], testAuthority(first));
    expect(readFileSync(caFile, "utf8")).toBe(readFileSync(join(first, "ca.pem"), "utf8"));
    expect(existsSync(join(second, "ca.key"))).toBe(false);
    const verify = spawnSync("openssl", ["verify", "-CAfile", join(first, "ca.pem"), join(second, "mail.acme-home.example", "cert.pem")], { encoding: "utf8" });
    expect(verify.stdout.trim()).toMatch(/: OK$/);
    const names = execFileSync("openssl", ["x509", "-noout", "-ext", "subjectAltName", "-in", join(second, "mail.acme-home.example", "cert.pem")], {
      encoding: "utf8",
    });
    expect(names).toContain("DNS:mail.acme-home.example");
  });
});

describe("the overlay of a host that is not the model's first", () => {
  const srs = (input: ReturnType<typeof twoHostInput>) => {
    // A foreign alias target: the platform forwards, so postsrsd runs.
    input.groups[1]!.aliases = [{ address: "kids@acme-home.example", to: ["grandma@partner.example"] }];
  };
  const planned = plan(localTestSpec(spec(srs), loopbackPlan(BLOCK), "/tmp/certs"));
  const layout = stateLayout("/tmp/mx2-state");
  const mx2 = planned.hosts.find((h) => h.name === "mx2")!;

  test("Dovecot hands replies to the host's own Postfix, on its first home address", () => {
    expect(dovecotOverlay(layout, planned, mx2)).toMatchObject({ submission_host: `${BLOCK}.32:25` });
  });

  test("postsrsd's tables are on the host's own address, never the first host's", () => {
    expect(planned.srs.enabled).toBe(true);
    expect(postfixOverlay(planned, layout, mx2)).toMatchObject({
      sender_canonical_maps: `tcp:${BLOCK}.31:10001`,
      recipient_canonical_maps: `tcp:${BLOCK}.31:10002`,
    });
  });
});

describe("ports of a joining instance", () => {
  test("requireFree names every taken address and port", async () => {
    const { createServer } = await import("net");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(requireFree([["127.0.0.1", port]], "why")).rejects.toThrow(`127.0.0.1:${port} is taken; why`);
    } finally {
      server.close();
    }
  });
});
