/**
 * The security group of the mail hosts, read off the plan: ingress exactly for the enabled
 * services (one described rule per port), the host-to-host channel between members of the
 * group only (when a group has a backup MX), egress only for what a mail host needs.
 */
import { Construct } from "constructs";
import { SecurityGroup, VpcSecurityGroupEgressRule, VpcSecurityGroupIngressRule } from "../cdk/aws";
import type { Plan } from "../plan/types";
import { acknowledgeFinding } from "../security/acknowledge";
import { brandMailFirewall } from "../security/brands";

/** One egress opening and why. */
export interface EgressRule {
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  readonly description: string;
}

/** Properties of {@link MailFirewall}. */
export interface MailFirewallProps {
  /** The plan of the platform (ports come from it). */
  readonly plan: Plan;
  /** The VPC of the security group. */
  readonly vpcId: string;
  /** Tags for the group. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The egress a mail host needs: SMTP to other servers, DNS, packages and HTTPS APIs, the relay. */
export function egressRules(plan: Plan): EgressRule[] {
  const rules: EgressRule[] = [
    { protocol: "tcp", port: 25, description: "SMTP to other mail servers (AWS unblocks port 25 on request)" },
    { protocol: "udp", port: 53, description: "DNS: MX, DNSBL and DANE lookups" },
    { protocol: "tcp", port: 53, description: "DNS over TCP for large answers" },
    { protocol: "tcp", port: 80, description: "Debian package mirrors (signed packages over HTTP)" },
    { protocol: "tcp", port: 443, description: "HTTPS: ACME, Route53, SSM and Debian security updates" },
  ];
  const relay = plan.spec.outbound.relayHost;
  if (relay && !rules.some((r) => r.protocol === "tcp" && r.port === relay.port)) {
    rules.push({ protocol: "tcp", port: relay.port, description: `relay host ${relay.host}` });
  }
  return rules;
}

/** Security group with one ingress rule per enabled service. */
export class MailFirewall extends Construct {
  /** The security group (escape hatch: `securityGroup.addOverride(...)`). */
  readonly securityGroup: SecurityGroup;
  /** Ingress rules by port. */
  readonly ingressRules: ReadonlyMap<number, VpcSecurityGroupIngressRule>;
  /** Egress rules by `protocol/port`. */
  readonly egressRules: ReadonlyMap<string, VpcSecurityGroupEgressRule>;
  /** Ports this firewall may open: the enabled services, the host-to-host channel and the configured extra ingress. */
  readonly allowedIngressPorts: ReadonlySet<number>;

  constructor(scope: Construct, id: string, props: MailFirewallProps) {
    super(scope, id);
    brandMailFirewall(this);
    const { plan } = props;
    const tags = { ...props.tags, Name: `${plan.spec.name}-mail` };
    this.securityGroup = new SecurityGroup(this, "group", {
      name: `${plan.spec.name}-mail`,
      description: `Mail hosts of ${plan.spec.name}: enabled mail services in, SMTP/DNS/HTTPS out`,
      vpcId: props.vpcId,
      revokeRulesOnDelete: true,
      tags,
    });
    const ingress = new Map<number, VpcSecurityGroupIngressRule>();
    for (const port of plan.ports) {
      ingress.set(
        port.port,
        new VpcSecurityGroupIngressRule(this, `in-${port.service}`, {
          securityGroupId: this.securityGroup.id,
          ipProtocol: "tcp",
          fromPort: port.port,
          toPort: port.port,
          cidrIpv4: "0.0.0.0/0",
          description: `${port.description} (${port.service}, ${port.port}/tcp)`,
          tags,
        }),
      );
    }
    const extras = plan.spec.aws?.extraIngress ?? [];
    this.allowedIngressPorts = new Set([
      ...plan.ports.map((p) => p.port),
      ...(plan.channelPort === undefined ? [] : [plan.channelPort]),
      ...extras.map((e) => e.port),
    ]);
    for (const rule of extras) {
      // Named by what it opens, not by its place in the list: removing one rule keeps the others.
      const extra = new VpcSecurityGroupIngressRule(this, extraIngressId(rule), {
        securityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: rule.port,
        toPort: rule.port,
        cidrIpv4: rule.cidr,
        description: rule.description,
        tags,
      });
      if (rule.acknowledgement !== undefined) acknowledgeFinding(extra, "no-admin-ingress-from-anywhere", rule.acknowledgement);
    }
    if (plan.channelPort !== undefined) {
      // The host-to-host channel (backup MX to home): only members of this group may connect.
      ingress.set(
        plan.channelPort,
        new VpcSecurityGroupIngressRule(this, "in-host-channel", {
          securityGroupId: this.securityGroup.id,
          ipProtocol: "tcp",
          fromPort: plan.channelPort,
          toPort: plan.channelPort,
          referencedSecurityGroupId: this.securityGroup.id,
          description: `Backup MX to home host: forwarded mail, between the platform's hosts only (${plan.channelPort}/tcp)`,
          tags,
        }),
      );
    }
    this.ingressRules = ingress;
    const egress = new Map<string, VpcSecurityGroupEgressRule>();
    for (const rule of egressRules(plan)) {
      egress.set(
        `${rule.protocol}/${rule.port}`,
        new VpcSecurityGroupEgressRule(this, `out-${rule.protocol}-${rule.port}`, {
          securityGroupId: this.securityGroup.id,
          ipProtocol: rule.protocol,
          fromPort: rule.port,
          toPort: rule.port,
          cidrIpv4: "0.0.0.0/0",
          description: rule.description,
          tags,
        }),
      );
    }
    if (plan.channelPort !== undefined) {
      egress.set(
        `tcp/${plan.channelPort}`,
        new VpcSecurityGroupEgressRule(this, "out-host-channel", {
          securityGroupId: this.securityGroup.id,
          ipProtocol: "tcp",
          fromPort: plan.channelPort,
          toPort: plan.channelPort,
          referencedSecurityGroupId: this.securityGroup.id,
          description: "Backup MX to home host: forwarded mail, to the platform's hosts only",
          tags,
        }),
      );
    }
    this.egressRules = egress;
  }
}

/** The construct id of an extra ingress rule: its port and network (`in-extra-22-198-51-100-0-24`), unique per validation. */
function extraIngressId(rule: { readonly port: number; readonly cidr: string }): string {
  return `in-extra-${rule.port}-${rule.cidr.replace(/[./]/g, "-")}`;
}
