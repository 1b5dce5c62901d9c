import type { IConstruct } from "constructs";
import { COMPLIANT, nonCompliant, NOT_APPLICABLE, type SecurityRule } from "../rule";
import { postfixSettings, type PostfixSetting } from "./rendered-postfix";

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}(\/(8|9|[12]\d|3[0-2]))?|\[::1\](\/128)?|\[::ffff:127\.0\.0\.0\]\/104)$/;

/** One private (RFC 1918) IPv4 host address. */
const PRIVATE_HOST = /^(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3})\/32$/;

const entries = (value: string | undefined) => (value ?? "").split(/[\s,]+/).filter(Boolean);

/**
 * A master.cf listener whose mynetworks only decides who may connect: it names single private
 * hosts, and the listener's own relay and recipient restrictions never permit mynetworks, so
 * they relay nothing. The host-to-host channel is one: its mynetworks are its backup MX.
 */
function connectOnly(setting: PostfixSetting, restrictions: ReadonlyArray<PostfixSetting & { readonly name: string }>): boolean {
  if (!setting.where.startsWith("master.cf ") || !entries(setting.value).every((e) => LOOPBACK.test(e) || PRIVATE_HOST.test(e))) return false;
  const own = (name: string) => restrictions.find((r) => r.host === setting.host && r.where === setting.where && r.name === name);
  return ["smtpd_relay_restrictions", "smtpd_recipient_restrictions"].every((name) => {
    const set = own(name);
    return set !== undefined && set.value !== undefined && !entries(set.value).includes("permit_mynetworks");
  });
}

/** Only loopback is trusted to relay without authentication. */
export const postfixLoopbackMynetworks: SecurityRule = {
  id: "postfix-loopback-mynetworks",
  title: "Rendered Postfix trusts only loopback (mynetworks)",
  evaluate(node: IConstruct) {
    const settings = postfixSettings(node, "mynetworks");
    if (!settings) return NOT_APPLICABLE;
    const restrictions = ["smtpd_relay_restrictions", "smtpd_recipient_restrictions"].flatMap((name) =>
      (postfixSettings(node, name) ?? []).map((s) => ({ ...s, name })),
    );
    const bad = settings.filter((s) => s.value === undefined || (!entries(s.value).every((e) => LOOPBACK.test(e)) && !connectOnly(s, restrictions)));
    return bad.length === 0 ? COMPLIANT : nonCompliant(bad.map((s) => `${s.host} ${s.where}: mynetworks = ${s.value ?? "(unset: the subnet)"}`).join("; "));
  },
};
