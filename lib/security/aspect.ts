/**
 * The rule pack as a cdktf Aspect: apply it to any stack (yours or MailPlatform's own).
 * Unacknowledged findings are errors (synthesis fails) or warnings; acknowledged findings are
 * reported as information with their reason. A rule that throws on a construct is a finding of
 * that rule on that construct (as cdk-nag reports it), never the end of the synthesis.
 */
import type { IConstruct } from "constructs";
import { Annotations, type IAspect } from "../cdk/core";
import { findAcknowledgement } from "./acknowledge";
import { judgingNode, nonCompliant, type RuleResult, type SecurityRule } from "./rule";
import { SECURITY_RULES } from "./rules";

/** One finding. */
export interface Finding {
  readonly ruleId: string;
  readonly path: string;
  readonly reason: string;
  /** The written reason, when acknowledged. */
  readonly acknowledged?: string;
  /**
   * The rule threw instead of judging the construct. Such a finding is reported at the level of
   * unacknowledged findings and no acknowledgement covers it: nobody judged the construct.
   * Default: absent (the rule judged).
   */
  readonly ruleFailed?: true;
}

/** Options of {@link MailSecurityChecks}. */
export interface MailSecurityChecksOptions {
  /** The rules. @default every rule of the pack */
  readonly rules?: readonly SecurityRule[];
  /** How unacknowledged findings are reported. @default "error" (synthesis fails) */
  readonly level?: "error" | "warning";
}

/** The security rule pack as an Aspect. */
export class MailSecurityChecks implements IAspect {
  /** Every finding so far (acknowledged or not). */
  readonly findings: Finding[] = [];
  private readonly rules: readonly SecurityRule[];
  private readonly level: "error" | "warning";
  private readonly seen = new Set<string>();

  constructor(options: MailSecurityChecksOptions = {}) {
    this.rules = options.rules ?? SECURITY_RULES;
    this.level = options.level ?? "error";
  }

  visit(node: IConstruct): void {
    judgingNode(node, () => this.judgeAll(node));
  }

  private judgeAll(node: IConstruct): void {
    // Computed once: `node.path` joins the ids of every scope anew on each read.
    const path = node.node.path;
    for (const rule of this.rules) {
      const key = `${rule.id}|${path}`;
      if (this.seen.has(key)) continue; // aspects may visit a node more than once
      this.seen.add(key);
      const { result, failed } = judge(rule, node);
      if (result.status !== "non-compliant") continue;
      const acknowledgement = failed ? undefined : findAcknowledgement(node, rule.id);
      this.findings.push({
        ruleId: rule.id,
        path,
        reason: result.reason,
        ...(acknowledgement ? { acknowledged: acknowledgement.reason } : {}),
        ...(failed ? { ruleFailed: true as const } : {}),
      });
      const message = `[${rule.id}] ${rule.title}: ${result.reason}`;
      if (acknowledgement) Annotations.of(node).addInfo(`${message} (acknowledged: ${acknowledgement.reason})`);
      else if (this.level === "error") Annotations.of(node).addError(message);
      else Annotations.of(node).addWarning(message);
    }
  }

  /** Findings that are not acknowledged. */
  unacknowledged(): Finding[] {
    return this.findings.filter((f) => f.acknowledged === undefined);
  }
}

/** The rule's verdict on one construct; a rule that throws yields a non-compliant verdict saying so. */
function judge(rule: SecurityRule, node: IConstruct): { result: RuleResult; failed: boolean } {
  try {
    return { result: rule.evaluate(node), failed: false };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { result: nonCompliant(`the rule failed on ${node.node.path} and could not judge it (${why}); this is a bug of the rule, report it`), failed: true };
  }
}
