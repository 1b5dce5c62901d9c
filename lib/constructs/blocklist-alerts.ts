/**
 * Where the blocklist watch's findings go (blocklistWatch.enabled): an SNS topic, an alarm on the
 * `Listed` metric of each group address on each host (notifying the topic when an address is
 * listed and again when it is no longer), and the hosts' right to publish that metric, in the
 * platform's own namespace only.
 */
import { Construct } from "constructs";
import { CloudwatchMetricAlarm, IamPolicy, IamRolePolicyAttachment, SnsTopic, SnsTopicSubscription } from "../cdk/aws";
import { BLOCKLIST_METRIC_NAME, blocklistMetricNamespace } from "../model/blocklist-watch";
import type { Plan } from "../plan/types";

/** One watched address: host, group, and its public IP (a Terraform reference until deploy). */
export interface WatchedPublicAddress {
  readonly host: string;
  readonly group: string;
  readonly publicIp: string;
}

/** Properties of {@link BlocklistAlerts}. */
export interface BlocklistAlertsProps {
  readonly plan: Plan;
  /** Every group address of every host. */
  readonly addresses: readonly WatchedPublicAddress[];
  /** The host roles (by name) that may publish the metric. */
  readonly hostRoleNames: readonly string[];
  /** Tags. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** PutMetricData into one namespace: the condition key is the only way to scope it (the action has no resource). */
export function blocklistMetricsPolicy(namespace: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PublishBlocklistMetricsOnly",
        Effect: "Allow",
        Action: "cloudwatch:PutMetricData",
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": namespace } },
      },
    ],
  });
}

/** The blocklist watch's topic, alarms and metric rights. */
export class BlocklistAlerts extends Construct {
  /** The topic the alarms notify (subscribe to it; its ARN is the output `<platform>-blocklist-alert-topic`). */
  readonly topic: SnsTopic;
  /** One alarm per host and group address, keyed `<host>/<group>`. */
  readonly alarms: ReadonlyMap<string, CloudwatchMetricAlarm>;

  constructor(scope: Construct, id: string, props: BlocklistAlertsProps) {
    super(scope, id);
    const { spec } = props.plan;
    const tags = props.tags ? { ...props.tags } : undefined;
    const namespace = blocklistMetricNamespace(spec.name);
    // Not encrypted: CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key,
    // and the notices hold nothing secret (a host, a group, a public address).
    this.topic = new SnsTopic(this, "topic", { name: `${spec.name}-blocklist-alerts`, tags });
    spec.blocklistWatch.alertEmails.forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: email });
    });
    const policy = new IamPolicy(this, "metrics", {
      name: `${spec.name}-blocklist-metrics`,
      description: "Mail hosts: publish the blocklist watch's metrics, in the platform's namespace only",
      policy: blocklistMetricsPolicy(namespace),
      tags,
    });
    // A managed policy, not an inline one: the roles' inline budget belongs to the ACME zones.
    props.hostRoleNames.forEach((role, i) => new IamRolePolicyAttachment(this, `metrics-${i}`, { role, policyArn: policy.arn }));
    const seconds = spec.blocklistWatch.intervalMinutes * 60;
    const alarms = new Map<string, CloudwatchMetricAlarm>();
    for (const address of props.addresses) {
      alarms.set(
        `${address.host}/${address.group}`,
        new CloudwatchMetricAlarm(this, `listed-${address.host}-${address.group}`, {
          alarmName: `${spec.name}-${address.host}-${address.group}-blocklisted`,
          alarmDescription: `The address ${address.publicIp} of group ${address.group} on host ${address.host} is on a blocklist (on the host: mail-platform-blocklist-watch status)`,
          namespace,
          metricName: BLOCKLIST_METRIC_NAME,
          dimensions: { Host: address.host, Group: address.group },
          statistic: "Maximum",
          period: seconds,
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          // The watch reports once an interval, at a moment of its own: a period without a report keeps the state.
          treatMissingData: "ignore",
          alarmActions: [this.topic.arn],
          okActions: [this.topic.arn],
          tags,
        }),
      );
    }
    this.alarms = alarms;
  }
}
