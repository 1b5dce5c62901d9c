import type { IConstruct } from "constructs";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { postfixSettings } from "./rendered-postfix";

/** AUTH is never offered before TLS, in main.cf and in every listener override. */
export const postfixTlsAuthOnly: SecurityRule = {
  id: "postfix-tls-auth-only",
  title: "Rendered Postfix sets smtpd_tls_auth_only = yes everywhere",
  evaluate(node: IConstruct) {
    const settings = postfixSettings(node, "smtpd_tls_auth_only");
    if (!settings) return NOT_APPLICABLE;
    const bad = settings.filter((s) => s.value !== "yes");
    return bad.length === 0 ? COMPLIANT : nonCompliant(bad.map((s) => `${s.host} ${s.where}: smtpd_tls_auth_only = ${s.value ?? "(unset, no)"}`).join("; "));
  },
};
