/**
 * A synthesized stack (`cdk.tf.json`) as data, for tests: what `Testing.synth(stack)` returns,
 * parsed. Only the parts the helpers read are typed.
 */

/** The parts of `cdk.tf.json` the testing helpers read. */
export interface SynthesizedStack {
  readonly locals?: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly output?: Readonly<Record<string, { readonly value: unknown; readonly description?: string }>>;
  readonly [section: string]: unknown;
}

/**
 * The stack as data: accepts the text `Testing.synth(stack)` returns, or the parsed object.
 * @throws TypeError when the input is not a synthesized stack (no `resource` section)
 */
export function synthesizedStack(synthesized: string | object): SynthesizedStack {
  const value: unknown = typeof synthesized === "string" ? JSON.parse(synthesized) : synthesized;
  if (typeof value !== "object" || value === null || typeof (value as { resource?: unknown }).resource !== "object") {
    throw new TypeError("expected a synthesized stack (the text of Testing.synth(stack) or cdk.tf.json, parsed or not)");
  }
  return value as SynthesizedStack;
}
