import type { IConstruct } from "constructs";
import { block, blocks, COMPLIANT, nonCompliant, NOT_APPLICABLE, resourceConfig, type SecurityRule } from "../rule";

/** Root and data volumes are encrypted at rest (mail and keys live on them). */
export const volumesEncrypted: SecurityRule = {
  id: "volumes-encrypted",
  title: "Root and data volumes are encrypted",
  evaluate(node: IConstruct) {
    const resource = resourceConfig(node);
    if (!resource) return NOT_APPLICABLE;
    if (resource.type === "aws_ebs_volume") {
      return resource.config.encrypted === true ? COMPLIANT : nonCompliant("the EBS volume is not encrypted");
    }
    if (resource.type !== "aws_instance") return NOT_APPLICABLE;
    const root = block(resource.config.root_block_device);
    if (root?.encrypted !== true) return nonCompliant("root_block_device.encrypted is not true");
    const plain = blocks(resource.config.ebs_block_device).filter((d) => d.encrypted !== true);
    return plain.length === 0 ? COMPLIANT : nonCompliant(`ebs_block_device ${plain.map((d) => d.device_name).join(", ")} not encrypted`);
  },
};
