/**
 * The IAM evaluator the AWS stand-ins authorize every call with: AWS's evaluation logic (explicit
 * deny wins, default deny), wildcards, condition operators with their missing-key and set
 * semantics, and errors — never a silent allow — for what it does not emulate. The Route53 cases
 * use the host role's real ACME policy (lib/constructs/host-role.ts).
 */
import { acmeDnsPolicy, configurationPolicy } from "../../../lib/constructs/host-role";
import { evaluatePolicies, type AuthorizationRequest, type NamedPolicy } from "../../../lib/rehearsal/aws/iam";
import { managedPolicy } from "../../../lib/rehearsal/aws/managed-policies";
import { parsePolicyDocument } from "../../../lib/rehearsal/aws/policy-document";
import { normalisedName } from "../../../lib/rehearsal/aws/route53-records";

const ROLE = "arn:aws:iam::123456789012:role/acme-mail-mx1";
const SESSION = "arn:aws:sts::123456789012:assumed-role/acme-mail-mx1/i-0123456789abcdef0";

const identity = (name: string, document: unknown): NamedPolicy => ({ name, kind: "identity", document: parsePolicyDocument(document, name) });
const request = (action: string, resource: string, context: AuthorizationRequest["context"] = {}): AuthorizationRequest => ({
  principal: { arns: [SESSION, ROLE], account: "123456789012" },
  action,
  resource,
  context,
});

describe("Route53 ACME policy of the host role", () => {
  const policy = identity("acme-dns-01", acmeDnsPolicy(["Z0AAAAAAAAAAAAAAAAAAA", "Z0BBBBBBBBBBBBBBBBBBB"]));
  const change = (zone: string, names: string[], types: string[], actions = ["UPSERT"]) =>
    evaluatePolicies(
      [policy],
      request("route53:ChangeResourceRecordSets", `arn:aws:route53:::hostedzone/${zone}`, {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": names.map(normalisedName),
        "route53:ChangeResourceRecordSetsRecordTypes": types,
        "route53:ChangeResourceRecordSetsActions": actions,
      }),
    );

  test("allows finding zones and watching changes, naming the statement", () => {
    expect(evaluatePolicies([policy], request("route53:ListHostedZones", "*"))).toEqual({
      effect: "Allow",
      matched: [{ policy: "acme-dns-01", kind: "identity", statement: "FindZonesAndWatchChanges" }],
    });
    expect(evaluatePolicies([policy], request("route53:GetChange", "arn:aws:route53:::change/C123")).effect).toBe("Allow");
  });

  test("allows an _acme-challenge TXT change in one of its zones, in any letter case", () => {
    expect(change("Z0AAAAAAAAAAAAAAAAAAA", ["_acme-challenge.mail.acme-corp.example."], ["TXT"])).toEqual({
      effect: "Allow",
      matched: [{ policy: "acme-dns-01", kind: "identity", statement: "AcmeChallengeRecordsOnly" }],
    });
    expect(change("Z0BBBBBBBBBBBBBBBBBBB", ["_ACME-Challenge.Mail.Acme-Home.Example"], ["TXT"], ["DELETE"]).effect).toBe("Allow");
  });

  test("denies a zone it does not list", () => {
    expect(change("Z0CCCCCCCCCCCCCCCCCCC", ["_acme-challenge.mail.acme-corp.example"], ["TXT"])).toEqual({ effect: "ImplicitDeny", matched: [] });
  });

  test("denies any other record type, also when mixed into a batch with TXT (ForAllValues)", () => {
    expect(change("Z0AAAAAAAAAAAAAAAAAAA", ["_acme-challenge.mail.acme-corp.example"], ["A"]).effect).toBe("ImplicitDeny");
    expect(change("Z0AAAAAAAAAAAAAAAAAAA", ["_acme-challenge.mail.acme-corp.example"], ["TXT", "MX"]).effect).toBe("ImplicitDeny");
  });

  test("denies names that are not ACME challenges, also one among challenges", () => {
    expect(change("Z0AAAAAAAAAAAAAAAAAAA", ["acme-corp.example"], ["TXT"]).effect).toBe("ImplicitDeny");
    expect(change("Z0AAAAAAAAAAAAAAAAAAA", ["_acme-challenge.mail.acme-corp.example", "_dmarc.acme-corp.example"], ["TXT"]).effect).toBe("ImplicitDeny");
    // "*.example" written as the octal escape in normalised form is not an _acme-challenge name.
    expect(change("Z0AAAAAAAAAAAAAAAAAAA", ["*.acme-corp.example"], ["TXT"]).effect).toBe("ImplicitDeny");
  });

  test("ForAllValues passes when the key is missing — the stand-in must always send the keys", () => {
    expect(evaluatePolicies([policy], request("route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z0AAAAAAAAAAAAAAAAAAA")).effect).toBe("Allow");
  });

  test("denies what the policy does not mention", () => {
    expect(evaluatePolicies([policy], request("route53:DeleteHostedZone", "arn:aws:route53:::hostedzone/Z0AAAAAAAAAAAAAAAAAAA")).effect).toBe("ImplicitDeny");
  });
});

