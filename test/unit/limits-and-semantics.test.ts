/**
 * Documented limits as validation rules, and models that are well-formed but wrong: each refused
 * with its field path, the value received and a message that says what is allowed (and, for a
 * limit, where it is documented); the valid edge just inside each limit passes. The two models
 * that crashed before (16 hosts × 48 groups in `mail-platform zone`, 24 groups with long DKIM
 * parameter names at synth) are refused by validation or succeed.
 */
import { createHash, createPublicKey, generateKeyPairSync } from "crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { stringify } from "yaml";
import { run } from "../../lib/cli/main";
import { ANY_ACME_CHALLENGE } from "../../lib/model/acme-scope";
import { acmeDnsPolicy, configurationPolicy, otherParametersDenyPolicy, secretParametersPolicy } from "../../lib/constructs/host-role";
import { MailConfigStore } from "../../lib/constructs/mail-config-store";
import { DATA_VOLUME_TAG, PLATFORM_DATA_TAG } from "../../lib/constructs/mail-data-volume";
import { MailPlatform } from "../../lib/constructs/mail-platform";
import {
  type AcmeStatement,
  hostRolePolicyCharacters,
  ipv4AddressesPerInterface,
  LIMITS,
  MAX_PARAMETER_NAME_CHARACTERS,
  PLATFORM_TAG_KEYS,
  typesOfFamily,
} from "../../lib/model/aws-limits";
import { isGravitonInstanceType } from "../../lib/model/deployment-checks";
import { adminExposure, publicAddressCount } from "../../lib/model/ingress-coverage";
import { PlatformValidationError, type PlatformIssue } from "../../lib/model/issues";
import { isPrivateKeyText, PRIVATE_KEY_MESSAGE, PRIVATE_KEY_NOT_SHOWN } from "../../lib/model/private-key";
import type { PlatformInput } from "../../lib/model/schema";
import { pinProblem, replyFilterProblem, route53TxtCharacters, visibleLetters } from "../../lib/model/semantic-checks";
import { parameterNameProblems, USER_DATA_MARGIN_BYTES, userDataSizes } from "../../lib/validation/rendered-checks";
import { parsePlatform, validatePlatform } from "../../lib/validation/validate";
import { PLACEHOLDER_CAPACITY, publicIpPlaceholders } from "../../lib/render/dns/zone-export";
import { plan } from "../../lib/plan/plan";
import { USER_DATA_LIMIT_BYTES } from "../../lib/rollout/bootstrap/user-data";
import { exampleInput } from "../support/example";
import { platformOf } from "../support/variants";

type Change = (input: PlatformInput) => void;

/** The problems of the example after a change (fails the test when there are none). */
function problems(change: Change): PlatformIssue[] {
  const input = exampleInput();
  change(input);
  const result = validatePlatform(input);
  if (result.ok) throw new Error("expected the model to be invalid");
  return [...result.issues];
}

/** The example after a change is valid. */
function expectValid(change: Change): void {
  const input = exampleInput();
  change(input);
  const result = validatePlatform(input);
  expect(result.ok ? [] : result.issues).toEqual([]);
}

/** The change makes the model invalid with (at least) this problem at this path. */
function expectProblem(change: Change, path: string, message: string | RegExp): PlatformIssue {
  const found = problems(change);
  const at = found.filter((p) => p.path === path);
  const match = at.find((p) => (typeof message === "string" ? p.message.includes(message) : message.test(p.message)));
  if (!match) throw new Error(`no problem at ${path} matching ${String(message)}; found:\n${found.map((p) => `${p.path}: ${p.message}`).join("\n")}`);
  expect(match.received.length).toBeGreaterThan(0);
  return match;
}

/** Base64url-ish text (letters, digits, - and _) that compresses like a real random name. */
function randomish(seed: string, length: number): string {
  let text = "";
  for (let i = 0; text.length < length; i++) text += createHash("sha256").update(`${seed}/${i}`).digest("base64url");
  return text.slice(0, length);
}

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mail-platform-limits-"));
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function synth(input: PlatformInput): string {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  new MailPlatform(stack, "mail", { platform: input });
  return Testing.synth(stack);
}

