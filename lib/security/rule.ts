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

/** A resource's type and synthesized configuration. */
type ResourceConfig = { type: string; config: Record<string, unknown> };

/**
 * The node the rule pack is judging now, and its configuration once a rule has asked for it: the
 * rules of one visit read the same unchanged node, so `toTerraform()` (the cost of a rule on a
 * stack of a thousand resources) runs once per node, not once per rule.
 */
let judging: { readonly node: IConstruct; config?: ResourceConfig | undefined; computed: boolean } | undefined;

/**
 * Run `judge` (every rule on `node`, none of which changes it) with {@link resourceConfig} of
 * `node` computed at most once. Outside it, each call computes afresh.
 */
export function judgingNode<T>(node: IConstruct, judge: () => T): T {
  const outer = judging;
  judging = { node, computed: false };
  try {
    return judge();
  } finally {
    judging = outer;
  }
}

/** A Terraform resource's type and its configuration as it will be synthesized (overrides included). */
export function resourceConfig(node: IConstruct): ResourceConfig | undefined {
  if (judging?.node !== node) return synthesizedConfig(node);
  // A throw is not kept: the next rule asks again and fails in the same way.
  if (!judging.computed) {
    judging.config = synthesizedConfig(node);
    judging.computed = true;
  }
  return judging.config;
}

function synthesizedConfig(node: IConstruct): ResourceConfig | undefined {
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
