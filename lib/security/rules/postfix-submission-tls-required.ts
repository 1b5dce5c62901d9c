import type { IConstruct } from "constructs";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { postfixSettings, type PostfixSetting } from "./rendered-postfix";

/** The value that applies to one master.cf service: its last `-o`, else main.cf's. */
function effective(settings: readonly PostfixSetting[], host: string, where: string): string | undefined {
  const own = settings.filter((s) => s.host === host && s.where === where).at(-1);
  return (own ?? settings.find((s) => s.host === host && s.where === "main.cf"))?.value?.toLowerCase();
}

/**
 * Every listener that offers AUTH (submission on 587 and 465) requires TLS before anything else:
 * implicit TLS (wrapper mode) or STARTTLS enforced (`smtpd_tls_security_level = encrypt`), as
 * RFC 8314 asks of submission.
 */
export const postfixSubmissionTlsRequired: SecurityRule = {
  id: "postfix-submission-tls-required",
  title: "Rendered Postfix requires TLS on every listener that offers AUTH",
  evaluate(node: IConstruct) {
    const auth = postfixSettings(node, "smtpd_sasl_auth_enable");
    const level = postfixSettings(node, "smtpd_tls_security_level");
    const wrapper = postfixSettings(node, "smtpd_tls_wrappermode");
    if (!auth || !level || !wrapper) return NOT_APPLICABLE;
    const offering = auth.filter((s) => s.where !== "main.cf" && effective(auth, s.host, s.where) === "yes");
    const bad = offering.filter((s) => effective(wrapper, s.host, s.where) !== "yes" && effective(level, s.host, s.where) !== "encrypt");
    return bad.length === 0
      ? COMPLIANT
      : nonCompliant(
          bad
            .map(
              (s) => `${s.host} ${s.where}: AUTH with smtpd_tls_security_level = ${effective(level, s.host, s.where) ?? "(unset, none)"} and no wrapper mode`,
            )
            .join("; "),
        );
  },
};
