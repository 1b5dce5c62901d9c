import type { IConstruct } from "constructs";
import { block, COMPLIANT, nonCompliant, NOT_APPLICABLE, resourceConfig, type SecurityRule } from "../rule";

/** Instances answer metadata requests only with a session token (IMDSv2). */
export const imdsv2Required: SecurityRule = {
  id: "imdsv2-required",
  title: "EC2 instances and launch templates require IMDSv2 (http_tokens = required)",
  evaluate(node: IConstruct) {
    const resource = resourceConfig(node);
    if (!resource || !["aws_instance", "aws_launch_template"].includes(resource.type)) return NOT_APPLICABLE;
    const tokens = block(resource.config.metadata_options)?.http_tokens;
    return tokens === "required"
      ? COMPLIANT
      : nonCompliant(`metadata_options.http_tokens is ${JSON.stringify(tokens ?? "unset")}: IMDSv1 lets a request forwarder read the role's credentials`);
  },
};