describe("the limits table", () => {
  test("every limit names its value, what it limits and its source", () => {
    for (const limit of Object.values(LIMITS)) {
      expect(limit.value).toBeGreaterThan(0);
      expect(limit.title.length).toBeGreaterThan(3);
      expect(limit.url).toMatch(/^https:\/\//);
    }
  });

  test("the tags the constructs set are the ones the tag budget reserves", () => {
    expect(PLATFORM_TAG_KEYS).toEqual(["Name", DATA_VOLUME_TAG, PLATFORM_DATA_TAG]);
  });

  test("the host role's policy size is computed as the constructs write the policies, in each ACME shape", () => {
    const listed = (zones: string[]): AcmeStatement => ({ zones, recordNames: [ANY_ACME_CHALLENGE] });
    const cases: Array<[AcmeStatement, string[], string | undefined, string | undefined]> = [
      [listed([]), [], "arn:aws:s3:::b/bundles/mx1/*", undefined],
      [listed([]), [], "arn:aws:s3:::b/bundles/mx1/*", "/acme-mail/mail-users"],
      [listed(["Z0123456789ABCDEFGHIJ"]), ["/acme-mail/dkim/s1"], "arn:aws:s3:::acme-mail-config-vpc-0a1b2c3d4e5f60718/bundles/mx1/*", undefined],
      [listed(["Z0123456789ABCDEFGHIJ"]), ["/acme-mail/dkim/s1"], "arn:aws:s3:::acme-mail-config-vpc-0a1b2c3d4e5f60718/bundles/mx1/*", "/p"],
      [listed(["Z1", "Z0123456789ABCDEFGHIJ", "ZABC"]), ["/a", "/b/c", `/${"x".repeat(200)}`], "arn:aws:s3:::x/bundles/constructor/*", `/${"y".repeat(300)}`],
      [{ zones: "all", recordNames: [ANY_ACME_CHALLENGE] }, ["/a"], "arn:aws:s3:::b/bundles/mx1/*", "/p"],
      [{ zones: "all", recordNames: ["_acme-challenge.mta-sts.*", "_acme-challenge.mail.*"] }, [], "arn:aws:s3:::b/bundles/mx1/*", undefined],
      [{ zones: ["Z1"], recordNames: ["_acme-challenge.a.*", "_acme-challenge.bb.*", "_acme-challenge.ccc.*"] }, [], undefined, undefined],
    ];
    for (const [acme, parameters, arn, path] of cases) {
      const written =
        acmeDnsPolicy(acme.zones, acme.recordNames).length +
        (arn === undefined ? 0 : configurationPolicy(arn).length) +
        (parameters.length > 0 || path !== undefined ? secretParametersPolicy(parameters, path).length : 0) +
        otherParametersDenyPolicy(parameters, path).length;
      expect(hostRolePolicyCharacters(acme, parameters, arn, path)).toBe(written);
    }
  });

  test("the user data estimate is the synthesized user data's size, within the margin kept for the bundle id", () => {
    const input = exampleInput();
    const [estimate] = [...userDataSizes(parsePlatform(input)).values()];
    const json = JSON.parse(synth(input)) as { resource: { aws_instance: Record<string, { user_data_base64: string }> } };
    const [instance] = Object.values(json.resource.aws_instance);
    expect(Math.abs(instance!.user_data_base64.length - estimate!)).toBeLessThanOrEqual(USER_DATA_MARGIN_BYTES / 2);
    expect(MailConfigStore.key("mx1", { id: "abc" } as never)).toBe("bundles/mx1/abc.json");
  });
});

describe("EC2: private IPv4 addresses per network interface", () => {
  test.each([
    ["t3.nano", 2],
    ["t3.small", 4],
    ["t3.medium", 6],
    ["t4g.large", 12],
    ["m5.large", 10],
    ["c5.4xlarge", 30],
    ["m6i.24xlarge", 50],
    ["c7g.medium", 4],
    ["a1.metal", 30],
    ["m8i.48xlarge", 64],
  ])("%s carries %i", (type, addresses) => {
    expect(ipv4AddressesPerInterface(type)).toBe(addresses);
  });

  test("no type carries more than the table's maximum (a host carries at most that many groups)", () => {
    expect(Math.max(...["m5", "m8i", "c8a", "t3"].flatMap((f) => typesOfFamily(f).map(([, n]) => n)))).toBe(LIMITS.ipv4AddressesPerInterface.value);
    expect(LIMITS.ipv4AddressesPerInterface.value).toBe(64);
  });

  test("a host with more groups than its instance type carries addresses is refused, naming a type that fits", () => {
    const problem = expectProblem(
      (i) => {
        Object.assign(i, platformOf(1, 5, "t3.small"));
      },
      "aws.hosts.mx0.instanceType",
      'host mx0 carries its groups\' addresses on one network interface: 5 private IPv4 addresses, and t3.small allows 4 per interface (AWS: "Maximum IP addresses per network interface"); choose t3.medium (6 addresses) or larger, or fewer groups',
    );
    expect(problem.received).toBe('"t3.small"');
  });

  test("exactly as many groups as addresses passes", () => {
    expectValid((i) => Object.assign(i, platformOf(1, 4, "t3.small")));
    expectValid((i) => Object.assign(i, platformOf(2, 10, "m5.large")));
  });

  test("an instance type the table does not know is not refused (EC2 judges it at deploy)", () => {
    expect(ipv4AddressesPerInterface("zz9.large")).toBeUndefined();
    expectValid((i) => Object.assign(i, platformOf(1, 12, "zz9.large")));
  });

  test("a1 is Graviton (arm64)", () => {
    expect(isGravitonInstanceType("a1.large")).toBe(true);
    expect(isGravitonInstanceType("a1.metal")).toBe(true);
    expect(isGravitonInstanceType("m5.large")).toBe(false);
    expect(isGravitonInstanceType("g4dn.xlarge")).toBe(false);
    expectValid((i) => (i.aws!.hosts.mx1 = { subnetId: "subnet-0a1b2c3d4e5f60718", instanceType: "a1.large", architecture: "arm64" }));
    expectProblem(
      (i) => (i.aws!.hosts.mx1 = { subnetId: "subnet-0a1b2c3d4e5f60718", instanceType: "a1.large" }),
      "aws.hosts.mx1.architecture",
      "instance type a1.large is arm64",
    );
  });
});

describe("16 hosts × 48 groups (crashed `mail-platform zone` with more than 762 deploy-time addresses)", () => {
  test("on t3.small: refused by validation for every host, and MailPlatform refuses it too", async () => {
    const input = platformOf(16, 48, "t3.small");
    const result = validatePlatform(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual(Array.from({ length: 16 }, (_, h) => `aws.hosts.mx${h}.instanceType`).sort());
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, "platform.yaml"), stringify(input));
    const zone = await cli("zone", join(dir, "platform.yaml"), "--out", join(dir, "zones"));
    expect(zone.code).toBe(1);
    expect(zone.err).toContain("  - aws.hosts.mx15.instanceType: host mx15 carries its groups' addresses on one network interface: 48 private IPv4 addresses");
    expect(zone.err).not.toMatch(/^\s+at /m);
    expect(() => synth(input)).toThrow(PlatformValidationError);
  });

  test("on m5.24xlarge (50 addresses per interface): valid, and the zone export writes all 48 zones with 768 placeholders", async () => {
    const input = platformOf(16, 48, "m5.24xlarge");
    expect(validatePlatform(input).ok).toBe(true);
    const placeholders = publicIpPlaceholders(plan(parsePlatform(input)));
    expect(placeholders.size).toBe(768);
    const ips = [...placeholders.values()].map((p) => p.ip);
    expect(new Set(ips).size).toBe(768);
    expect(ips[761]).toBe("203.0.113.254");
    expect(ips[762]).toBe("198.18.0.1");
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, "platform.yaml"), stringify(input));
    const zone = await cli("zone", join(dir, "platform.yaml"), "--out", join(dir, "zones"));
    expect(zone.err).toBe("");
    expect(zone.code).toBe(0);
    expect(readdirSync(join(dir, "zones"))).toHaveLength(48);
    expect(readFileSync(join(dir, "zones", "d47.example.zone"), "utf8")).toMatch(/^mx15\.d47\.example\. 300 IN A 198\.18\.0\.6$/m);
  });

  test("the placeholder space holds the largest model the schema admits (16 hosts × 64 groups)", () => {
    expect(PLACEHOLDER_CAPACITY).toBeGreaterThanOrEqual(16 * 64);
  });
});

