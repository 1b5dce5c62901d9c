import type { IConstruct } from "constructs";
import { blocks, COMPLIANT, nonCompliant, NOT_APPLICABLE, resourceConfig, type SecurityRule } from "../rule";

const described = (value: unknown) => typeof value === "string" && value.trim().length > 0 && value !== "Managed by Terraform";

/** Every security group and every rule says why it exists. */
export const securityGroupsDescribed: SecurityRule = {
  id: "security-groups-described",
  title: "Every security group and rule has a description",
  evaluate(node: IConstruct) {
    const resource = resourceConfig(node);
    if (!resource) return NOT_APPLICABLE;
    const { type, config } = resource;
    if (type === "aws_security_group") {
      if (!described(config.description)) return nonCompliant("the security group has no description");
      const silent = [...blocks(config.ingress), ...blocks(config.egress)].filter((r) => !described(r.description));
      return silent.length === 0 ? COMPLIANT : nonCompliant(`${silent.length} inline rule(s) without description`);
    }
    if (["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_security_group_rule"].includes(type)) {
      return described(config.description) ? COMPLIANT : nonCompliant("the rule has no description");
    }
    return NOT_APPLICABLE;
  },
};
