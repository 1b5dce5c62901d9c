/**
 * The protocol details the stand-ins share with AWS: Route53's normalised names and change-batch
 * rules, TXT value quoting, S3 addressing and region routing, the endpoint's host names (CloudWatch's
 * under its old name, monitoring), Terraform's template escapes, and the XML reader's refusal of DTDs.
 */
import { txtValueText } from "../../../lib/rehearsal/aws/challenge-dns";
import { endpointHostNames, serviceOfHost } from "../../../lib/rehearsal/aws/endpoints";
import { applyChangeBatch, normalisedName, parseChangeBatch, type RecordSet } from "../../../lib/rehearsal/aws/route53-records";
import { s3Address, servingRegion } from "../../../lib/rehearsal/aws/s3-addressing";
import { evaluateTemplate } from "../../../lib/rehearsal/aws/terraform-template";
import { parseXml } from "../../../lib/rehearsal/aws/xml";

/** A change batch as botocore serializes certbot's call. */
const batch = (action: string, name: string, values: string[], type = "TXT") =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Comment>certbot-dns-route53 certificate validation ${action}</Comment><Changes><Change><Action>${action}</Action><ResourceRecordSet><Name>${name}</Name><Type>${type}</Type><TTL>10</TTL><ResourceRecords>${values.map((v) => `<ResourceRecord><Value>${v}</Value></ResourceRecord>`).join("")}</ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;

describe("Route53", () => {
  test("names are normalised as IAM sees them: lower case, no trailing dot, octal escapes", () => {
    expect(normalisedName("_ACME-Challenge.Mail.Acme-Corp.Example.")).toBe("_acme-challenge.mail.acme-corp.example");
    expect(normalisedName("*.acme-corp.example")).toBe("\\052.acme-corp.example");
    expect(normalisedName("\\052.acme-corp.example.")).toBe("\\052.acme-corp.example");
  });

  test("a certbot change batch parses, and applies as an UPSERT then a DELETE of the same values", () => {
    const upsert = parseChangeBatch(batch("UPSERT", "_acme-challenge.mail.acme-corp.example", ["&quot;token&quot;"]));
    expect(upsert).toEqual({
      comment: "certbot-dns-route53 certificate validation UPSERT",
      changes: [{ action: "UPSERT", recordSet: { name: "_acme-challenge.mail.acme-corp.example", type: "TXT", ttl: 10, values: ['"token"'] } }],
    });
    const { next, changed } = applyChangeBatch("acme-corp.example", new Map(), upsert);
    expect(changed).toEqual([upsert.changes[0]!.recordSet]);
    const deleted = applyChangeBatch("acme-corp.example", next, parseChangeBatch(batch("DELETE", "_acme-challenge.mail.acme-corp.example.", ['"token"'])));
    expect(deleted.next.size).toBe(0);
    expect(deleted.changed[0]!.values).toEqual([]);
  });

  test("a batch Route53 would refuse is refused whole, with Route53's messages", () => {
    const existing = new Map<string, RecordSet>([
      ["_acme-challenge.acme-corp.example|TXT", { name: "_acme-challenge.acme-corp.example", type: "TXT", ttl: 10, values: ['"a"'] }],
    ]);
    expect(() => applyChangeBatch("acme-corp.example", existing, parseChangeBatch(batch("CREATE", "_acme-challenge.acme-corp.example", ['"b"'])))).toThrow(
      "Tried to create resource record set [name='_acme-challenge.acme-corp.example.', type='TXT'] but it already exists",
    );
    expect(() => applyChangeBatch("acme-corp.example", existing, parseChangeBatch(batch("DELETE", "_acme-challenge.acme-corp.example", ['"b"'])))).toThrow(
      "but the values provided do not match the current values",
    );
    expect(() => applyChangeBatch("acme-corp.example", new Map(), parseChangeBatch(batch("UPSERT", "_acme-challenge.other.example", ['"b"'])))).toThrow(
      "RRSet with DNS name _acme-challenge.other.example. is not permitted in zone acme-corp.example.",
    );
    expect(() =>
      applyChangeBatch("acme-corp.example", new Map(), parseChangeBatch(batch("UPSERT", "_acme-challenge.acme-corp.example", ["unquoted"]))),
    ).toThrow("Value should be enclosed in quotation marks");
    expect(() => parseChangeBatch(batch("UPSERT", "x.acme-corp.example", ['"b"'], "BOGUS"))).toThrow("Invalid type at changes[0]: BOGUS");
  });

  test("TXT values are unquoted and their strings joined, as DNS serves them", () => {
    expect(txtValueText('"token"')).toBe("token");
    expect(txtValueText('"part one" "part two"')).toBe("part onepart two");
    expect(txtValueText('"say \\"hi\\" \\073"')).toBe('say "hi" ;');
    expect(txtValueText("token")).toBeUndefined();
    expect(txtValueText('"a" b')).toBeUndefined();
  });
});