describe("EC2 user data (24 groups with long DKIM parameter names failed at synth with UserDataTooLargeError)", () => {
  const withKeys = (parameter: (g: number) => string) => (input: PlatformInput) => {
    const publicKey = input.dkim!.publicKey;
    input.groups.forEach((group, g) => (group.dkim = { selector: "s2026", publicKey, privateKeyParameter: parameter(g) }));
  };
  const sizeOf = (input: PlatformInput) => [...userDataSizes(parsePlatform(input)).values()][0]!;
  const issuesOf = (input: PlatformInput) => {
    const result = validatePlatform(input);
    return result.ok ? [] : result.issues.map((i) => `${String(i.path)}: ${i.message}`);
  };

  test("the DKIM key names travel in the bundle: 24 groups with names of 100 characters are valid (the user data refused 60), and the user data does not grow with them", () => {
    const short = platformOf(
      1,
      24,
      "m5.4xlarge",
      withKeys((g) => `/acme-mail/dkim/g${g}`),
    );
    // 100 characters: the role's inline policies (IAM's 10,240 characters) bound the names, not the user data.
    const longest = platformOf(
      1,
      24,
      "m5.4xlarge",
      withKeys((g) => `/acme-mail/dkim/${randomish(`g${g}`, 100)}`),
    );
    expect(issuesOf(longest)).toEqual([]);
    expect(sizeOf(longest)).toBe(sizeOf(short));
    expect(sizeOf(longest) + USER_DATA_MARGIN_BYTES).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES);
    const json = JSON.parse(synth(longest)) as { resource: { aws_instance: Record<string, { user_data_base64: string }> } };
    expect(Object.values(json.resource.aws_instance)[0]!.user_data_base64.length).toBeLessThan(USER_DATA_LIMIT_BYTES);
  });

  test("with as many groups as the instance type carries addresses, the user data still fits: a group adds a few bytes", () => {
    // 30 addresses per interface on m5.4xlarge: each group's address is the one thing per group in the script.
    const one = sizeOf(platformOf(1, 1, "m5.4xlarge"));
    const input = platformOf(
      1,
      29,
      "m5.4xlarge",
      withKeys((g) => `/acme-mail/dkim/g${g}`),
    );
    expect(issuesOf(input)).toEqual([]);
    expect(sizeOf(input) + USER_DATA_MARGIN_BYTES).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES);
    expect((sizeOf(input) - one) / 28).toBeLessThan(20);
  });
});

describe("tags", () => {
  const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`team${i}`, "mail"]));

  test("at most 47 user tags (50 per resource, 3 set by the platform)", () => {
    expectValid((i) => (i.aws!.tags = tags(47)));
    const problem = expectProblem(
      (i) => (i.aws!.tags = tags(48)),
      "aws.tags",
      'at most 47 tags: AWS allows 50 tags per resource (AWS: "Tag restrictions"), and the platform sets 3 itself on each data volume (Name, mail-platform-data, mail-platform-data-of)',
    );
    expect(problem.received).toBe('"48 tags"');
  });

  test.each(["aws:owner", "AWS:owner", "Aws:cost-center"])("the reserved prefix in %j is refused", (key) => {
    expectProblem(
      (i) => (i.aws!.tags = { [key]: "x" }),
      `aws.tags.${key}`,
      'tag keys starting with "aws:" (in any case) are reserved for AWS\'s own tags (AWS: "Tag restrictions")',
    );
  });

  test.each(["Name", "mail-platform-data", "mail-platform-data-of"])("the platform's own tag %j is refused (it would be replaced on some resources)", (key) => {
    expectProblem((i) => (i.aws!.tags = { [key]: "x" }), `aws.tags.${key}`, `the platform sets the ${key} tag itself`);
  });

  test("near misses pass: awsome, name, aws-team", () => {
    expectValid((i) => (i.aws!.tags = { awsome: "x", name: "x", "aws-team": "x", owner: "aws:team" }));
  });
});

