/**
 * A host role's ACME DNS-01 statement at any size: it lists the zones while their ARNs fit IAM's
 * 10,240 characters, and beyond that names every hosted zone, still only for TXT records of
 * challenge names that begin like the host's own. Validation sizes the role exactly as the
 * construct writes it, in both shapes: a platform of 1,000 domains with MTA-STS and client
 * autoconfiguration validates, synthesizes, and its roles' policies are the characters
 * validation computed.
 */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { customerDomain, generatedPlatform } from "../../../bench/generated-platform";
import { MailPlatform } from "../../../lib/constructs/mail-platform";
import {
  acmeScope,
  ALL_HOSTED_ZONES_ARN,
  ANY_ACME_CHALLENGE,
  challengeNamePatterns,
  MAX_ZONE_ID_CHARACTERS,
  type HostRoleInputs,
} from "../../../lib/model/acme-scope";
import { hostRolePolicyCharacters, LIMITS } from "../../../lib/model/aws-limits";
import { certificateNames } from "../../../lib/model/certificate-names";
import type { PlatformInput } from "../../../lib/model/schema";
import { hostRolePolicySizes } from "../../../lib/model/semantic-checks";
import { parsePlatform, validatePlatform } from "../../../lib/validation/validate";
import { exampleInput } from "../../support/example";
import { resources, synthExample, type TerraformJson } from "../../support/synth";

const LIMIT = LIMITS.rolePolicyCharacters.value;
const BUNDLE = "arn:aws:s3:::acme-mail-config-vpc-0a1b2c3d4e5f60718/bundles/mx1/*";

/** A role's inputs with `zones` created zones (ids unknown before deploy). */
function inputs(zones: number, change: Partial<HostRoleInputs> = {}): HostRoleInputs {
  return {
    zoneIds: new Array<undefined>(zones).fill(undefined),
    certificateNames: ["mail.d0.example", ...Array.from({ length: zones }, (_, i) => `mta-sts.d${i}.example`)],
    parameters: ["/acme-mail/dkim/s2026"],
    bundleObjectsArn: BUNDLE,
    passwordPath: "/acme-mail/mail-users",
    ...change,
  };
}

/** Characters of the role with the zones listed, each id `idCharacters` long. */
function listedSize(zones: number, idCharacters: number): number {
  const { parameters, bundleObjectsArn, passwordPath } = inputs(0);
  const ids = new Array<string>(zones).fill("Z".padEnd(idCharacters, "0"));
  return hostRolePolicyCharacters({ zones: ids, recordNames: [ANY_ACME_CHALLENGE] }, parameters, bundleObjectsArn, passwordPath);
}

describe("the shape of the ACME statement", () => {
  test("a few zones are listed, with any challenge name in them", () => {
    expect(acmeScope(inputs(4))).toEqual({ allZones: false, recordNames: [ANY_ACME_CHALLENGE] });
  });

  test("created zones are listed while they fit at the longest id Route53 may assign, and no further", () => {
    // GIVEN the most created zones the statement lists
    let listed = 0;
    while (!acmeScope(inputs(listed + 1)).allZones) listed++;

    // THEN they fit even at 32-character ids, and one more would not
    expect(listedSize(listed, MAX_ZONE_ID_CHARACTERS)).toBeLessThanOrEqual(LIMIT);
    expect(listedSize(listed + 1, MAX_ZONE_ID_CHARACTERS)).toBeGreaterThan(LIMIT);
    expect(listed).toBeGreaterThan(100);
    // AND zones given by id count their own length: more of the 21-character ids fit
    const given = (n: number) => inputs(n, { zoneIds: Array.from({ length: n }, (_, i) => `Z${String(i).padStart(20, "0")}`) });
    expect(acmeScope(given(listed + 20)).allZones).toBe(false);
  });

  test("beyond that, every zone, for challenge names that begin like the host's certificate names", () => {
    expect(acmeScope(inputs(1000))).toEqual({ allZones: true, recordNames: ["_acme-challenge.mail.*", "_acme-challenge.mta-sts.*"] });
  });

  test("when even those names do not fit, every zone with any challenge name", () => {
    // GIVEN 1,000 certificate names, each with a first label of its own
    const names = Array.from({ length: 1000 }, (_, i) => `host${i}.d${i}.example`);
    expect(acmeScope(inputs(1000, { certificateNames: names }))).toEqual({ allZones: true, recordNames: [ANY_ACME_CHALLENGE] });
  });

  test("the narrowed names are each first label once, lowercased as Route53 normalizes the names", () => {
    expect(challengeNamePatterns(["Mail.a.example", "mta-sts.a.example", "mail.b.example", "mx.example"])).toEqual([
      "_acme-challenge.mail.*",
      "_acme-challenge.mta-sts.*",
      "_acme-challenge.mx.*",
    ]);
  });
});

// -------------------------------------------------------------------------------------------------

/** The inline policy documents of one role, as parsed JSON with Terraform's escaping and references as written. */
interface RolePolicy {
  readonly name: string;
  readonly text: string;
}

/** Every role's inline policies, by the role's name. */
function inlinePolicies(json: TerraformJson): Map<string, RolePolicy[]> {
  const roleNames = new Map(Object.entries(json.resource.aws_iam_role ?? {}).map(([id, role]) => [id, String(role.name)]));
  const byRole = new Map<string, RolePolicy[]>();
  for (const policy of resources(json, "aws_iam_role_policy")) {
    const roleId = /^\$\{aws_iam_role\.([^.]+)\.id\}$/.exec(String(policy.role))![1]!;
    const role = roleNames.get(roleId)!;
    byRole.set(role, [...(byRole.get(role) ?? []), { name: String(policy.name), text: String(policy.policy) }]);
  }
  return byRole;
}

