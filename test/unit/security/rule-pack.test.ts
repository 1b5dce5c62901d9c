/**
 * The security rule pack: every rule with a compliant and a non-compliant fixture, the Aspect on
 * users' stacks and on MailPlatform, and acknowledgements that need a written reason.
 */
import { gzipSync } from "zlib";
import type { Construct } from "constructs";
import { AnnotationMetadataEntryType, Aspects, Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { MailFirewall } from "../../../lib/constructs/mail-firewall";
import { MailPlatform } from "../../../lib/constructs/mail-platform";
import { acknowledgeFinding } from "../../../lib/security/acknowledge";
import { MailSecurityChecks } from "../../../lib/security/aspect";
import { SECURITY_RULES } from "../../../lib/security/rules";
import type { SecurityRule } from "../../../lib/security/rule";
import type { PlatformInput } from "../../../lib/model/schema";
import { exampleInput, examplePlan } from "../../support/example";
import { exampleStack } from "../../support/synth";

const instance = (scope: Construct, overrides: Partial<ConstructorParameters<typeof Instance>[2]> = {}) =>
  new Instance(scope, "instance", {
    ami: "ami-0123456789abcdef0",
    instanceType: "t3.small",
    iamInstanceProfile: "profile",
    metadataOptions: { httpTokens: "required" },
    rootBlockDevice: { encrypted: true },
    ...overrides,
  });
const group = (scope: Construct) => new SecurityGroup(scope, "group", { name: "g", description: "test group", vpcId: "vpc-0123456789abcdef0" });
const ingress = (scope: Construct, port: number, cidr: string, description = "test rule") =>
  new VpcSecurityGroupIngressRule(scope, `in-${port}-${cidr.replace(/\W/g, "")}`, {
    securityGroupId: "sg-1",
    ipProtocol: "tcp",
    fromPort: port,
    toPort: port,
    cidrIpv4: cidr,
    description,
  });

/** Fixtures: a builder that yields a compliant construct tree and one that yields a finding. */
const FIXTURES: Record<string, { compliant: (scope: Construct) => void; nonCompliant: (scope: Construct) => void }> = {
  "imdsv2-required": { compliant: (s) => instance(s), nonCompliant: (s) => instance(s, { metadataOptions: { httpTokens: "optional" } }) },
  "volumes-encrypted": {
    compliant: (s) => {
      instance(s);
      new EbsVolume(s, "data", { availabilityZone: "eu-central-1a", size: 10, encrypted: true });
    },
    nonCompliant: (s) => new EbsVolume(s, "data", { availabilityZone: "eu-central-1a", size: 10 }),
  },
  "security-groups-described": {
    compliant: (s) => {
      group(s);
      ingress(s, 443, "10.0.0.0/8");
    },
    nonCompliant: (s) => ingress(s, 443, "10.0.0.0/8", ""),
  },
  "no-admin-ingress-from-anywhere": { compliant: (s) => ingress(s, 22, "198.51.100.0/24"), nonCompliant: (s) => ingress(s, 22, "0.0.0.0/0") },
  "no-all-ports-to-anywhere": {
    compliant: (s) =>
      new VpcSecurityGroupEgressRule(s, "out", {
        securityGroupId: "sg-1",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
        description: "https",
      }),
    nonCompliant: (s) =>
      new VpcSecurityGroupEgressRule(s, "out", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "everything" }),
  },
  "ingress-only-enabled-services": {
    compliant: (s) => new MailFirewall(s, "firewall", { plan: examplePlan(), vpcId: "vpc-0123456789abcdef0" }),
    nonCompliant: (s) => {
      const firewall = new MailFirewall(s, "firewall", { plan: examplePlan(), vpcId: "vpc-0123456789abcdef0" });
      ingress(firewall, 8080, "0.0.0.0/0", "an extra port added by hand");
    },
  },
  "instance-profile-attached": { compliant: (s) => instance(s), nonCompliant: (s) => instance(s, { iamInstanceProfile: undefined }) },
  "no-secrets-in-user-data": {
    compliant: (s) => instance(s, { userDataBase64: gzipSync("#cloud-config\npackages: [postfix]\n").toString("base64") }),
    nonCompliant: (s) =>
      instance(s, { userDataBase64: gzipSync("#cloud-config\nwrite_files:\n  - content: '-----BEGIN PRIVATE KEY-----'\n").toString("base64") }),
  },
  "postfix-submission-tls-required": {
    compliant: (s) => new MailPlatform(s, "mail", { platform: exampleInput(), securityChecks: false }),
    nonCompliant: (s) =>
      new MailPlatform(s, "mail", {
        platform: { ...exampleInput(), postfix: { masterCf: { submission: { smtpd_tls_security_level: "may" } } } },
        securityChecks: false,
      }),
  },
  "dovecot-tls-before-login": {
    compliant: (s) => new MailPlatform(s, "mail", { platform: exampleInput(), securityChecks: false }),
    nonCompliant: (s) =>
      new MailPlatform(s, "mail", { platform: { ...exampleInput(), dovecot: { settings: { auth_allow_cleartext: true } } }, securityChecks: false }),
  },
  ...Object.fromEntries(
    [
      ["postfix-compatibility-level", (t: string) => t.replace("compatibility_level = 3.6", "compatibility_level = 2")],
      ["postfix-loopback-mynetworks", (t: string) => t.replace("mynetworks = 127.0.0.0/8", "mynetworks = 127.0.0.0/8, 10.0.0.0/16")],
      ["postfix-tls-auth-only", (t: string) => t.replace("smtpd_tls_auth_only = yes", "smtpd_tls_auth_only = no")],
      [
        "postfix-relay-restricted",
        (t: string) =>
          t.replace("smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination", "smtpd_relay_restrictions = permit"),
      ],
    ].map(([id, tamper]) => [
      id as string,
      {
        compliant: (s: Construct) => new MailPlatform(s, "mail", { platform: exampleInput(), securityChecks: false }),
        nonCompliant: (s: Construct) => {
          const platform = new MailPlatform(s, "mail", { platform: exampleInput(), securityChecks: false });
          // A tampered rendering, as if a later change had weakened main.cf.
          const tampered = platform.renderedFiles.map((h) => ({
            ...h,
            files: h.files.map((f) => (f.path === "etc/postfix/main.cf" ? { ...f, content: (tamper as (t: string) => string)(f.content) } : f)),
          }));
          Object.assign(platform, { renderedFiles: tampered });
        },
      },
    ]),
  ),
};