describe("the config bucket name", () => {
  test.each([
    ["xn--bucket", 'not starting with "xn--"'],
    ["sthree-configs", 'not starting with "sthree-"'],
    ["amzn-s3-demo-bucket", 'not starting with "amzn-s3-demo-"'],
    ["configs-s3alias", 'not ending with "-s3alias"'],
    ["configs--ol-s3", 'not ending with "--ol-s3"'],
    ["configs--x-s3", 'not ending with "--x-s3"'],
    ["configs--table-s3", 'not ending with "--table-s3"'],
  ])("%j is refused (%s)", (bucket, reason) => {
    const problem = expectProblem(
      (i) => (i.aws!.configBucket = bucket),
      "aws.configBucket",
      `expected an S3 bucket name ${reason}, which S3 reserves (AWS: "General purpose bucket naming rules")`,
    );
    expect(problem.received).toBe(JSON.stringify(bucket));
  });

  test("the default name <name>-config-<vpcId> is judged too", () => {
    const problem = expectProblem(
      (i) => (i.name = "sthree-mail"),
      "aws.configBucket",
      'the default bucket name "sthree-mail-config-vpc-0a1b2c3d4e5f60718" (<name>-config-<vpcId>) must be not starting with "sthree-", which S3 reserves',
    );
    expect(problem.received).toBe("nothing");
    expectValid((i) => {
      i.name = "sthree-mail";
      i.aws!.configBucket = "acme-mail-configs";
    });
  });

  test("near misses pass", () => {
    expectValid((i) => (i.aws!.configBucket = "s3alias-configs"));
    expectValid((i) => (i.aws!.configBucket = "xn-configs"));
    expectValid((i) => (i.aws!.configBucket = `a${"b".repeat(61)}c`));
  });
});

describe("SSM parameter names of DKIM keys", () => {
  const levels = (n: number) => `/${Array.from({ length: n }, (_, i) => `l${i}`).join("/")}`;

  test("a hierarchy of at most 15 levels", () => {
    expectValid((i) => (i.dkim!.privateKeyParameter = levels(15)));
    expectProblem(
      (i) => (i.dkim!.privateKeyParameter = levels(16)),
      "dkim.privateKeyParameter",
      'a hierarchy of at most 15 levels; this one has 16 (AWS: "About requirements and constraints for parameter names")',
    );
  });

  test.each(["/aws/dkim/key", "/AWS-mail/key", "/ssm/key", "/SsmKeys/k"])("%j begins with a reserved prefix", (name) => {
    expectProblem(
      (i) => (i.groups[0]!.dkim!.privateKeyParameter = name),
      "groups[0].dkim.privateKeyParameter",
      "SSM reserves names beginning with aws and ssm",
    );
  });

  test("near misses of the prefix pass", () => {
    expectValid((i) => (i.dkim!.privateKeyParameter = "/awesome/dkim"));
    expectValid((i) => (i.dkim!.privateKeyParameter = "/mail/aws/dkim"));
  });

  test("the host's key file name caps the length at 248 characters", () => {
    expectValid((i) => (i.dkim!.privateKeyParameter = `/${"k".repeat(247)}`));
    expectProblem(
      (i) => (i.dkim!.privateKeyParameter = `/${"k".repeat(248)}`),
      "dkim.privateKeyParameter",
      'a file name has at most 255 bytes (Linux: "NAME_MAX, limits.h"); this one has 249',
    );
  });

  test("the SSM length (1011 with the ARN) is reported beyond it", () => {
    expect(MAX_PARAMETER_NAME_CHARACTERS).toBe(955);
    expect(parameterNameProblems(`/${"k".repeat(954)}`).some((p) => p.includes("SSM allows 1011"))).toBe(false);
    expect(parameterNameProblems(`/${"k".repeat(955)}`).some((p) => p.includes("SSM allows 1011"))).toBe(true);
  });

  test("two parameters stored in the same key file on the host are refused; one key shared by groups is not", () => {
    expectProblem(
      (i) => {
        i.dkim!.privateKeyParameter = "/k_one";
        i.groups[0]!.dkim!.privateKeyParameter = "/k/one";
      },
      "groups[0].dkim.privateKeyParameter",
      "the host stores this key as /etc/opendkim/keys/k_one.private, and so it stores /k_one (dkim.privateKeyParameter): one key would overwrite the other",
    );
    expectProblem(
      (i) => {
        i.groups[1]!.dkim = { ...i.groups[0]!.dkim!, privateKeyParameter: "/acme-mail_dkim/biz2026" };
      },
      "groups[1].dkim.privateKeyParameter",
      "one key would overwrite the other",
    );
    expectValid((i) => (i.groups[1]!.dkim = { ...i.groups[0]!.dkim! }));
  });

  test("an unused platform key does not collide", () => {
    expectValid((i) => {
      i.groups[1]!.dkim = { ...i.groups[0]!.dkim!, privateKeyParameter: "/acme-mail/dkim/private" };
      i.dkim!.privateKeyParameter = "/acme-mail/dkim_private";
    });
  });
});

