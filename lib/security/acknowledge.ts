/**
 * Acknowledging a finding: allowed only with a written reason, recorded on the construct, and
 * reported (as information, with the reason) every time the stack is synthesized.
 */
import { UserError } from "../errors";
import type { IConstruct } from "constructs";

const METADATA_KEY = "mail-platform:acknowledged-finding";

/** A recorded acknowledgement. */
export interface Acknowledgement {
  readonly ruleId: string;
  readonly reason: string;
}

/**
 * Acknowledge a rule's finding on a construct and everything below it.
 * @throws UserError when the reason is shorter than 10 characters or spans lines
 */
export function acknowledgeFinding(scope: IConstruct, ruleId: string, reason: string): void {
  if (reason.trim().length < 10 || /[\r\n]/.test(reason)) {
    throw new UserError(`acknowledging "${ruleId}" needs a written reason of at least 10 characters on one line (received: ${JSON.stringify(reason)})`, {
      path: scope.node.path,
    });
  }
  scope.node.addMetadata(METADATA_KEY, { ruleId, reason: reason.trim() } satisfies Acknowledgement);
}

/** The acknowledgement of a rule on a construct or one of its scopes. */
export function findAcknowledgement(node: IConstruct, ruleId: string): Acknowledgement | undefined {
  for (let scope: IConstruct | undefined = node; scope; scope = scope.node.scope) {
    const entry = scope.node.metadata.find((m) => m.type === METADATA_KEY && (m.data as Acknowledgement).ruleId === ruleId);
    if (entry) return entry.data as Acknowledgement;
  }
  return undefined;
}