function run(rule: SecurityRule, build: (scope: Construct) => void) {
  const stack = new TerraformStack(Testing.app(), "fixture");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  build(stack);
  const checks = new MailSecurityChecks({ rules: [rule] });
  Aspects.of(stack).add(checks);
  Testing.synth(stack);
  const statuses = stack.node.findAll().map((n) => rule.evaluate(n).status);
  return { findings: checks.findings, statuses };
}

describe.each(SECURITY_RULES.map((r) => [r.id, r] as const))("rule %s", (id, rule) => {
  test("has fixtures", () => {
    expect(FIXTURES[id]).toBeDefined();
  });

  test("finds nothing in its compliant fixture, and judges something there", () => {
    const { findings, statuses } = run(rule, FIXTURES[id]!.compliant);
    expect(findings).toEqual([]);
    expect(statuses).toContain("compliant");
  });

  test("reports its non-compliant fixture with a reason", () => {
    const { findings } = run(rule, FIXTURES[id]!.nonCompliant);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.ruleId === id && f.reason.length > 10)).toBe(true);
  });
});

describe("the pack on a MailPlatform", () => {
  test("the example passes its own pack with zero unacknowledged findings", () => {
    const { stack, platform } = exampleStack();
    Testing.synth(stack);
    expect(platform.securityChecks!.findings).toEqual([]);
  });

  test("an override that weakens a resource fails synthesis", () => {
    const { stack, platform } = exampleStack();
    platform.hosts.get("mx1")!.instance.addOverride("metadata_options.http_tokens", "optional");
    expect(() => Testing.fullSynth(stack)).toThrow(/\[imdsv2-required\] .*http_tokens is "optional"/);
  });

  test("SSH from anywhere needs an acknowledgement in the model, and is then reported with its reason", () => {
    const reason = "Break-glass access while SSM is unavailable in this region.";
    const { stack, platform } = exampleStack((i) => {
      i.aws!.extraIngress = [{ port: 22, cidr: "0.0.0.0/0", description: "emergency SSH", acknowledgement: reason }];
    });
    Testing.synth(stack);
    expect(platform.securityChecks!.unacknowledged()).toEqual([]);
    expect(platform.securityChecks!.findings).toEqual([expect.objectContaining({ ruleId: "no-admin-ingress-from-anywhere", acknowledged: reason })]);
    const infos = stack.node
      .findAll()
      .flatMap((n) => n.node.metadata)
      .filter((m) => m.type === AnnotationMetadataEntryType.INFO)
      .map((m) => String(m.data));
    expect(infos.some((i) => i.includes("(acknowledged: Break-glass access"))).toBe(true);
  });
});

