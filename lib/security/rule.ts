/**
 * Security rules for synthesized stacks: each judges one construct and says compliant,
 * non-compliant (with the reason) or not applicable.
 */
import type { IConstruct } from "constructs";
import { TerraformResource } from "../cdk/core";

/** What a rule says about one construct. */
export type RuleResult =
  { readonly status: "compliant" } | { readonly status: "non-compliant"; readonly reason: string } | { readonly status: "not-applicable" };

/** One rule of the pack. */
export interface SecurityRule {
  /** Stable identifier, used to acknowledge findings. */
  readonly id: string;
  /** What the rule requires, in one sentence. */
  readonly title: string;
  /** Judge one construct. */
  evaluate(node: IConstruct): RuleResult;
}

/** Shorthands for rule results. */
export const COMPLIANT: RuleResult = { status: "compliant" };
export const NOT_APPLICABLE: RuleResult = { status: "not-applicable" };
export function nonCompliant(reason: string): RuleResult {
  return { status: "non-compliant", reason };
}

/** A Terraform resource's type and its configuration as it will be synthesized (overrides included). */
export function resourceConfig(node: IConstruct): { type: string; config: Record<string, unknown> } | undefined {
  if (!(node instanceof TerraformResource)) return undefined;
  const rendered = node.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const byType = rendered.resource?.[node.terraformResourceType];
  const config = byType ? Object.values(byType)[0] : undefined;
  return config ? { type: node.terraformResourceType, config } : undefined;
}

/** A block that Terraform JSON may hold as an object or as a one-element list. */
export function block(value: unknown): Record<string, unknown> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "object" && first !== null ? (first as Record<string, unknown>) : undefined;
}

/** Every block of a repeated attribute. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null);
  return typeof value === "object" && value !== null ? [value as Record<string, unknown>] : [];
}

/** Whether a CIDR list means "anywhere". */
export function isAnywhere(cidrs: unknown): boolean {
  const list = Array.isArray(cidrs) ? cidrs : [cidrs];
  return list.some((c) => c === "0.0.0.0/0" || c === "::/0");
}
