import type { IConstruct } from "constructs";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { postfixSettings } from "./rendered-postfix";

const ALLOWED_PERMITS = new Set(["permit_mynetworks", "permit_sasl_authenticated"]);

/**
 * Relaying is restricted in main.cf and every listener: the relay restrictions end in a
 * rejection of unauthorised destinations (or a plain reject) and permit nobody else.
 */
export const postfixRelayRestricted: SecurityRule = {
  id: "postfix-relay-restricted",
  title: "Rendered Postfix restricts relaying (no open relay)",
  evaluate(node: IConstruct) {
    const settings = postfixSettings(node, "smtpd_relay_restrictions");
    if (!settings) return NOT_APPLICABLE;
    const bad = settings.filter((s) => {
      const list = (s.value ?? "").split(/[\s,]+/).filter(Boolean);
      const closes = list.some((r) => ["reject_unauth_destination", "defer_unauth_destination", "reject"].includes(r));
      const opens = list.some((r) => r.startsWith("permit") && !ALLOWED_PERMITS.has(r));
      return !closes || opens;
    });
    return bad.length === 0 ? COMPLIANT : nonCompliant(bad.map((s) => `${s.host} ${s.where}: smtpd_relay_restrictions = ${s.value ?? "(unset)"}`).join("; "));
  },
};