describe("operator settings (postfix.mainCf, postfix.masterCf, dovecot.settings) under the pack", () => {
  const DANGEROUS: ReadonlyArray<readonly [string, string, (i: PlatformInput) => void]> = [
    ["mynetworks = 0.0.0.0/0", "postfix-loopback-mynetworks", (i) => (i.postfix = { mainCf: { mynetworks: "0.0.0.0/0" } })],
    ["smtpd_relay_restrictions = permit", "postfix-relay-restricted", (i) => (i.postfix = { mainCf: { smtpd_relay_restrictions: "permit" } })],
    ["smtpd_tls_auth_only = no", "postfix-tls-auth-only", (i) => (i.postfix = { mainCf: { smtpd_tls_auth_only: false } })],
    [
      "submission without required TLS",
      "postfix-submission-tls-required",
      (i) => (i.postfix = { masterCf: { submission: { smtpd_tls_security_level: "none" } } }),
    ],
    [
      "submissions without wrapper mode",
      "postfix-submission-tls-required",
      (i) => (i.postfix = { masterCf: { submissions: { smtpd_tls_wrappermode: false } } }),
    ],
    ["ssl = yes in Dovecot", "dovecot-tls-before-login", (i) => (i.dovecot = { settings: { ssl: "yes" } })],
    [
      "disable_plaintext_auth = no in Dovecot 2.3",
      "dovecot-tls-before-login",
      (i) => {
        i.os = "debian-12";
        i.dovecot = { settings: { disable_plaintext_auth: false } };
      },
    ],
  ];

  test.each(DANGEROUS)("%s fails synthesis with [%s]", (_what, ruleId, change) => {
    const { stack } = exampleStack(change);
    expect(() => Testing.fullSynth(stack)).toThrow(new RegExp(`\\[${ruleId}\\]`));
  });

  test("acknowledged in the model with a written reason, it is reported with that reason and synthesis passes", () => {
    const reason = "The lab relays for its test network, which only reaches the host over the VPN.";
    const { stack, platform } = exampleStack(
      (i) => (i.postfix = { mainCf: { mynetworks: "127.0.0.0/8, 10.8.0.0/24" }, acknowledgements: { "postfix-loopback-mynetworks": reason } }),
    );
    expect(() => Testing.fullSynth(stack)).not.toThrow();
    expect(platform.securityChecks!.unacknowledged()).toEqual([]);
    expect(platform.securityChecks!.findings).toEqual([
      expect.objectContaining({ ruleId: "postfix-loopback-mynetworks", acknowledged: reason, reason: expect.stringContaining("10.8.0.0/24") }),
    ]);
  });

  test("an acknowledgement of one rule does not cover another", () => {
    const { stack } = exampleStack((i) => {
      i.postfix = {
        mainCf: { mynetworks: "0.0.0.0/0", smtpd_tls_auth_only: false },
        acknowledgements: { "postfix-loopback-mynetworks": "A reason that is long enough to count." },
      };
    });
    expect(() => Testing.fullSynth(stack)).toThrow(/\[postfix-tls-auth-only\]/);
  });

  test("a harmless override raises nothing", () => {
    const { stack, platform } = exampleStack((i) => {
      i.postfix = { mainCf: { smtpd_banner: "$myhostname ESMTP" }, masterCf: { submission: { message_size_limit: 2_000_000 } } };
      i.dovecot = { settings: { login_greeting: "Mail ready" } };
    });
    Testing.synth(stack);
    expect(platform.securityChecks!.findings).toEqual([]);
  });
});

describe("acknowledgements", () => {
  test("need a written reason", () => {
    const stack = new TerraformStack(Testing.app(), "ack");
    expect(() => acknowledgeFinding(stack, "imdsv2-required", "because")).toThrow(/needs a written reason of at least 10 characters/);
  });

  test("cover the construct and everything below it", () => {
    const stack = new TerraformStack(Testing.app(), "ack");
    new AwsProvider(stack, "aws", { region: "eu-central-1" });
    instance(stack, { metadataOptions: { httpTokens: "optional" } });
    acknowledgeFinding(stack, "imdsv2-required", "A legacy agent on this image needs IMDSv1 until March.");
    const checks = new MailSecurityChecks();
    Aspects.of(stack).add(checks);
    Testing.synth(stack);
    expect(checks.unacknowledged()).toEqual([]);
    expect(checks.findings.map((f) => f.ruleId)).toEqual(["imdsv2-required"]);
  });

  test("the pack reports warnings instead of errors when asked (users' own stacks)", () => {
    const stack = new TerraformStack(Testing.app(), "own");
    new AwsProvider(stack, "aws", { region: "eu-central-1" });
    instance(stack, { rootBlockDevice: { encrypted: false } });
    Aspects.of(stack).add(new MailSecurityChecks({ level: "warning" }));
    expect(() => Testing.fullSynth(stack)).not.toThrow();
    const warnings = stack.node
      .findAll()
      .flatMap((n) => n.node.metadata)
      .filter((m) => m.type === AnnotationMetadataEntryType.WARN);
    expect(warnings.map((w) => String(w.data))).toEqual([expect.stringContaining("[volumes-encrypted]")]);
  });
});
