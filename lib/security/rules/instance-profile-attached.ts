import type { IConstruct } from "constructs";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, resourceConfig, type SecurityRule } from "../rule";

/** Instances carry a role (no long-lived keys on the host). */
export const instanceProfileAttached: SecurityRule = {
  id: "instance-profile-attached",
  title: "EC2 instances have an instance profile",
  evaluate(node: IConstruct) {
    const resource = resourceConfig(node);
    if (!resource || resource.type !== "aws_instance") return NOT_APPLICABLE;
    const profile = resource.config.iam_instance_profile;
    return typeof profile === "string" && profile.length > 0 ? COMPLIANT : nonCompliant("no iam_instance_profile: credentials would have to live on the host");
  },
};
