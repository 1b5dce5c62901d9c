/**
 * The real `terraform validate`, with hashicorp/aws from the local mirror, accepts every
 * synthesized stack (the example, every variant, the quickstart) once the listed provider version
 * differences are applied: every resource type, attribute and block exists, values have the
 * provider's types, required arguments are set and every reference resolves. Negative controls
 * show the check, the adaptation's refusal and the need for each list entry are real.
 */
import { Testing } from "cdktf";
import { quickstartStack } from "../../examples/quickstart/main";
import {
  adaptToMirror,
  applyDifferences,
  DERIVED_FOR,
  PROVIDER_VERSION_DIFFERENCES,
  type MirrorProvider,
  type TerraformDocument,
} from "../support/provider-version-differences";
import { synthExample } from "../support/synth";
import { describeDiagnostic, terraformWorkdir, type TerraformWorkdir, type ValidateResult } from "../support/terraform";
import { variants } from "../support/variants";

/**
 * Stack name → the warnings `terraform validate` is expected to give for it (as
 * `describeDiagnostic` writes them). None today; a new warning fails the test until listed here.
 */
const EXPECTED_WARNINGS: Readonly<Record<string, readonly string[]>> = {};

/** Every synthesized stack, by name; synthesized on first use. */
const STACKS: ReadonlyArray<readonly [string, () => string]> = [
  ["example", () => synthExample().text],
  ...variants().map((v) => [`variant ${v.name}`, () => synthExample((input) => Object.assign(input, structuredClone(v.input))).text] as const),
  ["examples/quickstart", () => Testing.synth(quickstartStack(Testing.app()))],
];

const texts = new Map<string, string>();
function synthesized(name: string): TerraformDocument {
  if (!texts.has(name)) texts.set(name, STACKS.find(([n]) => n === name)![1]());
  return JSON.parse(texts.get(name)!) as TerraformDocument;
}

const errors = (result: ValidateResult) => result.diagnostics.filter((d) => d.severity === "error").map(describeDiagnostic);
const warnings = (result: ValidateResult) => result.diagnostics.filter((d) => d.severity === "warning").map(describeDiagnostic);

/** The first resource of a type in a document, to change in a control. */
function firstResource(document: TerraformDocument, type: string): Record<string, unknown> {
  const byName = (document.resource as Record<string, Record<string, Record<string, unknown>>>)[type];
  const first = Object.values(byName ?? {})[0];
  if (!first) throw new Error(`no ${type} in the document`);
  return first;
}

let tf: TerraformWorkdir;
let mirror: MirrorProvider;
const started = Date.now();
const applied = new Map<string, readonly string[]>();

beforeAll(() => {
  tf = terraformWorkdir();
  const schemaStart = Date.now();
  mirror = { version: tf.mirror.version, schema: tf.providerSchema() };
  console.log(
    `terraform ${tf.terraformVersion}, hashicorp/aws ${tf.mirror.version} from ${tf.mirror.path}\n` +
      `init ${tf.initSeconds.toFixed(2)} s, provider schema ${((Date.now() - schemaStart) / 1000).toFixed(2)} s, working directory ${tf.dir}`,
  );
}, 180_000);

