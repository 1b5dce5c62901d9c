/**
 * The blocklist watch as modelled, rendered, shipped and deployed: defaults and validation, the
 * host's configuration file, the program and timer in every bundle with the commands that keep a
 * hold across rollouts, the first boot's timer, and the alert topic, alarms and metric policy.
 * That the program finds a listed address, publishes it and holds and releases the group on a
 * running Postfix is test/integration/live/blocklist-watch.test.ts.
 */
import type { PlatformInput } from "../../lib/model/schema";
import { renderHost } from "../../lib/render/host-files";
import { BLOCKLIST_WATCH_CONFIG, type WatchConfig } from "../../lib/render/blocklist-watch/watch-config";
import { productionBundle } from "../../lib/rollout/production-bundle";
import { renderSetupScript } from "../../lib/rollout/bootstrap/setup-script";
import { BLOCKLIST_WATCH_SCRIPT_PATH } from "../../lib/rollout/script-paths";
import { blocklistMetricsPolicy } from "../../lib/constructs/blocklist-alerts";
import { examplePlan, exampleProblems, exampleSpec, firstHostFiles } from "../support/example";
import { resources, synthExample } from "../support/synth";

const on =
  (extra: Partial<NonNullable<PlatformInput["blocklistWatch"]>> = {}) =>
  (i: PlatformInput) => {
    i.blocklistWatch = { enabled: true, ...extra };
  };

function watchConfig(change: (i: PlatformInput) => void): WatchConfig {
  const text = firstHostFiles(change).get(BLOCKLIST_WATCH_CONFIG);
  if (text === undefined) throw new Error("no watch configuration rendered");
  return JSON.parse(text) as WatchConfig;
}

describe("the model", () => {
  test("off by default: every 30 minutes, no pause, no alert addresses, zones from dnsbl", () => {
    expect(exampleSpec().blocklistWatch).toEqual({ enabled: false, intervalMinutes: 30, pauseWhenListed: false, alertEmails: [] });
  });

  test("on without zones of its own and without DNSBL sites: refused at blocklistWatch.zones", () => {
    const found = exampleProblems((i) => {
      on()(i);
      i.dnsbl = { sites: [] };
    });
    expect(found).toEqual([
      expect.objectContaining({
        path: "blocklistWatch.zones",
        message: expect.stringMatching(/^the watch needs blocklist zones: name them in blocklistWatch.zones, or list dnsbl.sites/),
      }),
    ]);
  });

  test("options of a watch that is off are refused, each at its field, all at once", () => {
    const found = exampleProblems((i) => (i.blocklistWatch = { pauseWhenListed: true, alertEmails: ["noc@acme-corp.example"] }));
    expect(found.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "blocklistWatch.alertEmails: alerts come from the watch: set blocklistWatch.enabled to true or remove the addresses",
      "blocklistWatch.pauseWhenListed: pausing a listed group needs the watch: set blocklistWatch.enabled to true",
    ]);
  });

  test("bad values: an interval out of range, a zone that is no DNS name, an alert address that is none", () => {
    const found = exampleProblems((i) => (i.blocklistWatch = { enabled: true, intervalMinutes: 2, zones: ["zen.spamhaus.org\nx"], alertEmails: ["noc"] }));
    expect(found.map((p) => p.path).sort()).toEqual(["blocklistWatch.alertEmails[0]", "blocklistWatch.intervalMinutes", "blocklistWatch.zones[0]"]);
    expect(found.find((p) => p.path === "blocklistWatch.intervalMinutes")?.received).toBe("2");
  });
});

