import type { IConstruct } from "constructs";
import { COMPLIANT, isAnywhere, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { covers, openings } from "./ingress-openings";

/** Ports that must never be open to the whole internet without a written reason. */
export const ADMIN_PORTS = [22, 80, 3389] as const;

/** SSH, RDP and plain HTTP are not open to the internet. */
export const noAdminIngressFromAnywhere: SecurityRule = {
  id: "no-admin-ingress-from-anywhere",
  title: "No ingress from anywhere to 22 (SSH), 3389 (RDP) or 80 (HTTP)",
  evaluate(node: IConstruct) {
    const found = openings(node);
    if (!found) return NOT_APPLICABLE;
    const bad = found.filter((o) => o.direction === "ingress" && isAnywhere(o.cidrs)).flatMap((o) => ADMIN_PORTS.filter((p) => covers(o, p)));
    return bad.length === 0 ? COMPLIANT : nonCompliant(`port(s) ${[...new Set(bad)].join(", ")} open to anywhere`);
  },
};
