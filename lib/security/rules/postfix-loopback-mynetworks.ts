import type { IConstruct } from "constructs";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { postfixSettings } from "./rendered-postfix";

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}(\/(8|9|[12]\d|3[0-2]))?|\[::1\](\/128)?|\[::ffff:127\.0\.0\.0\]\/104)$/;

/** Only loopback is trusted to relay without authentication. */
export const postfixLoopbackMynetworks: SecurityRule = {
  id: "postfix-loopback-mynetworks",
  title: "Rendered Postfix trusts only loopback (mynetworks)",
  evaluate(node: IConstruct) {
    const settings = postfixSettings(node, "mynetworks");
    if (!settings) return NOT_APPLICABLE;
    const bad = settings.filter(
      (s) =>
        s.value === undefined ||
        s.value
          .split(/[\s,]+/)
          .filter(Boolean)
          .some((entry) => !LOOPBACK.test(entry)),
    );
    return bad.length === 0 ? COMPLIANT : nonCompliant(bad.map((s) => `${s.host} ${s.where}: mynetworks = ${s.value ?? "(unset: the subnet)"}`).join("; "));
  },
};
