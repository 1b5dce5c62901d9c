/**
 * The rule pack as a cdktf Aspect: apply it to any stack (yours or MailPlatform's own).
 * Unacknowledged findings are errors (synthesis fails) or warnings; acknowledged findings are
 * reported as information with their reason.
 */
import type { IConstruct } from "constructs";
import { Annotations, type IAspect } from "../cdk/core";
import { findAcknowledgement } from "./acknowledge";
import type { SecurityRule } from "./rule";
import { SECURITY_RULES } from "./rules";

/** One finding. */
export interface Finding {
  readonly ruleId: string;
  readonly path: string;
  readonly reason: string;
  /** The written reason, when acknowledged. */
  readonly acknowledged?: string;
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
    for (const rule of this.rules) {
      const key = `${rule.id}|${node.node.path}`;
      if (this.seen.has(key)) continue; // aspects may visit a node more than once
      this.seen.add(key);
      const result = rule.evaluate(node);
      if (result.status !== "non-compliant") continue;
      const acknowledgement = findAcknowledgement(node, rule.id);
      this.findings.push({ ruleId: rule.id, path: node.node.path, reason: result.reason, ...(acknowledgement ? { acknowledged: acknowledgement.reason } : {}) });
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