/**
 * A policy as IAM will receive it: every Terraform reference (a created zone's id) replaced by an
 * id of the length validation assumes for created zones, then minified.
 */
function deployedText(text: string): string {
  expect(text).not.toContain("$${"); // no escaped dollar: the text is JSON once references are resolved
  return JSON.stringify(JSON.parse(text.replace(/\$\{[^}]*\}/g, "Z".padEnd(21, "0"))));
}

/** The generated provider platform with two hosts, MTA-STS and client autoconfiguration. */
function thousandDomains(): PlatformInput {
  const input = generatedPlatform(1000);
  input.hosts.push({ name: "mx2" });
  input.groups.forEach((group, g) => group.addresses.push({ host: "mx2", privateIp: `10.0.1.${41 + g}`, hostName: `mx2.${customerDomain(g, 0)}` }));
  input.aws!.hosts.mx2 = { ...input.aws!.hosts.mx1! };
  input.dns!.mtaSts = {};
  input.dns!.clientAutoconfig = {};
  return input;
}

describe("the example platform: its few zones listed", () => {
  test("each role's inline policies are the characters validation computed, the created zones' ids at their assumed length", () => {
    // GIVEN the example with MTA-STS: four created zones
    const withMtaSts = (i: PlatformInput) => (i.dns!.mtaSts = {});
    const { json } = synthExample(withMtaSts);
    const input = exampleInput();
    withMtaSts(input);
    const spec = parsePlatform(input, "example");
    const policies = inlinePolicies(json);
    for (const { host, zones, acme, characters } of hostRolePolicySizes(spec)) {
      const written = policies.get(`acme-mail-${host}`)!;
      // THEN the zones are listed, and the policies, references resolved, are the figure
      expect(acme).toEqual({ allZones: false, recordNames: [ANY_ACME_CHALLENGE] });
      const acmePolicy = JSON.parse(deployedText(written.find((p) => p.name === "acme-dns-01")!.text)) as { Statement: Array<{ Resource: unknown }> };
      expect(acmePolicy.Statement[1]!.Resource).toHaveLength(zones.length);
      expect(written.reduce((sum, p) => sum + deployedText(p.text).length, 0)).toBe(characters);
    }
  });
});

describe("1,000 domains with MTA-STS and client autoconfiguration", () => {
  const input = thousandDomains();
  const spec = parsePlatform(input, "thousandDomains");
  let policies: Map<string, RolePolicy[]>;
  let sizes: ReturnType<typeof hostRolePolicySizes>;

  beforeAll(() => {
    const stack = new TerraformStack(Testing.app(), "thousand");
    new AwsProvider(stack, "aws", { region: "eu-central-1" });
    new MailPlatform(stack, "mail", { platform: input });
    policies = inlinePolicies(JSON.parse(Testing.synth(stack)) as TerraformJson);
    sizes = hostRolePolicySizes(spec);
  });

  test("validates: MTA-STS is no longer limited by the zones a role can list", () => {
    expect(spec.groups.flatMap((g) => g.domains)).toHaveLength(1000);
    expect(validatePlatform(input)).toMatchObject({ ok: true });
  });

  test("each host role's inline policies together are the characters validation computed, within IAM's limit", () => {
    expect(sizes.map((s) => s.host)).toEqual(["mx1", "mx2"]);
    for (const { host, characters } of sizes) {
      // GIVEN the role's inline policies as synthesized
      const written = policies.get(`hoster-${host}`)!;
      expect(written.map((p) => p.name).sort()).toEqual(["acme-dns-01", "no-other-parameters", "read-own-configuration", "read-own-secrets"]);

      // THEN together, minified, they are the figure validation checked, and IAM takes them
      const total = written.reduce((sum, p) => sum + deployedText(p.text).length, 0);
      expect({ host, total }).toEqual({ host, total: characters });
      expect(total).toBeLessThanOrEqual(LIMIT);
    }
  });

  test("a role with more zones than fit names every zone, for TXT records of its own challenge names only", () => {
    let wide = 0;
    for (const { host, zones, acme } of sizes) {
      const acmePolicy = JSON.parse(deployedText(policies.get(`hoster-${host}`)!.find((p) => p.name === "acme-dns-01")!.text)) as {
        Statement: [unknown, { Sid: string; Action: string; Resource: unknown; Condition: unknown }];
      };
      const statement = acmePolicy.Statement[1];
      expect(statement).toMatchObject({ Sid: "AcmeChallengeRecordsOnly", Action: "route53:ChangeResourceRecordSets" });
      if (!acme.allZones) {
        // A host whose certificate names lie in few zones keeps them listed.
        expect(statement.Resource).toHaveLength(zones.length);
        continue;
      }
      wide++;
      // THEN every zone, under the conditions: TXT only, names as the host's certificate names begin
      expect(zones.length).toBeGreaterThan(150);
      expect(statement.Resource).toBe(ALL_HOSTED_ZONES_ARN);
      const names = challengeNamePatterns(certificateNames(spec, host));
      expect(statement.Condition).toEqual({
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
        "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": names },
      });
      expect(names).toContain("_acme-challenge.mta-sts.*");
      expect(names).not.toContain(ANY_ACME_CHALLENGE);
      for (const name of names)
        expect([
          "_acme-challenge.mail.*",
          "_acme-challenge.mx2.*",
          "_acme-challenge.mta-sts.*",
          "_acme-challenge.autoconfig.*",
          "_acme-challenge.autodiscover.*",
        ]).toContain(name);
    }
    // AND the host that serves MTA-STS for every domain is one of them
    expect(wide).toBeGreaterThanOrEqual(1);
  });
});
