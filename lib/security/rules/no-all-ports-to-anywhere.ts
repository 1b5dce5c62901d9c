import type { IConstruct } from "constructs";
import { COMPLIANT, isAnywhere, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { openings } from "./ingress-openings";

/** No rule opens every port (or every protocol) to or from anywhere. */
export const noAllPortsToAnywhere: SecurityRule = {
  id: "no-all-ports-to-anywhere",
  title: "No all-ports ingress or egress to anywhere",
  evaluate(node: IConstruct) {
    const found = openings(node);
    if (!found) return NOT_APPLICABLE;
    const wide = found.filter((o) => isAnywhere(o.cidrs) && (o.protocol === "-1" || o.protocol === "all" || (o.fromPort <= 0 && o.toPort >= 65535)));
    return wide.length === 0 ? COMPLIANT : nonCompliant(`${wide.map((o) => o.direction).join(" and ")} open on all ports to anywhere`);
  },
};