describe("the host's configuration", () => {
  test("none while the watch is off (the program then does nothing)", () => {
    expect(firstHostFiles().has(BLOCKLIST_WATCH_CONFIG)).toBe(false);
  });

  test("the zones default to the positive-weight DNSBL sites; every group address with its transport; public IPs unknown until deploy", () => {
    const config = watchConfig(on({ pauseWhenListed: true }));
    expect(config).toEqual({
      enabled: true,
      platform: "acme-mail",
      host: "mx1",
      intervalMinutes: 30,
      zones: ["zen.spamhaus.org", "bl.spamcop.net"],
      resolver: "127.0.0.1",
      pauseWhenListed: true,
      metrics: { namespace: "MailPlatform/acme-mail/Blocklists", name: "Listed" },
      addresses: [
        { group: "business", privateIp: expect.any(String), publicIp: null, transport: "out-business", pausedByModel: false },
        { group: "private", privateIp: expect.any(String), publicIp: null, transport: "out-private", pausedByModel: false },
      ],
    });
    const plan = examplePlan();
    expect(config.addresses.map((a) => a.privateIp)).toEqual(plan.hosts[0]!.addresses.map((a) => a.privateIp));
  });

  test("its own zones replace the DNSBL sites (each once); a known public IP and a group the model pauses are carried", () => {
    const config = watchConfig((i) => {
      on({ zones: ["b.barracudacentral.org", "zen.spamhaus.org", "b.barracudacentral.org"] })(i);
      i.groups[0]!.addresses[0]!.publicIp = "198.51.100.10";
      i.groups[1]!.outbound = { paused: true };
    });
    expect(config.zones).toEqual(["b.barracudacentral.org", "zen.spamhaus.org"]);
    expect(config.addresses.map((a) => [a.group, a.publicIp, a.pausedByModel])).toEqual([
      ["business", "198.51.100.10", false],
      ["private", null, true],
    ]);
  });
});

describe("the bundle and the first boot", () => {
  const bundleOf = (change?: (i: PlatformInput) => void) => {
    const plan = examplePlan(change);
    const host = plan.hosts[0]!;
    return productionBundle(plan, host, renderHost(plan, host));
  };

  test("program and units ship in every bundle; the timer follows the model; the holds go back after each reload", () => {
    for (const [change, timer] of [
      [undefined, ["systemctl", "disable", "--now", "mail-platform-blocklist-watch.timer"]],
      [on(), ["systemctl", "enable", "--now", "mail-platform-blocklist-watch.timer"]],
    ] as const) {
      const bundle = bundleOf(change);
      const paths = bundle.files.map((f) => f.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          BLOCKLIST_WATCH_SCRIPT_PATH,
          "/etc/systemd/system/mail-platform-blocklist-watch.service",
          "/etc/systemd/system/mail-platform-blocklist-watch.timer",
        ]),
      );
      const reload = bundle.reload.map((c) => c.join(" "));
      // After Postfix read the new main.cf (its reload comes first), and after systemd read the units.
      const holds = reload.indexOf(`${BLOCKLIST_WATCH_SCRIPT_PATH} apply-holds`);
      expect(holds).toBeGreaterThan(reload.indexOf("systemctl reload postfix.service"));
      expect(reload.indexOf(timer.join(" "))).toBeGreaterThan(reload.indexOf("systemctl daemon-reload"));
    }
  });

  test("the timer runs the check every intervalMinutes, soon after boot, spread over a minute", () => {
    const timer = bundleOf(on({ intervalMinutes: 60 })).files.find((f) => f.path.endsWith(".timer") && f.path.includes("blocklist"))!.content;
    expect(timer).toMatch(/^OnUnitInactiveSec=60min$/m);
    expect(timer).toMatch(/^OnBootSec=2min$/m);
    expect(timer).toMatch(/^RandomizedDelaySec=60s$/m);
    const service = bundleOf(on()).files.find((f) => f.path.endsWith("mail-platform-blocklist-watch.service"))!.content;
    expect(service).toMatch(new RegExp(`^ExecStart=${BLOCKLIST_WATCH_SCRIPT_PATH} check$`, "m"));
    expect(service).toMatch(/^ConditionPathExists=\/etc\/mail-platform\/blocklist-watch.json$/m);
  });

  test("the first boot starts the timer only when the watch is on", () => {
    const script = (change?: (i: PlatformInput) => void) => {
      const plan = examplePlan(change);
      return renderSetupScript(plan, plan.hosts[0]!, plan.spec.aws!, {
        bundleUrl: "s3://b/bundles/mx1/x.json",
        dataVolumeName: "acme-mail-mx1",
        dataVolumeTag: "mail-platform-data",
      });
    };
    expect(script()).not.toContain("mail-platform-blocklist-watch.timer");
    expect(script(on())).toMatch(/^systemctl enable --now mail-platform-blocklist-watch.timer$/m);
  });
});

