/**
 * Extra ingress rules are named by what they open (port and network), not by their place in the
 * list: removing one rule leaves every other rule's Terraform address and configuration as it was.
 */
import { validatePlatform } from "../../../lib/validation/validate";
import type { ExtraIngressInput } from "../../../lib/model/input-types";
import { exampleInput } from "../../support/example";
import { synthExample } from "../../support/synth";

const SSH = { port: 22, cidr: "198.51.100.0/24", description: "SSH from the operations network" };
const MONITORING = { port: 9100, cidr: "203.0.113.0/28", description: "node exporter for monitoring" };
const SSH_VPN = { port: 22, cidr: "192.0.2.0/24", description: "SSH from the VPN" };

/** The extra ingress rules of the synthesized example, by Terraform address. */
function extraRules(extras: ExtraIngressInput[]): Map<string, Record<string, unknown>> {
  const { json } = synthExample((i) => (i.aws!.extraIngress = extras));
  const all = Object.entries(json.resource.aws_vpc_security_group_ingress_rule ?? {}) as [string, Record<string, unknown>][];
  return new Map(all.filter(([address]) => address.includes("in-extra")));
}

test("removing the first extra rule keeps the address and configuration of the others", () => {
  const before = extraRules([SSH, MONITORING, SSH_VPN]);
  const after = extraRules([MONITORING, SSH_VPN]);
  expect(before.size).toBe(3);
  expect(after.size).toBe(2);
  for (const [address, config] of after) expect(before.get(address)).toEqual(config);
});

test("two rules for the same port from different networks are two rules; a rule's description is not its name", () => {
  const first = extraRules([SSH, SSH_VPN]);
  const renamed = extraRules([{ ...SSH, description: "SSH from the operations network, rack 2" }, SSH_VPN]);
  expect([...renamed.keys()]).toEqual([...first.keys()]);
});

test("the same port and network twice is a validation problem (it would be one name, and AWS refuses duplicates)", () => {
  const input = exampleInput();
  input.aws!.extraIngress = [SSH, MONITORING, { ...SSH, description: "SSH again" }];
  const result = validatePlatform(input);
  expect(result.ok).toBe(false);
  if (!result.ok)
    expect(result.issues).toContainEqual(expect.objectContaining({ path: "aws.extraIngress[2]", message: expect.stringContaining("aws.extraIngress[0]") }));
});