describe("Route53 TXT values and DKIM key sizes", () => {
  test("a TXT value is counted with the quotes of each 255-byte string", () => {
    expect(route53TxtCharacters("v=spf1 -all")).toBe(13);
    expect(route53TxtCharacters("x".repeat(255))).toBe(257);
    expect(route53TxtCharacters("x".repeat(256))).toBe(260);
    expect(route53TxtCharacters("x".repeat(3968))).toBe(4000);
  });

  test("a DMARC record with five very long report addresses is refused", () => {
    const address = (n: number) => `r${n}@${"a".repeat(60)}.${"b".repeat(800)}.example`;
    const found = problems((i) => (i.dns!.dmarc = { policy: "reject", aggregateReports: [1, 2, 3, 4, 5].map(address) }));
    expect(found.some((p) => p.path.startsWith("dns.dmarc.aggregateReports"))).toBe(true);
    const txt = found.find((p) => p.path === "dns.dmarc.aggregateReports" && p.message.includes("Route53"));
    // Report addresses may be refused earlier, field by field; if they pass, the record's size is refused.
    if (txt)
      expect(txt.message).toMatch(
        /^the DMARC TXT value would have [\d,]+ characters with its quotes; Route53 takes at most 4,000 \(AWS: "ResourceRecord \(Route 53 API Reference\)"\)$/,
      );
    const rpt = problems((i) => (i.dns!.tlsReports = [1, 2, 3, 4, 5].map(address)));
    expect(rpt.some((p) => p.path.startsWith("dns.tlsReports"))).toBe(true);
  });

  test("five report addresses of ordinary length fit", () => {
    expectValid((i) => {
      i.dns!.dmarc = { policy: "reject", aggregateReports: [1, 2, 3, 4, 5].map((n) => `dmarc-reports-${n}@reports.acme-corp.example`) };
      i.dns!.tlsReports = [1, 2, 3, 4, 5].map((n) => `tls-reports-${n}@reports.acme-corp.example`);
    });
  });

  test("a 4096-bit RSA key passes (its TXT value fits Route53); a larger one is refused (RFC 8301)", () => {
    // A public key is a modulus and an exponent: any odd number of the right size parses (no slow key generation).
    const spki = (bits: number) => {
      const modulus = Buffer.from(randomish(`n${bits}`, bits), "utf8").subarray(0, bits / 8);
      modulus[0] = modulus[0]! | 0x80;
      modulus[modulus.length - 1] = modulus[modulus.length - 1]! | 1;
      return createPublicKey({ key: { kty: "RSA", n: modulus.toString("base64url"), e: "AQAB" }, format: "jwk" })
        .export({ format: "der", type: "spki" })
        .toString("base64");
    };
    const key4096 = spki(4096);
    expect(route53TxtCharacters(`v=DKIM1; k=rsa; p=${key4096}`)).toBeLessThan(LIMITS.recordValueCharacters.value);
    expectValid((i) => (i.dkim!.publicKey = key4096));
    expectProblem(
      (i) => (i.groups[0]!.dkim!.publicKey = spki(4104)),
      "groups[0].dkim.publicKey",
      'an RSA key of at most 4096 bits: receivers must verify keys up to 4096 bits and may fail larger ones (RFC 8301: "3.2. Key Sizes"); this one has 4104',
    );
    expectProblem((i) => (i.dkim!.retiring = { selector: "old2025", publicKey: spki(8192) }), "dkim.retiring.publicKey", "this one has 8192");
  });
});

describe("IAM: a host role's inline policies", () => {
  test("many long DKIM key parameters push the role over 10,240 characters: refused with the breakdown", () => {
    // Names that compress well (user data stays small) but cost IAM their full length twice.
    const input = platformOf(1, 24, "m5.4xlarge", (i) => {
      const publicKey = i.dkim!.publicKey;
      i.groups.forEach((group, g) => (group.dkim = { selector: "s2026", publicKey, privateKeyParameter: `/acme-mail/dkim/${"k".repeat(200)}-${g}` }));
    });
    const result = validatePlatform(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      expect.objectContaining({
        path: "groups",
        received: '"24 DKIM key parameter(s)"',
        message: expect.stringMatching(
          /^the inline policies of host mx0's IAM role would have [\d,]+ characters \(ACME challenges in every hosted zone, as its 24 zone\(s\) do not fit, 24 DKIM key parameter\(s\) named twice\); IAM allows 10,240 per role \(AWS: "IAM and AWS STS quotas"\); use shorter DKIM key parameter names or fewer distinct keys$/,
        ),
      }),
    ]);
  });

  test("the same platform with shorter names passes", () => {
    const input = platformOf(1, 24, "m5.4xlarge", (i) => {
      const publicKey = i.dkim!.publicKey;
      i.groups.forEach((group, g) => (group.dkim = { selector: "s2026", publicKey, privateKeyParameter: `/acme-mail/dkim/${"k".repeat(100)}-${g}` }));
    });
    expect(validatePlatform(input)).toMatchObject({ ok: true });
  });
});

describe("groups kept apart", () => {
  test("a host name inside another group's domain is refused", () => {
    expectProblem(
      (i) => (i.groups[1]!.addresses[0]!.hostName = "mx.acme-corp.example"),
      "groups[1].addresses[0].hostName",
      "lies inside acme-corp.example, a domain of group business (groups[0].domains[0].name): group private's mail would be named after another group's domain",
    );
  });

  test("a host name equal to another group's domain is refused", () => {
    expectProblem(
      (i) => (i.groups[0]!.addresses[0]!.hostName = "acme-family.example"),
      "groups[0].addresses[0].hostName",
      "is acme-family.example, a domain of group private (groups[1].domains[1].name)",
    );
  });

  test("a name in the group's own domain, or in a domain that is no group's, passes", () => {
    expectValid((i) => (i.groups[1]!.addresses[0]!.hostName = "mx.acme-family.example"));
    expectValid((i) => {
      i.dns!.zones.push({ name: "mail-platform.example" });
      i.groups.forEach((g, n) => (g.addresses[0]!.hostName = `group${n}.mail-platform.example`));
    });
  });

  test("a group's own subdomain that is a domain of its own wins over the parent of another group", () => {
    expectValid((i) => {
      i.groups[1]!.domains.push({ name: "home.acme-corp.example" });
      i.groups[1]!.addresses[0]!.hostName = "mail.home.acme-corp.example";
    });
  });
});

