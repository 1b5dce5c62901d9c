/**
 * Records and zones are data: adding or removing a customer domain adds or removes map entries
 * and never renames, re-keys or changes the resources of other domains (no replacement, no DNS
 * outage for customers who did nothing).
 */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailPlatform } from "../../../lib/constructs/mail-platform";
import type { PlatformInput } from "../../../lib/model/schema";
import { customerDomain, generatedPlatform } from "../../../bench/generated-platform";
import { route53Records, type TerraformJson } from "../../support/synth";

function synth(input: PlatformInput): TerraformJson {
  const stack = new TerraformStack(Testing.app(), "hoster");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  new MailPlatform(stack, "mail", { platform: input });
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

/** Every Terraform instance address → what Terraform would create there. */
function instances(json: TerraformJson): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const record of route53Records(json)) found.set(record.address, record);
  for (const [logicalId, resource] of Object.entries(json.resource)) {
    for (const [name, config] of Object.entries(resource)) {
      const forEach = config.for_each;
      if (typeof forEach === "object" && forEach !== null) {
        for (const [key, value] of Object.entries(forEach)) found.set(`${logicalId}.${name}["${key}"]`, value);
      } else if (logicalId !== "aws_route53_record") {
        found.set(`${logicalId}.${name}`, undefined);
      }
    }
  }
  return found;
}

/** The addresses that belong to one customer domain (its records and its zone). */
function ofDomain(addresses: Iterable<string>, domain: string): string[] {
  return [...addresses].filter((a) => a.endsWith(`.${domain}"]`) || a.endsWith(`"${domain}"]`));
}

describe("adding and removing customer domains", () => {
  const before = generatedPlatform(40);
  const removed = customerDomain(3, 2);
  const after = structuredClone(before);
  const group3 = after.groups[3]!;
  group3.domains = group3.domains.filter((d) => d.name !== removed);
  after.dns!.zones = after.dns!.zones.filter((z) => z.name !== removed);
  const added = "newcustomer.group5.example";
  after.groups[5]!.domains.push({ name: added });
  after.dns!.zones.push({ name: added });

  const was = instances(synth(before));
  const is = instances(synth(after));

  test("every address of an untouched domain stays, with the same content", () => {
    const untouched = [...was.keys()].filter((a) => !ofDomain([a], removed).length);
    expect(untouched.length).toBeGreaterThan(400);
    for (const address of untouched) {
      expect(is.has(address) ? address : `missing: ${address}`).toBe(address);
      expect(is.get(address)).toEqual(was.get(address));
    }
  });

  test("only the removed domain's addresses go, only the added domain's addresses come", () => {
    const gone = [...was.keys()].filter((a) => !is.has(a));
    const come = [...is.keys()].filter((a) => !was.has(a));
    expect(gone.sort()).toEqual(ofDomain(was.keys(), removed).sort());
    expect(come.sort()).toEqual(ofDomain(is.keys(), added).sort());
    // Its MX, SPF, DMARC, DKIM, TLS-RPT, six SRV records and its zone.
    expect(gone).toHaveLength(12);
    expect(come).toHaveLength(12);
  });
});
