/**
 * The blocklist watch on a booted host (the Debian 13 boot of deploy-rehearsal.test.ts): the
 * model has the watch on with pauseWhenListed, and the world's bl.spamcop.net lists the public
 * address of the private group's Elastic IP. The real units run the real program, which learns
 * the public addresses from the instance metadata (the model gives none), asks the host's own
 * unbound, publishes to the CloudWatch stand-in with the instance role, and holds the private
 * group's transport.
 *
 * Why the private group in bl.spamcop.net: every other scenario of that boot sends outbound mail
 * as tester@acme-corp.example, the business group's, and none from the private group, so the
 * hold (from the timer's first run, 2-3 minutes after boot) delays no mail a test waits for; the
 * listing of the test client that postscreen's probes rely on is in zen.spamhaus.org, untouched.
 */
import type { PlatformInput } from "../../../lib/model/schema";
import { blocklistMetricNamespace } from "../../../lib/model/blocklist-watch";
import type { Rehearsal } from "../../../lib/rehearsal/rehearsal";
import { BLOCKLIST_WATCH_SERVICE, BLOCKLIST_WATCH_TIMER } from "../../../lib/rollout/blocklist-watch";
import { BLOCKLIST_WATCH_SCRIPT_PATH } from "../../../lib/rollout/script-paths";

/** The group address the world lists, and where. */
export const WATCH_LISTING = { group: "private", zone: "bl.spamcop.net" } as const;
/** The group that stays unlisted (its outbound mail is what the other probes send). */
const UNLISTED_GROUP = "business";

/** The watch on, holding a listed group (zones: the model's dnsbl sites), in the model (in place). */
export function withRehearsedWatch(input: PlatformInput): PlatformInput {
  input.blocklistWatch = { enabled: true, pauseWhenListed: true };
  return input;
}

interface WatchStatus {
  addresses: Record<string, { address: string; listedBy: string[]; errors: Record<string, string>; transport: string | null }>;
  held: Record<string, { group: string; listedBy: string[] }>;
}

/** The tests, on the rehearsal the caller booted with {@link withRehearsedWatch} and {@link WATCH_LISTING}. */
export function describeBlocklistWatch(rehearsalOf: () => Rehearsal, report: (seconds: number) => void): void {
  describe("the blocklist watch, with the real units and the host's own unbound", () => {
    test("finds the listed group's public address listed and the other not, publishes Listed with the role, holds only the listed group until resumed", async () => {
      const started = Date.now();
      const rehearsal = rehearsalOf();
      const run = (argv: string[]) => rehearsal.exec(argv);
      const publicOf = (group: string) => {
        const privateIp = rehearsal.hostPlan.addresses.find((a) => a.group === group)!.privateIp;
        return rehearsal.deployment.networkInterface.elasticIps.find((e) => e.privateIp === privateIp)!.publicIp;
      };
      const transportOf = (group: string) => rehearsal.hostPlan.transports.find((t) => t.group === group)!.name;

      expect((await run(["systemctl", "is-enabled", BLOCKLIST_WATCH_TIMER])).stdout.trim()).toBe("enabled");
      expect((await run(["systemctl", "is-active", BLOCKLIST_WATCH_TIMER])).stdout.trim()).toBe("active");
      // The interface EC2 lists in the metadata is the host's own eth0. Asked over netlink: the
      // container's /sys/class/net is this machine's, not its network namespace's.
      expect(/link\/ether (\S+)/.exec((await run(["ip", "-o", "link", "show", "dev", "eth0"])).stdout)?.[1]).toBe(rehearsal.deployment.networkInterface.mac);

      // What the timer starts; a run the timer began already is joined, and must end well too.
      const check = await run(["systemctl", "start", BLOCKLIST_WATCH_SERVICE]);
      const journal = async () => (await run(["journalctl", "--no-pager", "-n", "30", "-u", BLOCKLIST_WATCH_SERVICE])).stdout;
      expect({ status: check.status, detail: check.status === 0 ? "" : `${check.stderr}\n${await journal()}` }).toEqual({ status: 0, detail: "" });
      const status = JSON.parse((await run([BLOCKLIST_WATCH_SCRIPT_PATH, "status"])).stdout) as WatchStatus;
      expect(status.addresses).toEqual({
        [WATCH_LISTING.group]: {
          address: publicOf(WATCH_LISTING.group),
          listedBy: [WATCH_LISTING.zone],
          errors: {},
          transport: transportOf(WATCH_LISTING.group),
        },
        [UNLISTED_GROUP]: { address: publicOf(UNLISTED_GROUP), listedBy: [], errors: {}, transport: transportOf(UNLISTED_GROUP) },
      });

      const namespace = blocklistMetricNamespace(rehearsal.plan.spec.name);
      expect(namespace).toBe("MailPlatform/acme-mail/Blocklists");
      const listed = rehearsal.world.metricData(namespace).filter((d) => d.metricName === "Listed");
      const { role, instance } = rehearsal.deployment;
      const byGroup = (group: string) => listed.filter((d) => d.dimensions.some((x) => x.name === "Group" && x.value === group));
      for (const [group, value] of [
        [WATCH_LISTING.group, 1],
        [UNLISTED_GROUP, 0],
      ] as const) {
        const points = byGroup(group);
        expect(points.length).toBeGreaterThanOrEqual(1);
        for (const point of points) {
          expect({ group, value: point.value, dimensions: point.dimensions, publisher: point.publisher }).toEqual({
            group,
            value,
            dimensions: [
              { name: "Host", value: rehearsal.host },
              { name: "Group", value: group },
            ],
            publisher: `arn:aws:sts::${rehearsal.deployment.accountId}:assumed-role/${role.name}/${instance.id}`,
          });
        }
      }
      expect(listed.length).toBe(byGroup(WATCH_LISTING.group).length + byGroup(UNLISTED_GROUP).length);

      expect((await run(["postconf", "-h", "defer_transports"])).stdout.trim()).toBe(transportOf(WATCH_LISTING.group));
      const resumed = await run([BLOCKLIST_WATCH_SCRIPT_PATH, "resume", WATCH_LISTING.group]);
      expect({ status: resumed.status, stderr: resumed.stderr }).toEqual({
        status: 0,
        stderr: expect.stringContaining(`group ${WATCH_LISTING.group}: released (${transportOf(WATCH_LISTING.group)})`),
      });
      expect((await run(["postconf", "-h", "defer_transports"])).stdout.trim()).toBe("");
      expect((JSON.parse((await run([BLOCKLIST_WATCH_SCRIPT_PATH, "status"])).stdout) as WatchStatus).held).toEqual({});
      report((Date.now() - started) / 1000);
    }, 120_000);
  });
}