describe("nested zones", () => {
  test("a zone inside another is refused when the platform creates either", () => {
    expectProblem(
      (i) => i.dns!.zones.push({ name: "eu.acme-corp.example" }),
      "dns.zones[4].name",
      "lies inside zone acme-corp.example (dns.zones[0].name), and the platform creates eu.acme-corp.example and acme-corp.example without delegating eu.acme-corp.example from acme-corp.example",
    );
    expectProblem(
      (i) => {
        i.dns!.zones[0]!.route53ZoneId = "Z0123456789ABCDEFGHIJ";
        i.dns!.zones.push({ name: "eu.acme-corp.example" });
      },
      "dns.zones[4].name",
      "the platform creates eu.acme-corp.example without delegating",
    );
    expectProblem(
      (i) => i.dns!.zones.push({ name: "eu.acme-corp.example", route53ZoneId: "Z0123456789ABCDEFGHIK" }),
      "dns.zones[4].name",
      "the platform creates acme-corp.example without delegating",
    );
  });

  test("two existing hosted zones (delegation managed by the operator) pass", () => {
    expectValid((i) => {
      i.dns!.zones[0]!.route53ZoneId = "Z0123456789ABCDEFGHIJ";
      i.dns!.zones.push({ name: "eu.acme-corp.example", route53ZoneId: "Z0123456789ABCDEFGHIK" });
    });
  });
});

describe("TLSA pins", () => {
  const PIN = "8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1";
  const pinned = (pin: string) => (i: PlatformInput) => {
    i.dns!.zones[0]!.dnssec = true;
    i.groups[0]!.addresses[0]!.tlsaSpkiSha256 = pin;
  };

  test.each(["0".repeat(64), "f".repeat(64), "ab".repeat(32), "0123456789abcdef".repeat(4)])("%s is no hash", (pin) => {
    expectProblem(pinned(pin), "groups[0].addresses[0].tlsaSpkiSha256", "is no SHA-256 of a key");
  });

  test("the SHA-256 of empty input is named as such", () => {
    expectProblem(pinned(createHash("sha256").update("").digest("hex")), "groups[0].addresses[0].tlsaSpkiSha256", "this is the SHA-256 of empty input");
  });

  test("a real pin passes", () => {
    expect(pinProblem(PIN)).toBeUndefined();
    expectValid(pinned(PIN));
  });
});

describe("outbound TLS", () => {
  const ACK = "Old partner MTA speaks only TLS 1.0 until its replacement in 2027.";

  test.each([
    ["outbound.minProtocol", (i: PlatformInput) => (i.outbound = { minProtocol: "TLSv1" })],
    ["outbound.tlsRules[0].minProtocol", (i: PlatformInput) => (i.outbound = { tlsRules: [{ destination: "partner.example", minProtocol: "TLSv1.1" }] })],
    ["outbound.relayHost.minProtocol", (i: PlatformInput) => (i.outbound = { relayHost: { host: "relay.example", minProtocol: "TLSv1" } })],
  ])("%s below TLS 1.2 needs tls.legacyAcknowledgement", (path, change) => {
    expectProblem(change, path, "TLS 1.0/1.1 are deprecated by RFC 8996; use TLSv1.2 or set tls.legacyAcknowledgement to a written reason");
    expectValid((i) => {
      change(i);
      i.tls = { legacyAcknowledgement: ACK };
    });
  });

  test("an acknowledgement neither a profile nor an outbound setting uses is refused", () => {
    expectProblem(
      (i) => (i.tls = { legacyAcknowledgement: ACK }),
      "tls.legacyAcknowledgement",
      "neither a profile nor an outbound setting allows TLS 1.0/1.1; remove the acknowledgement",
    );
  });

  test("TLS rules beside a relay host are never consulted", () => {
    const problem = expectProblem(
      (i) => (i.outbound = { ...i.outbound, relayHost: { host: "relay.example" } }),
      "outbound.tlsRules",
      "all outbound mail goes to the relay host relay.example (outbound.relayHost)",
    );
    expect(problem.received).toBe('["partner.example"]');
    expectValid((i) => (i.outbound = { relayHost: { host: "relay.example", level: "verify" } }));
  });

  test("authenticating to a relay with level may is refused", () => {
    expectProblem(
      (i) => (i.outbound = { relayHost: { host: "relay.example", authenticate: true, level: "may" } }),
      "outbound.relayHost.level",
      "level may sends it in plaintext",
    );
    for (const level of ["encrypt", "verify", "dane"] as const)
      expectValid((i) => (i.outbound = { relayHost: { host: "relay.example", authenticate: true, level } }));
    expectValid((i) => (i.outbound = { relayHost: { host: "relay.example", level: "may" } }));
  });
});