describe("Route53 ACME policy of a host role that names every zone", () => {
  // The shape of a host whose zones do not fit IAM's policy size (lib/model/acme-scope.ts).
  const policy = identity("acme-dns-01", acmeDnsPolicy("all", ["_acme-challenge.mail.*", "_acme-challenge.mta-sts.*"]));
  const change = (zone: string, names: string[], types: string[]) =>
    evaluatePolicies(
      [policy],
      request("route53:ChangeResourceRecordSets", `arn:aws:route53:::hostedzone/${zone}`, {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": names.map(normalisedName),
        "route53:ChangeResourceRecordSetsRecordTypes": types,
        "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
      }),
    );

  test("allows a challenge TXT record of a name that begins like the host's own, in any zone", () => {
    expect(change("Z0CCCCCCCCCCCCCCCCCCC", ["_acme-challenge.mta-sts.customer00999.group9.example."], ["TXT"])).toEqual({
      effect: "Allow",
      matched: [{ policy: "acme-dns-01", kind: "identity", statement: "AcmeChallengeRecordsOnly" }],
    });
    expect(change("Z0DDDDDDDDDDDDDDDDDDD", ["_ACME-Challenge.Mail.Customer00000.Group0.Example"], ["TXT"]).effect).toBe("Allow");
  });

  test("denies the challenges of other names, other record types, and names that are no challenges", () => {
    expect(change("Z0CCCCCCCCCCCCCCCCCCC", ["_acme-challenge.www.customer00999.group9.example"], ["TXT"]).effect).toBe("ImplicitDeny");
    expect(change("Z0CCCCCCCCCCCCCCCCCCC", ["_acme-challenge.customer00999.group9.example"], ["TXT"]).effect).toBe("ImplicitDeny");
    expect(change("Z0CCCCCCCCCCCCCCCCCCC", ["_acme-challenge.mta-sts.customer00999.group9.example"], ["A"]).effect).toBe("ImplicitDeny");
    expect(change("Z0CCCCCCCCCCCCCCCCCCC", ["mta-sts.customer00999.group9.example"], ["TXT"]).effect).toBe("ImplicitDeny");
  });
});

