/**
 * The cross checks read the sections of the whole model's parse when it succeeded, instead of
 * parsing each section a second time: they must find exactly what they find on sections parsed
 * alone, on valid models and on models whose shape is valid but whose fields disagree.
 */
import { crossCheck } from "../../lib/model/cross-checks";
import { toPlainData } from "../../lib/model/plain-data";
import { PlatformSchema, type PlatformInput } from "../../lib/model/schema";
import { RENDERED_CHECKS } from "../../lib/validation/rendered-checks";
import { exampleInput } from "../support/example";
import { variants } from "../support/variants";

/** Models whose every section parses, with fields that disagree across sections. */
const DISAGREEING: ReadonlyArray<readonly [string, (input: PlatformInput) => void]> = [
  ["duplicate host names", (i) => i.hosts.push({ name: i.hosts[0]!.name })],
  ["duplicate group names", (i) => (i.groups[1]!.name = i.groups[0]!.name)],
  ["an address on a host that does not exist", (i) => (i.groups[0]!.addresses[0]!.host = "nowhere")],
  ["the same domain in two groups", (i) => i.groups[1]!.domains.push({ ...i.groups[0]!.domains[0]! })],
];

function bothWays(input: unknown) {
  const plain = toPlainData(input);
  if (!plain.ok) throw new Error("the input is plain data");
  const parsed = PlatformSchema.safeParse(plain.value);
  expect(parsed.success).toBe(true);
  return { reused: crossCheck(plain.value, RENDERED_CHECKS, parsed.data), alone: crossCheck(plain.value, RENDERED_CHECKS) };
}

test.each(DISAGREEING)("%s: the same problems either way", (_name, change) => {
  const input = exampleInput();
  change(input);
  const { reused, alone } = bothWays(input);
  expect(alone.length).toBeGreaterThan(0);
  expect(reused).toEqual(alone);
});

test.each(variants().map((v) => [v.name, v.input] as const))("variant %s: the same problems either way", (_name, input) => {
  const { reused, alone } = bothWays(structuredClone(input));
  expect(reused).toEqual(alone);
});
