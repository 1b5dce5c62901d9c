import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { resources, synthExample } from "../../support/synth";

function ingress(change?: Parameters<typeof synthExample>[0]) {
  return resources(synthExample(change).json, "aws_vpc_security_group_ingress_rule");
}

describe("MailFirewall", () => {
  test("opens exactly the enabled mail ports, one described rule each", () => {
    const rules = ingress();
    expect(rules.map((r) => [r.from_port, r.to_port, r.ip_protocol, r.cidr_ipv4]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [25, 25, "tcp", "0.0.0.0/0"],
      [443, 443, "tcp", "0.0.0.0/0"],
      [465, 465, "tcp", "0.0.0.0/0"],
      [587, 587, "tcp", "0.0.0.0/0"],
      [993, 993, "tcp", "0.0.0.0/0"],
      [995, 995, "tcp", "0.0.0.0/0"],
    ]);
    expect(rules.every((r) => typeof r.description === "string" && (r.description as string).length > 10)).toBe(true);
  });

  test("a switched-off service has no ingress rule", () => {
    expect(
      ingress((i) => (i.services = { ...i.services, pop3s: false, submissions: false }))
        .map((r) => r.from_port)
        .sort(),
    ).toEqual([25, 443, 587, 993]);
  });

  test("extra ingress is opened only as configured, with its description", () => {
    const { text } = synthExample((i) => {
      i.aws!.extraIngress = [{ port: 22, cidr: "198.51.100.0/24", description: "SSH from the operations network" }];
    });
    expect(text).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      from_port: 22,
      cidr_ipv4: "198.51.100.0/24",
      description: "SSH from the operations network",
    });
  });

  test("egress allows only SMTP, DNS, package mirrors and HTTPS", () => {
    const egress = resources(synthExample().json, "aws_vpc_security_group_egress_rule").map((r) => `${r.ip_protocol}/${r.from_port}`);
    expect(egress.sort()).toEqual(["tcp/25", "tcp/443", "tcp/53", "tcp/80", "udp/53"]);
  });

  test("a relay on the submission port adds egress to that port only", () => {
    const egress = resources(
      synthExample((i) => (i.outbound = { relayHost: { host: "smtp.relay.example", port: 587 } })).json,
      "aws_vpc_security_group_egress_rule",
    ).map((r) => `${r.ip_protocol}/${r.from_port}`);
    expect(egress.sort()).toEqual(["tcp/25", "tcp/443", "tcp/53", "tcp/587", "tcp/80", "udp/53"]);
  });

  test("the security group is described, in the platform's VPC, and attached to the interface", () => {
    const { json } = synthExample();
    const [groupName] = Object.keys(json.resource.aws_security_group!);
    expect(resources(json, "aws_security_group")[0]).toMatchObject({
      name: "acme-mail-mail",
      vpc_id: "vpc-0a1b2c3d4e5f60718",
      description: expect.stringContaining("Mail hosts"),
    });
    expect(resources(json, "aws_network_interface")[0]!.security_groups).toEqual([`\${aws_security_group.${groupName}.id}`]);
  });
});
