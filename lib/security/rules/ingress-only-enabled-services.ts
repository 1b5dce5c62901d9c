import type { IConstruct } from "constructs";
import { isMailFirewall, type BrandedMailFirewall } from "../brands";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { openings } from "./ingress-openings";

function firewallOf(node: IConstruct): BrandedMailFirewall | undefined {
  for (let scope: IConstruct | undefined = node.node.scope; scope; scope = scope.node.scope) {
    if (isMailFirewall(scope)) return scope;
  }
  return undefined;
}

/** A mail firewall opens exactly the enabled services (and the operator's configured extras). */
export const ingressOnlyEnabledServices: SecurityRule = {
  id: "ingress-only-enabled-services",
  title: "The mail security group opens only the enabled mail services (and configured extras)",
  evaluate(node: IConstruct) {
    const firewall = firewallOf(node);
    const found = firewall ? openings(node) : undefined;
    if (!firewall || !found) return NOT_APPLICABLE;
    const allowed = firewall.allowedIngressPorts;
    const extra = found.filter((o) => o.direction === "ingress").filter((o) => !(o.fromPort === o.toPort && allowed.has(o.fromPort)));
    return extra.length === 0
      ? COMPLIANT
      : nonCompliant(`ingress ${extra.map((o) => (o.fromPort === o.toPort ? o.fromPort : `${o.fromPort}-${o.toPort}`)).join(", ")} is no enabled service`);
  },
};
