/** Ingress and egress openings of a security-group resource, in one shape for the port rules. */
import type { IConstruct } from "constructs";
import { blocks, resourceConfig } from "../rule";

/** One opening: direction, protocol, port range and sources or destinations. */
export interface Opening {
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrs: readonly string[];
}

function ports(config: Record<string, unknown>): { fromPort: number; toPort: number; protocol: string } {
  const protocol = String(config.ip_protocol ?? config.protocol ?? "tcp").toLowerCase();
  const all = protocol === "-1" || protocol === "all";
  return { protocol, fromPort: all ? 0 : Number(config.from_port ?? 0), toPort: all ? 65535 : Number(config.to_port ?? 65535) };
}

function cidrsOf(config: Record<string, unknown>): string[] {
  return [config.cidr_ipv4, config.cidr_ipv6, ...((config.cidr_blocks as unknown[]) ?? []), ...((config.ipv6_cidr_blocks as unknown[]) ?? [])].filter(
    (c): c is string => typeof c === "string",
  );
}

/** The openings a construct defines, or undefined when it is not a security-group resource. */
export function openings(node: IConstruct): Opening[] | undefined {
  const resource = resourceConfig(node);
  if (!resource) return undefined;
  const { type, config } = resource;
  switch (type) {
    case "aws_vpc_security_group_ingress_rule":
      return [{ direction: "ingress", ...ports(config), cidrs: cidrsOf(config) }];
    case "aws_vpc_security_group_egress_rule":
      return [{ direction: "egress", ...ports(config), cidrs: cidrsOf(config) }];
    case "aws_security_group_rule":
      return [{ direction: config.type === "egress" ? "egress" : "ingress", ...ports(config), cidrs: cidrsOf(config) }];
    case "aws_security_group":
      return [
        ...blocks(config.ingress).map((r) => ({ direction: "ingress" as const, ...ports(r), cidrs: cidrsOf(r) })),
        ...blocks(config.egress).map((r) => ({ direction: "egress" as const, ...ports(r), cidrs: cidrsOf(r) })),
      ];
    default:
      return undefined;
  }
}

/** Whether an opening covers a port. */
export function covers(opening: Opening, port: number): boolean {
  return opening.fromPort <= port && port <= opening.toPort;
}
