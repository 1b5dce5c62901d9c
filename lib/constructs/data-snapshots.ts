/** Scheduled snapshots of every mail data volume of a platform (Data Lifecycle Manager). */
import { Construct } from "constructs";
import { DlmLifecyclePolicy, IamRole, IamRolePolicyAttachment } from "../cdk/aws";
import { PLATFORM_DATA_TAG } from "./mail-data-volume";

/** Properties of {@link DataSnapshots}. */
export interface DataSnapshotsProps {
  readonly platform: string;
  readonly everyHours: number;
  readonly keep: number;
  readonly tags?: Readonly<Record<string, string>>;
}

/** DLM role and policy. */
export class DataSnapshots extends Construct {
  readonly policy: DlmLifecyclePolicy;

  constructor(scope: Construct, id: string, props: DataSnapshotsProps) {
    super(scope, id);
    const role = new IamRole(this, "role", {
      name: `${props.platform}-data-snapshots`,
      description: "Data Lifecycle Manager: snapshots of the mail data volumes",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "dlm.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags: props.tags ? { ...props.tags } : undefined,
    });
    new IamRolePolicyAttachment(this, "managed", { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole" });
    this.policy = new DlmLifecyclePolicy(this, "policy", {
      description: `Snapshots of the mail data of ${props.platform}`,
      executionRoleArn: role.arn,
      state: "ENABLED",
      policyDetails: {
        resourceTypes: ["VOLUME"],
        targetTags: { [PLATFORM_DATA_TAG]: props.platform },
        schedule: [
          {
            name: `every ${props.everyHours} h, keep ${props.keep}`,
            createRule: { interval: props.everyHours, intervalUnit: "HOURS", times: ["03:00"] },
            retainRule: { count: props.keep },
            copyTags: true,
          },
        ],
      },
      tags: props.tags ? { ...props.tags } : undefined,
    });
  }
}