afterAll(() => {
  if (!tf) return;
  const uses = PROVIDER_VERSION_DIFFERENCES.map(
    (d) => `${d.name}: ${[...applied.values()].filter((names) => names.includes(d.name)).length}/${applied.size} stacks`,
  );
  console.log(
    `terraform validate: ${tf.validateRuns.count} runs (distinct documents) in ${tf.validateRuns.seconds.toFixed(1)} s, ` +
      `${(tf.validateRuns.seconds / Math.max(1, tf.validateRuns.count)).toFixed(2)} s each; whole file ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
      `entries applied: ${uses.join("; ")}`,
  );
});

test("the list of differences was derived for the provider versions in use", () => {
  const required = (synthesized("example").terraform as { required_providers: { aws: { version: string } } }).required_providers.aws.version;
  // Another version on either side can add or remove differences, or change what an attribute means.
  expect({ synthesized: required, mirror: tf.mirror.version }).toEqual(DERIVED_FOR);
});

let together: Map<string, ValidateResult> | undefined;
/** Every stack, adapted, validated in one run (one load of the provider schema for all). */
function validatedTogether(name: string): ValidateResult {
  together ??= tf.validateEach(
    STACKS.map(([stack]) => {
      const adapted = adaptToMirror(synthesized(stack), mirror);
      applied.set(stack, adapted.applied);
      return [stack, adapted.document] as const;
    }),
  );
  return together.get(name)!;
}

describe.each(STACKS.map(([name]) => [name] as const))("%s", (name) => {
  test("terraform validate reports it valid, with exactly the expected warnings", () => {
    const result = validatedTogether(name);
    const seen = warnings(result);
    if (seen.length > 0) console.log(`${name}: terraform validate warnings:\n  ${seen.join("\n  ")}`);
    expect(errors(result)).toEqual([]);
    expect(result.valid).toBe(true);
    expect([...new Set(seen)].sort()).toEqual([...(EXPECTED_WARNINGS[name] ?? [])].sort());
  });
});

describe("negative controls", () => {
  test("(a) a misspelt attribute: terraform validate names it, and the adaptation refuses it", () => {
    const adapted = adaptToMirror(synthesized("example"), mirror).document;
    const instance = firstResource(adapted, "aws_instance");
    instance.instance_tpye = instance.instance_type;
    delete instance.instance_type;
    const result = tf.validate(adapted);
    expect(result.valid).toBe(false);
    expect(errors(result)).toEqual([expect.stringMatching(/No argument or block type is named "instance_tpye".*\[resource\.aws_instance\./)]);

    const misspelt = synthesized("example");
    const original = firstResource(misspelt, "aws_instance");
    original.instance_tpye = original.instance_type;
    delete original.instance_type;
    expect(() => adaptToMirror(misspelt, mirror)).toThrow(/resource\.aws_instance\.[\w-]+\.instance_tpye/);
  });

  test("(a) among valid stacks validated together, a broken one gets its own errors, the same as alone", () => {
    const broken = adaptToMirror(synthesized("example"), mirror).document;
    const instance = firstResource(broken, "aws_instance");
    instance.instance_tpye = instance.instance_type;
    delete instance.instance_type;
    const [first, second] = STACKS.slice(1, 3).map(([name]) => adaptToMirror(synthesized(name), mirror).document);
    const batch = tf.validateEach([
      ["first", first!],
      ["broken", broken],
      ["second", second!],
    ]);
    expect(batch.get("broken")!.valid).toBe(false);
    expect(errors(batch.get("broken")!)).toEqual(errors(tf.validate(broken)));
    for (const name of ["first", "second"]) expect([batch.get(name)!.valid, errors(batch.get(name)!)]).toEqual([true, []]);
  });

  test("(b) the adaptation refuses a 6.x-only attribute that is not on its list", () => {
    // The per-resource `region` argument arrived with hashicorp/aws 6.0.0 ("enhanced region support").
    const unknown = synthesized("example");
    firstResource(unknown, "aws_security_group").region = "eu-central-1";
    expect(() => adaptToMirror(unknown, mirror)).toThrow(/does not know resource\.aws_security_group\.[\w-]+\.region, .*no entry/);
    // aws_s3_bucket had `region` in 5.x already, but only as a computed attribute: not settable.
    const computed = synthesized("example");
    firstResource(computed, "aws_s3_bucket").region = "eu-central-1";
    expect(() => adaptToMirror(computed, mirror)).toThrow(/does not know resource\.aws_s3_bucket\.[\w-]+\.region \(computed only\)/);
  });

  test("(b) the adaptation refuses to change what is not on its list", () => {
    const both = synthesized("example");
    firstResource(both, "aws_instance").network_interface = [{ network_interface_id: "eni-0123456789abcdef0", device_index: 1 }];
    expect(() => adaptToMirror(both, mirror)).toThrow(/sets both primary_network_interface and network_interface/);

    const ignored = synthesized("example");
    (firstResource(ignored, "aws_instance").lifecycle as { ignore_changes: string[] }).ignore_changes.push("primary_network_interface");
    expect(() => adaptToMirror(ignored, mirror)).toThrow(/primary_network_interface is still named/);

    const unknownShape = synthesized("example");
    (firstResource(unknownShape, "aws_instance").primary_network_interface as Record<string, unknown>).delete_on_termination = true;
    expect(() => adaptToMirror(unknownShape, mirror)).toThrow(/knows only \{ network_interface_id \}/);
  });

  test("the working directory refuses a document that still asks for the bindings' provider version", () => {
    // terraform validate itself would check it against the installed 5.100.0 without a word.
    expect(() => tf.validate(synthesized("example"))).toThrow(/requires registry\.terraform\.io\/hashicorp\/aws 6\.25\.0, the mirror holds 5\.100\.0/);
  });

  test.each(PROVIDER_VERSION_DIFFERENCES.map((d) => [d.name, d] as const))("(c) %s is needed: without it terraform validate fails", (_name, difference) => {
    const without = PROVIDER_VERSION_DIFFERENCES.filter((d) => d !== difference);
    // The first stack the entry applies to; an entry that applies to none is superfluous.
    const stack = STACKS.map(([name]) => name).find((name) => applyDifferences(synthesized(name), mirror.version).applied.includes(difference.name));
    expect(stack).toBeDefined();
    const result = tf.validate(applyDifferences(synthesized(stack!), mirror.version, without).document);
    expect(result.valid).toBe(false);
    expect(errors(result)).toContainEqual(expect.stringContaining(`"${difference.attribute}"`));
    expect(errors(result)).toContainEqual(expect.stringContaining(`[resource.${difference.resourceType}.`));
  });
});