describe("S3 addressing", () => {
  test("path-style and virtual-hosted, regional and global", () => {
    expect(s3Address("s3.eu-central-1.amazonaws.com", "/amazon-ssm-eu-central-1/latest/debian_amd64/amazon-ssm-agent.deb")).toEqual({
      style: "path",
      bucket: "amazon-ssm-eu-central-1",
      key: "latest/debian_amd64/amazon-ssm-agent.deb",
      endpoint: "eu-central-1",
    });
    expect(s3Address("cfg.s3.amazonaws.com", "/bundles/mx1/a%20b.json")).toEqual({
      style: "virtual",
      bucket: "cfg",
      key: "bundles/mx1/a b.json",
      endpoint: "global",
    });
    expect(s3Address("ec2.eu-central-1.amazonaws.com", "/")).toBeUndefined();
  });

  test("the global endpoint serves virtual-hosted requests in the bucket's region, path-style ones in us-east-1", () => {
    expect(servingRegion(s3Address("cfg.s3.amazonaws.com", "/k")!, "eu-central-1")).toBe("eu-central-1");
    expect(servingRegion(s3Address("s3.amazonaws.com", "/cfg/k")!, "eu-central-1")).toBe("us-east-1");
    expect(servingRegion(s3Address("cfg.s3.us-east-1.amazonaws.com", "/k")!, "eu-central-1")).toBe("us-east-1");
  });
});

describe("the endpoint", () => {
  test("answers under AWS's names, listed for DNS and the certificate, wildcards included", () => {
    const names = endpointHostNames("eu-central-1", ["cfg", "amazon-ssm-eu-central-1"]);
    expect(names).toEqual(
      expect.arrayContaining([
        "ec2.eu-central-1.amazonaws.com",
        "ssm.eu-central-1.amazonaws.com",
        "monitoring.eu-central-1.amazonaws.com",
        "route53.amazonaws.com",
        "s3.amazonaws.com",
        "s3.eu-central-1.amazonaws.com",
        "cfg.s3.eu-central-1.amazonaws.com",
        "amazon-ssm-eu-central-1.s3.eu-central-1.amazonaws.com",
        "*.s3.amazonaws.com",
        "*.s3.eu-central-1.amazonaws.com",
      ]),
    );
    expect(names.filter((n) => !n.startsWith("*.")).map((n) => serviceOfHost(n, "eu-central-1"))).not.toContain(undefined);
    expect(serviceOfHost("monitoring.eu-central-1.amazonaws.com", "eu-central-1")).toBe("cloudwatch");
    expect(serviceOfHost("ec2.us-west-2.amazonaws.com", "eu-central-1")).toBeUndefined();
  });
});

describe("Terraform templates and XML", () => {
  test("escapes are undone, interpolations resolved, directives refused", () => {
    expect(evaluateTemplate("a $${b} %%{c} ${x.y} $", (e) => `<${e}>`)).toBe("a ${b} %{c} <x.y> $");
    expect(evaluateTemplate('${a["k}"].b}', (e) => `<${e}>`)).toBe('<a["k}"].b>');
    expect(() => evaluateTemplate("%{ if x }y%{ endif }", (e) => e)).toThrow("Terraform template directive");
  });

  test("the XML reader decodes entities and refuses DTDs", () => {
    expect(parseXml("<a><b>x &amp; &#x41;</b><c/></a>")).toEqual({
      name: "a",
      text: "",
      children: [
        { name: "b", text: "x & A", children: [] },
        { name: "c", text: "", children: [] },
      ],
    });
    expect(() => parseXml('<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>')).toThrow("DTDs are not accepted");
    expect(() => parseXml("<a><b></a>")).toThrow("unexpected </a>");
  });
});