describe("the deployment", () => {
  test("off: no topic, alarm or metric policy", () => {
    const { json } = synthExample();
    for (const type of ["aws_sns_topic", "aws_cloudwatch_metric_alarm", "aws_iam_policy"]) expect(resources(json, type)).toEqual([]);
    expect(Object.keys(json.output)).not.toContain("acme-mail-blocklist-alert-topic");
  });

  test("on: one topic with the alert addresses, an alarm per host and group on the metric, the metric right in the platform's namespace only", () => {
    const { json } = synthExample(on({ alertEmails: ["noc@acme-corp.example", "oncall@acme-corp.example"], intervalMinutes: 15 }));
    expect(resources(json, "aws_sns_topic")).toEqual([expect.objectContaining({ name: "acme-mail-blocklist-alerts" })]);
    expect(resources(json, "aws_sns_topic_subscription").map((s) => [s.protocol, s.endpoint])).toEqual([
      ["email", "noc@acme-corp.example"],
      ["email", "oncall@acme-corp.example"],
    ]);
    const alarms = resources(json, "aws_cloudwatch_metric_alarm");
    const plan = examplePlan();
    const expected = plan.hosts.flatMap((h) => h.addresses.map((a) => `acme-mail-${h.name}-${a.group}-blocklisted`));
    expect(alarms.map((a) => a.alarm_name)).toEqual(expected);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        namespace: "MailPlatform/acme-mail/Blocklists",
        metric_name: "Listed",
        statistic: "Maximum",
        period: 900,
        threshold: 1,
        comparison_operator: "GreaterThanOrEqualToThreshold",
        treat_missing_data: "ignore",
      });
      expect(alarm.alarm_actions).toEqual(alarm.ok_actions);
      expect(String((alarm.alarm_actions as string[])[0])).toMatch(/^\$\{aws_sns_topic\..*\.arn\}$/);
    }
    expect(alarms[0]!.dimensions).toEqual({ Host: plan.hosts[0]!.name, Group: plan.hosts[0]!.addresses[0]!.group });
    expect(String(alarms[0]!.alarm_description)).toMatch(/^The address \$\{aws_eip\..*\.public_ip\} of group business on host mx1 is on a blocklist/);

    const [policy] = resources(json, "aws_iam_policy");
    expect(JSON.parse(String(policy!.policy))).toEqual(JSON.parse(blocklistMetricsPolicy("MailPlatform/acme-mail/Blocklists")));
    const attachments = resources(json, "aws_iam_role_policy_attachment").filter((a) => String(a.policy_arn).includes("aws_iam_policy."));
    expect(attachments).toHaveLength(plan.hosts.length);
    expect(json.output["acme-mail-blocklist-alert-topic"]?.value).toMatch(/^\$\{aws_sns_topic\..*\.arn\}$/);
  });

  test("the metric policy allows PutMetricData and nothing else, only with the namespace condition", () => {
    expect(JSON.parse(blocklistMetricsPolicy("MailPlatform/x/Blocklists"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PublishBlocklistMetricsOnly",
          Effect: "Allow",
          Action: "cloudwatch:PutMetricData",
          Resource: "*",
          Condition: { StringEquals: { "cloudwatch:namespace": "MailPlatform/x/Blocklists" } },
        },
      ],
    });
  });
});