describe("DNSBL reply filters", () => {
  test.each([
    ["127.0.0.[2..300]", "octet 4 ([2..300]): 300 is over 255"],
    ["256.0.0.1", "octet 1 (256): 256 is over 255"],
    ["127.0.0.[11..2]", "octet 4 ([11..2]): the range is empty (11 > 2); write [2..11]"],
    ["127.0.0.[2;4;999]", "octet 4 ([2;4;999]): 999 is over 255"],
  ])("%j is refused", (filter, message) => {
    expectProblem((i) => (i.dnsbl!.sites![0]!.replyFilter = filter), "dnsbl.sites[0].replyFilter", message);
  });

  test.each(["127.0.0.[2..255]", "127.0.0.2", "127.0.[0;1].[2..2]", "127.255.255.255"])("%j passes", (filter) => {
    expect(replyFilterProblem(filter)).toBeUndefined();
    expectValid((i) => (i.dnsbl!.sites![0]!.replyFilter = filter));
  });
});

describe("stripped headers", () => {
  test.each(["From", "date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Received"])("%s cannot be stripped", (header) => {
    expectProblem((i) => (i.privacy = { stripHeaders: ["X-Originating-IP", header] }), "privacy.stripHeaders[1]", `submitted mail cannot lose ${header}:`);
  });

  test("headers that only reveal the client pass", () => {
    expectValid((i) => (i.privacy = { stripHeaders: ["X-Originating-IP", "X-Mailer", "User-Agent", "DKIM-Signature", "X-Forwarded-For"] }));
  });
});

describe("private keys given as DKIM public keys", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ed = generateKeyPairSync("ed25519");
  const cases: Array<[string, string]> = [
    ["PKCS#8 PEM", rsa.privateKey.export({ format: "pem", type: "pkcs8" }).toString()],
    ["PKCS#1 PEM (RSA PRIVATE KEY)", rsa.privateKey.export({ format: "pem", type: "pkcs1" }).toString()],
    ["Ed25519 PKCS#8 PEM", ed.privateKey.export({ format: "pem", type: "pkcs8" }).toString()],
    ["base64 DER PKCS#8", rsa.privateKey.export({ format: "der", type: "pkcs8" }).toString("base64")],
    ["base64 DER PKCS#1", rsa.privateKey.export({ format: "der", type: "pkcs1" }).toString("base64")],
    ["base64 DER Ed25519 PKCS#8", ed.privateKey.export({ format: "der", type: "pkcs8" }).toString("base64")],
    ["encrypted PKCS#8 PEM", rsa.privateKey.export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "secret" }).toString()],
    ["encrypted base64 DER PKCS#8", rsa.privateKey.export({ format: "der", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "secret" }).toString("base64")],
  ];

  test.each(cases)("%s is refused as a leaked private key, and none of it is shown", (_kind, key) => {
    expect(isPrivateKeyText(key)).toBe(true);
    const problem = expectProblem((i) => (i.groups[0]!.dkim!.publicKey = key), "groups[0].dkim.publicKey", PRIVATE_KEY_MESSAGE);
    expect(problem.message).toBe("this is a private key; publish the public key only (openssl pkey -pubout) — and treat the private key as leaked");
    expect(problem.received).toBe(JSON.stringify(PRIVATE_KEY_NOT_SHOWN));
  });

  test("public keys are not mistaken for private ones", () => {
    expect(isPrivateKeyText(rsa.publicKey.export({ format: "pem", type: "spki" }).toString())).toBe(false);
    expect(isPrivateKeyText(rsa.publicKey.export({ format: "der", type: "spki" }).toString("base64"))).toBe(false);
    expect(isPrivateKeyText(ed.publicKey.export({ format: "der", type: "spki" }).toString("base64"))).toBe(false);
    expectValid((i) => (i.groups[0]!.dkim!.publicKey = ed.publicKey.export({ format: "pem", type: "spki" }).toString()));
  });

  test("through the CLI: exit 1, the message, no key material and no stack trace", async () => {
    const input = exampleInput();
    const key = ed.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    input.groups[0]!.dkim!.publicKey = key;
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, "platform.yaml"), stringify(input));
    const result = await cli("validate", join(dir, "platform.yaml"));
    expect(result.code).toBe(1);
    expect(result.err).toContain(`  - groups[0].dkim.publicKey: ${PRIVATE_KEY_MESSAGE} (received: "${PRIVATE_KEY_NOT_SHOWN}")`);
    const body = key.split("\n").slice(1, -2).join("");
    expect(result.err).not.toContain(body.slice(0, 20));
    expect(result.err).not.toMatch(/^\s+at /m);
  });
});

