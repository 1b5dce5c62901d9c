import { resources, route53Records, synthExample, type Route53RecordInstance, type TerraformJson } from "../../support/synth";
import { addSecondHost } from "../../support/variants";

function records(json: TerraformJson): Map<string, Route53RecordInstance> {
  return new Map(route53Records(json).map((r) => [`${r.name} ${r.type}`, r]));
}

const BUSINESS_IP = "${aws_eip.mail_host-mx1_eip-business_29E255AD.public_ip}";

describe("MailDns", () => {
  test("publishes an MX per group domain pointing to the group's own host name", () => {
    const byName = records(synthExample().json);
    expect(byName.get("acme-corp.example MX")!.records).toEqual(["10 mail.acme-corp.example."]);
    expect(byName.get("acme-shop.example MX")!.records).toEqual(["10 mail.acme-corp.example."]);
    expect(byName.get("acme-family.example MX")!.records).toEqual(["10 mail.acme-home.example."]);
  });

  test("points each group host name's A record at the group's Elastic IP", () => {
    const byName = records(synthExample().json);
    expect(byName.get("mail.acme-corp.example A")!.records).toEqual([BUSINESS_IP]);
    expect(byName.get("mail.acme-home.example A")!.records).toEqual(["${aws_eip.mail_host-mx1_eip-private_E04D7CEA.public_ip}"]);
    expect(byName.get("mail.acme-corp.example A")!.ttl).toBe(300);
  });

  test("uses a known public IP directly", () => {
    const byName = records(synthExample((i) => (i.groups[0]!.addresses[0]!.publicIp = "203.0.113.10")).json);
    expect(byName.get("mail.acme-corp.example A")!.records).toEqual(["203.0.113.10"]);
    expect(byName.get("acme-corp.example TXT")!.records).toEqual(["v=spf1 ip4:203.0.113.10 -all"]);
  });

  test("publishes RFC 6186/8314 SRV records, and 0 0 0 . for switched-off services", () => {
    const byName = records(synthExample().json);
    expect(byName.get("_submission._tcp.acme-corp.example SRV")!.records).toEqual(["0 1 587 mail.acme-corp.example."]);
    expect(byName.get("_submissions._tcp.acme-home.example SRV")!.records).toEqual(["0 1 465 mail.acme-home.example."]);
    expect(byName.get("_imaps._tcp.acme-shop.example SRV")!.records).toEqual(["0 1 993 mail.acme-corp.example."]);
    expect(byName.get("_pop3s._tcp.acme-corp.example SRV")!.records).toEqual(["0 1 995 mail.acme-corp.example."]);
    expect(byName.get("_imap._tcp.acme-corp.example SRV")!.records).toEqual(["0 0 0 ."]);
    expect(byName.get("_pop3._tcp.acme-family.example SRV")!.records).toEqual(["0 0 0 ."]);
  });

  test("SPF lists the group's public IPs only and fails everything else", () => {
    const byName = records(synthExample().json);
    expect(byName.get("acme-corp.example TXT")!.records).toEqual([`v=spf1 ip4:${BUSINESS_IP} -all`]);
    expect(byName.get("acme-home.example TXT")!.records).toEqual(["v=spf1 ip4:${aws_eip.mail_host-mx1_eip-private_E04D7CEA.public_ip} -all"]);
  });

  test("with two hosts, MX and SRV prefer the first host", () => {
    const byName = records(
      synthExample((i) => {
        addSecondHost(i);
        i.aws!.hosts.mx2 = { subnetId: "subnet-0f1e2d3c4b5a69788" };
      }).json,
    );
    expect(byName.get("acme-corp.example MX")!.records).toEqual(["10 mail.acme-corp.example.", "20 mail2.acme-corp.example."]);
    // Clients go to the group's home only: its mailboxes live there.
    expect(byName.get("_imaps._tcp.acme-corp.example SRV")!.records).toEqual(["0 1 993 mail.acme-corp.example."]);
    expect((byName.get("acme-corp.example TXT")!.records as string[])[0]).toMatch(/^v=spf1 ip4:\$\{aws_eip\.[^}]+\} ip4:\$\{aws_eip\.[^}]+\} -all$/);
  });

  test("creates missing zones and references given ones by id", () => {
    const { json } = synthExample((i) => {
      i.dns!.zones[0]!.route53ZoneId = "Z0123456789ABCDEFGHIJ";
    });
    const [created] = resources(json, "aws_route53_zone");
    expect(Object.keys(created!.for_each as object).sort()).toEqual(["acme-family.example", "acme-home.example", "acme-shop.example"]);
    expect(created!.name).toBe("${each.value.name}");
    const byName = records(json);
    expect(byName.get("acme-corp.example MX")!.zone_id).toBe("Z0123456789ABCDEFGHIJ");
    expect(byName.get("acme-shop.example MX")!.zone_id).toMatch(/^\$\{aws_route53_zone\.\w+\["acme-shop\.example"\]\.zone_id\}$/);
  });

  test("a record in a subdomain zone goes to the most specific zone", () => {
    const { json } = synthExample((i) => {
      // Both zones exist already: the platform creates no delegation between zones it creates.
      i.dns!.zones[0]!.route53ZoneId = "Z1111111111";
      i.dns!.zones.push({ name: "mail.acme-corp.example", route53ZoneId: "Z9999999999" });
    });
    expect(records(json).get("mail.acme-corp.example A")!.zone_id).toBe("Z9999999999");
  });

  test("outputs the public IPs, host names, records and the port 25 note", () => {
    const { json } = synthExample();
    const output = (description: string) => Object.values(json.output).find((o) => o.description === description)!;
    expect(Object.keys(json.output).sort()).toEqual(["acme-mail-dns-records", "acme-mail-host-names", "acme-mail-port-25-note", "acme-mail-public-ips"]);
    expect(output("Public IP of every group address, keyed by host name").value).toEqual({
      "mail.acme-corp.example": BUSINESS_IP,
      "mail.acme-home.example": "${aws_eip.mail_host-mx1_eip-private_E04D7CEA.public_ip}",
    });
    expect(output("Host names per group (A, PTR, HELO, MX target)").value).toEqual({
      business: ["mail.acme-corp.example"],
      private: ["mail.acme-home.example"],
    });
    const created = output("DNS records created: owner names by record type").value as Record<string, string>;
    expect(Object.keys(created).sort()).toEqual(["A", "MX", "SRV", "TXT"]);
    // Terraform lists the instance keys (owner names) of each record resource.
    expect(created.SRV).toMatch(/^\$\{\[ for key, val in aws_route53_record\.\w+-srv_\w+: key\]\}$/);
    expect(String(output("Outbound SMTP on AWS").value)).toMatch(/AWS blocks outbound port 25/);
  });
});
