import type { IConstruct } from "constructs";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { renderedHostFiles } from "./rendered-postfix";

/** The top-level settings of a dovecot.conf (no indent), the last of each name. */
function topLevel(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([a-z_][a-z0-9_-]*) =(?: (.*))?$/.exec(line);
    if (match) settings.set(match[1]!, (match[2] ?? "").toLowerCase());
  }
  return settings;
}

/**
 * Dovecot accepts no login before TLS: `ssl = required`, and cleartext authentication stays off
 * (`disable_plaintext_auth` not `no` in Dovecot 2.3, `auth_allow_cleartext` not `yes` in 2.4).
 */
export const dovecotTlsBeforeLogin: SecurityRule = {
  id: "dovecot-tls-before-login",
  title: "Rendered Dovecot requires TLS before any login",
  evaluate(node: IConstruct) {
    const files = renderedHostFiles(node, "etc/dovecot/dovecot.conf");
    if (!files) return NOT_APPLICABLE;
    const bad = files.flatMap(({ host, content }) => {
      const settings = topLevel(content);
      return [
        ...(settings.get("ssl") === "required" ? [] : [`${host}: ssl = ${settings.get("ssl") ?? "(unset, yes)"}`]),
        ...(settings.get("disable_plaintext_auth") === "no" ? [`${host}: disable_plaintext_auth = no`] : []),
        ...(settings.get("auth_allow_cleartext") === "yes" ? [`${host}: auth_allow_cleartext = yes`] : []),
      ];
    });
    return bad.length === 0 ? COMPLIANT : nonCompliant(bad.join("; "));
  },
};