describe("administration ports opened in pieces", () => {
  const ssh = (cidr: string, acknowledgement?: string) => ({ port: 22, cidr, description: "SSH", ...(acknowledgement ? { acknowledgement } : {}) });
  const ACK = "Bastion-less SSH for the on-call team while the VPN is rebuilt.";
  /** The /12s of 32.0.0.0/8 and beyond (all public). */
  const twelves = (n: number) => Array.from({ length: n }, (_, k) => `${32 + Math.floor(k / 16)}.${(k % 16) * 16}.0.0/12`);

  test("0.0.0.0/1 and 128.0.0.0/1 need the acknowledgement 0.0.0.0/0 needs, each", () => {
    const found = problems((i) => (i.aws!.extraIngress = [ssh("0.0.0.0/1"), ssh("128.0.0.0/1"), ssh("198.51.100.0/24")]));
    expect(found.map((p) => p.path)).toEqual(["aws.extraIngress[0].acknowledgement", "aws.extraIngress[1].acknowledgement"]);
    expect(found[0]!.message).toMatch(
      /^this rule opens port 22 to [\d,]+ public addresses, more than a \/8 \(16,777,216\): that is the internet in pieces, and needs a written reason as 0\.0\.0\.0\/0 does/,
    );
    expectValid((i) => (i.aws!.extraIngress = [ssh("0.0.0.0/1", ACK), ssh("128.0.0.0/1", ACK), ssh("198.51.100.0/24")]));
  });

  test("exactly a /8 of public addresses in sixteen /12s passes; a seventeenth is refused for all that do it together", () => {
    expect(publicAddressCount(twelves(16))).toBe(2 ** 24);
    expectValid((i) => (i.aws!.extraIngress = twelves(16).map((c) => ssh(c))));
    const found = problems((i) => (i.aws!.extraIngress = twelves(17).map((c) => ssh(c))));
    expect(found).toHaveLength(17);
    expect(found[3]!.message).toMatch(
      /^together with aws\.extraIngress\[0\], aws\.extraIngress\[1\], aws\.extraIngress\[2\], aws\.extraIngress\[4\], aws\.extraIngress\[5\] and 11 more this rule opens port 22 to 17,825,792 public addresses/,
    );
  });

  test("private space does not count, and other ports are not judged", () => {
    expect(publicAddressCount(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])).toBe(0);
    expectValid((i) => (i.aws!.extraIngress = [ssh("10.0.0.0/8"), { port: 8443, cidr: "0.0.0.0/1", description: "admin UI" }]));
  });

  test("an acknowledgement on a narrow rule is still refused as unneeded", () => {
    expectProblem((i) => (i.aws!.extraIngress = [ssh("198.51.100.0/24", ACK)]), "aws.extraIngress[0].acknowledgement", "need an acknowledgement; remove it");
    expect(adminExposure([ssh("198.51.100.0/24", ACK)]).mayBeAcknowledged.size).toBe(0);
  });
});

describe("acknowledgements that say something", () => {
  test.each([
    ["zero-width spaces", "\u200b".repeat(12)],
    ["braille blanks", "\u2800".repeat(12)],
    ["Hangul fillers", "\u3164".repeat(12)],
    ["punctuation only", "!!!!....----????"],
    ["nine letters among blanks", "a b c d e f g h i ......"],
    ["letters hidden by format characters", "\u200bo\u200bk\u200b\u2060\u2060\u2060\u2060\u2060\u2060\u2060"],
  ])("%s are refused in every acknowledgement field", (_kind, text) => {
    expect(visibleLetters(text)).toBeLessThan(10);
    const message = "expected a written reason with at least 10 visible letters or digits";
    expectProblem((i) => (i.tls = { profile: "legacy-2015", legacyAcknowledgement: text }), "tls.legacyAcknowledgement", message);
    expectProblem(
      (i) => (i.tls = { profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers: "HIGH:NULL-SHA256", weakCipherAcknowledgement: text } }),
      "tls.custom.weakCipherAcknowledgement",
      message,
    );
    expectProblem(
      (i) => (i.aws!.extraIngress = [{ port: 22, cidr: "0.0.0.0/0", description: "SSH", acknowledgement: text }]),
      "aws.extraIngress[0].acknowledgement",
      message,
    );
  });

  test("ten visible letters or digits pass, in any script", () => {
    for (const text of ["okokokokok", "TLS 1.0 for POS 2027", "Kassen bis 2027 nur TLS 1.0", "旧式の端末がまだ残っている", "ПОС-терминалы до 2027"]) {
      expect(visibleLetters(text)).toBeGreaterThanOrEqual(10);
      expectValid((i) => (i.tls = { profile: "legacy-2015", legacyAcknowledgement: text }));
    }
  });
});

describe("the certificate directory", () => {
  test.each(["/tmp", "/tmp/", "/tmp/certs", "/var/tmp/live", "/dev/shm/le", "/./tmp/x", "/run/lock/certs"])(
    "%j is writable by every local user",
    (directory) => {
      expectProblem((i) => (i.tls = { certificateDirectory: directory }), "tls.certificateDirectory", "is writable by every local user");
    },
  );

  test.each(["/etc/letsencrypt/live", "/tmpfs/certs", "/etc/ssl/tmp", "/srv/certs"])("%j passes", (directory) => {
    expectValid((i) => (i.tls = { certificateDirectory: directory }));
  });
});

describe("through the CLI", () => {
  test("validate lists limit and semantic problems together, each with path, received value and source, exit 1", async () => {
    const input = platformOf(1, 5, "t3.small", (i) => {
      i.aws!.tags = { "aws:team": "mail" };
      i.privacy = { stripHeaders: ["From"] };
      i.dnsbl = { threshold: 1, sites: [{ zone: "zen.spamhaus.org", replyFilter: "127.0.0.[2..300]" }] };
    });
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, "platform.yaml"), stringify(input));
    const result = await cli("validate", join(dir, "platform.yaml"));
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toContain("is invalid (4 problems):");
    expect(result.err).toMatch(/^ {2}- aws\.hosts\.mx0\.instanceType: .*\(AWS: "Maximum IP addresses per network interface"\).* \(received: "t3\.small"\)$/m);
    expect(result.err).toMatch(/^ {2}- aws\.tags\.aws:team: tag keys starting with "aws:" .* \(received: "aws:team"\)$/m);
    expect(result.err).toMatch(/^ {2}- dnsbl\.sites\[0\]\.replyFilter: octet 4 \(\[2\.\.300\]\): 300 is over 255.* \(received: "127\.0\.0\.\[2\.\.300\]"\)$/m);
    expect(result.err).toMatch(/^ {2}- privacy\.stripHeaders\[0\]: submitted mail cannot lose From: .* \(received: "From"\)$/m);
    expect(result.err).not.toMatch(/^\s+at /m);
  });
});
