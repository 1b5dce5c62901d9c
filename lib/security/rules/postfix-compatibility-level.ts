import type { IConstruct } from "constructs";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { postfixSettings } from "./rendered-postfix";

/** Postfix runs with the safe defaults of 3.6 or later. */
export const postfixCompatibilityLevel: SecurityRule = {
  id: "postfix-compatibility-level",
  title: "Rendered Postfix sets compatibility_level ≥ 3.6",
  evaluate(node: IConstruct) {
    const settings = postfixSettings(node, "compatibility_level");
    if (!settings) return NOT_APPLICABLE;
    const bad = settings.filter((s) => s.where === "main.cf" && !(Number.parseFloat(s.value ?? "0") >= 3.6));
    return bad.length === 0 ? COMPLIANT : nonCompliant(bad.map((s) => `${s.host}: compatibility_level = ${s.value ?? "(unset, 0)"}`).join("; "));
  },
};