describe("evaluation logic", () => {
  test("an explicit deny wins over any allow, and is reported with its statement", () => {
    const allow = identity("allow", { Version: "2012-10-17", Statement: [{ Sid: "All", Effect: "Allow", Action: "s3:*", Resource: "*" }] });
    const deny = identity("deny", {
      Version: "2012-10-17",
      Statement: [{ Sid: "NoBundles", Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/bundles/*" }],
    });
    expect(evaluatePolicies([allow, deny], request("s3:GetObject", "arn:aws:s3:::b/bundles/x.json"))).toEqual({
      effect: "ExplicitDeny",
      matched: [{ policy: "deny", kind: "identity", statement: "NoBundles" }],
    });
    expect(evaluatePolicies([allow, deny], request("s3:GetObject", "arn:aws:s3:::b/other")).effect).toBe("Allow");
  });

  test("actions match case-insensitively with wildcards, resources case-sensitively", () => {
    const p = identity("p", { Statement: [{ Effect: "Allow", Action: "EC2:describe*", Resource: "arn:aws:s3:::Bucket/?.json" }] });
    expect(evaluatePolicies([p], request("ec2:DescribeVolumes", "arn:aws:s3:::Bucket/a.json")).effect).toBe("Allow");
    expect(evaluatePolicies([p], request("ec2:DescribeVolumes", "arn:aws:s3:::bucket/a.json")).effect).toBe("ImplicitDeny");
    expect(evaluatePolicies([p], request("ec2:DescribeVolumes", "arn:aws:s3:::Bucket/ab.json")).effect).toBe("ImplicitDeny");
    expect(evaluatePolicies([p], request("ec2:RunInstances", "arn:aws:s3:::Bucket/a.json")).effect).toBe("ImplicitDeny");
  });

  test("NotAction and NotResource invert the match", () => {
    const p = identity("p", { Statement: [{ Sid: "AllButIam", Effect: "Allow", NotAction: "iam:*", NotResource: "arn:aws:s3:::secret/*" }] });
    expect(evaluatePolicies([p], request("s3:GetObject", "arn:aws:s3:::public/x")).effect).toBe("Allow");
    expect(evaluatePolicies([p], request("iam:PassRole", "*")).effect).toBe("ImplicitDeny");
    expect(evaluatePolicies([p], request("s3:GetObject", "arn:aws:s3:::secret/x")).effect).toBe("ImplicitDeny");
  });

  test("the bundle policy allows reading the host's own bundles only", () => {
    const p = identity("read-own-configuration", configurationPolicy("arn:aws:s3:::cfg/bundles/mx1/*"));
    expect(evaluatePolicies([p], request("s3:GetObject", "arn:aws:s3:::cfg/bundles/mx1/abc.json")).matched).toEqual([
      { policy: "read-own-configuration", kind: "identity", statement: "ReadOwnBundles" },
    ]);
    expect(evaluatePolicies([p], request("s3:GetObject", "arn:aws:s3:::cfg/bundles/mx2/abc.json")).effect).toBe("ImplicitDeny");
  });

  test('a resource policy applies to the principals it names (Principal "*" included)', () => {
    const bucketPolicy: NamedPolicy = {
      name: "bucket policy of cfg",
      kind: "resource",
      document: parsePolicyDocument(
        {
          Statement: [
            {
              Sid: "DenyPlaintextTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: ["arn:aws:s3:::cfg", "arn:aws:s3:::cfg/*"],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        },
        "bucket policy",
      ),
    };
    const allow = identity("allow", { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    expect(evaluatePolicies([allow, bucketPolicy], request("s3:GetObject", "arn:aws:s3:::cfg/x", { "aws:SecureTransport": false })).matched).toEqual([
      { policy: "bucket policy of cfg", kind: "resource", statement: "DenyPlaintextTransport" },
    ]);
    expect(evaluatePolicies([allow, bucketPolicy], request("s3:GetObject", "arn:aws:s3:::cfg/x", { "aws:SecureTransport": true })).effect).toBe("Allow");
    const grant: NamedPolicy = {
      name: "grant",
      kind: "resource",
      document: parsePolicyDocument(
        { Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/other" }, Action: "s3:GetObject", Resource: "*" }] },
        "grant",
      ),
    };
    expect(evaluatePolicies([grant], request("s3:GetObject", "arn:aws:s3:::cfg/x")).effect).toBe("ImplicitDeny");
  });
});

describe("condition operators", () => {
  const withCondition = (condition: unknown) => identity("c", { Statement: [{ Sid: "C", Effect: "Allow", Action: "*", Resource: "*", Condition: condition }] });
  const decide = (condition: unknown, context: AuthorizationRequest["context"]) =>
    evaluatePolicies([withCondition(condition)], request("kms:Decrypt", "*", context)).effect;

  test("StringLike with wildcards, as the DKIM decryption statement uses it", () => {
    const condition = { StringLike: { "kms:ViaService": "ssm.*.amazonaws.com" } };
    expect(decide(condition, { "kms:ViaService": "ssm.eu-central-1.amazonaws.com" })).toBe("Allow");
    expect(decide(condition, { "kms:ViaService": "s3.eu-central-1.amazonaws.com" })).toBe("ImplicitDeny");
    expect(decide(condition, {})).toBe("ImplicitDeny");
  });

  test("keys are case-insensitive; values of StringEquals are not, of StringEqualsIgnoreCase are", () => {
    expect(decide({ StringEquals: { "AWS:RequestedRegion": "eu-central-1" } }, { "aws:requestedregion": "eu-central-1" })).toBe("Allow");
    expect(decide({ StringEquals: { "aws:RequestedRegion": "EU-central-1" } }, { "aws:RequestedRegion": "eu-central-1" })).toBe("ImplicitDeny");
    expect(decide({ StringEqualsIgnoreCase: { "aws:RequestedRegion": "EU-central-1" } }, { "aws:RequestedRegion": "eu-central-1" })).toBe("Allow");
  });

  test("a negated operator passes on a missing key; IfExists passes a positive one on a missing key", () => {
    expect(decide({ StringNotEquals: { "aws:SourceVpc": "vpc-1" } }, {})).toBe("Allow");
    expect(decide({ StringNotLike: { "aws:SourceVpc": "vpc-*" } }, { "aws:SourceVpc": "vpc-1" })).toBe("ImplicitDeny");
    expect(decide({ StringEqualsIfExists: { "aws:SourceVpc": "vpc-1" } }, {})).toBe("Allow");
    expect(decide({ StringEqualsIfExists: { "aws:SourceVpc": "vpc-1" } }, { "aws:SourceVpc": "vpc-2" })).toBe("ImplicitDeny");
  });

  test("Null, Bool, ArnLike, Numeric, Date and IpAddress", () => {
    expect(decide({ Null: { "aws:TokenIssueTime": "false" } }, { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" })).toBe("Allow");
    expect(decide({ Null: { "aws:TokenIssueTime": "true" } }, { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" })).toBe("ImplicitDeny");
    expect(decide({ Bool: { "aws:SecureTransport": "true" } }, { "aws:SecureTransport": true })).toBe("Allow");
    expect(
      decide(
        { ArnLike: { "ec2:SourceInstanceARN": "arn:aws:ec2:*:123456789012:instance/*" } },
        { "ec2:SourceInstanceARN": "arn:aws:ec2:eu-central-1:123456789012:instance/i-1" },
      ),
    ).toBe("Allow");
    expect(
      decide(
        { ArnNotEquals: { "ec2:SourceInstanceARN": "arn:aws:ec2:*:123456789012:instance/*" } },
        { "ec2:SourceInstanceARN": "arn:aws:ec2:eu-central-1:999999999999:instance/i-1" },
      ),
    ).toBe("Allow");
    expect(decide({ NumericLessThan: { "s3:max-keys": "10" } }, { "s3:max-keys": 5 })).toBe("Allow");
    expect(decide({ NumericGreaterThanEquals: { "s3:max-keys": 10 } }, { "s3:max-keys": 5 })).toBe("ImplicitDeny");
    expect(decide({ DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } }, { "aws:CurrentTime": "2026-12-01T00:00:00Z" })).toBe("Allow");
    expect(decide({ IpAddress: { "aws:SourceIp": "10.0.0.0/16" } }, { "aws:SourceIp": "10.0.1.11" })).toBe("Allow");
    expect(decide({ NotIpAddress: { "aws:SourceIp": ["10.0.0.0/16", "192.0.2.0/24"] } }, { "aws:SourceIp": "192.0.2.7" })).toBe("ImplicitDeny");
  });

  test("ForAnyValue needs one match and fails on a missing key; ForAllValues passes on an empty set", () => {
    expect(decide({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["a", "b"] } }, { "aws:TagKeys": ["c", "b"] })).toBe("Allow");
    expect(decide({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["a"] } }, {})).toBe("ImplicitDeny");
    expect(decide({ "ForAllValues:StringEquals": { "aws:TagKeys": ["a"] } }, { "aws:TagKeys": [] })).toBe("Allow");
    expect(decide({ "ForAllValues:StringNotLike": { "aws:TagKeys": ["secret*"] } }, { "aws:TagKeys": ["a", "secret-x"] })).toBe("ImplicitDeny");
  });

  test("operators AND together; the values of one key OR together", () => {
    const condition = { StringEquals: { "aws:RequestedRegion": ["eu-central-1", "eu-west-1"] }, Bool: { "aws:SecureTransport": "true" } };
    expect(decide(condition, { "aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": true })).toBe("Allow");
    expect(decide(condition, { "aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": false })).toBe("ImplicitDeny");
  });

  test("fails on an operator it does not know, instead of deciding", () => {
    expect(() => decide({ BinaryEquals: { "aws:x": "AQ==" } }, { "aws:x": "AQ==" })).toThrow("condition operator BinaryEquals is not emulated");
    expect(() => decide({ StringEqualz: { "aws:x": "a" } }, {})).toThrow("condition operator StringEqualz is not emulated");
    expect(() => decide({ "ForAllValues:NullIfExists": { "aws:x": "true" } }, {})).toThrow("is not valid IAM");
  });

  test("fails on policy variables and on a single-valued operator over a multivalued key", () => {
    expect(() => decide({ StringEquals: { "aws:username": "${aws:username}" } }, { "aws:username": "x" })).toThrow("policy variables");
    expect(() =>
      decide({ StringEquals: { "route53:ChangeResourceRecordSetsRecordTypes": "TXT" } }, { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] }),
    ).toThrow("is multivalued");
  });
});

describe("AWS managed policies", () => {
  test("AmazonSSMManagedInstanceCore (v2) lets the instance read every SSM parameter of the account", () => {
    const core = managedPolicy("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
    expect(core.version).toBe("v2");
    const policy: NamedPolicy = { name: core.name, kind: "identity", document: core.document };
    expect(evaluatePolicies([policy], request("ssm:GetParameter", "arn:aws:ssm:eu-central-1:123456789012:parameter/anything/else"))).toEqual({
      effect: "Allow",
      matched: [{ policy: "AmazonSSMManagedInstanceCore", kind: "identity", statement: "#0" }],
    });
    expect(evaluatePolicies([policy], request("ec2messages:GetMessages", "*")).matched[0]!.statement).toBe("#2");
  });

  test("fails on a managed policy whose text is not recorded", () => {
    expect(() => managedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")).toThrow(
      "managed policy arn:aws:iam::aws:policy/AdministratorAccess is not known to the rehearsal",
    );
  });

  test("refuses documents it would misread", () => {
    expect(() => parsePolicyDocument({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*", Conditon: {} }] }, "typo")).toThrow(
      "typo: Statement[0]: unknown statement element(s) Conditon",
    );
    expect(() => parsePolicyDocument({ Statement: [{ Effect: "allow", Action: "s3:*", Resource: "*" }] }, "p")).toThrow('Effect: expected "Allow" or "Deny"');
    const principal = identity("p", { Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }] });
    expect(() => evaluatePolicies([principal], request("s3:GetObject", "*"))).toThrow("an identity-based policy cannot name a Principal");
  });
});
