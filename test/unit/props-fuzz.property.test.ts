/**
 * The props door under arbitrary JavaScript values: the example model with one place replaced
 * by anything a caller could hand over (JSON-like data, class instances, getters that throw or
 * change their answer, proxies with throwing or lying traps, revoked proxies, `__proto__` keys,
 * cycles, huge or sparse lists). Validation must answer, never crash: either a valid spec (which
 * then plans and renders) or a list of issues with paths; `MailPlatform` either builds or throws
 * a PlatformValidationError.
 */
import fc from "fast-check";
import { Testing, TerraformStack } from "cdktf";
import { MailPlatform } from "../../lib/constructs/mail-platform";
import { PlatformValidationError } from "../../lib/model/issues";
import type { PlatformInput } from "../../lib/model/schema";
import { validatePlatform } from "../../lib/validation/validate";
import { plan } from "../../lib/plan/plan";
import { renderCloudConfig } from "../../lib/rollout/bootstrap/user-data";
import { exportZones } from "../../lib/render/dns/zone-export";
import { renderPlatform } from "../../lib/render/host-files";
import { exampleInput } from "../support/example";
import { propertyRuns } from "../support/property-runs";

const VALIDATION_RUNS = propertyRuns(2_000);
const CONSTRUCT_RUNS = propertyRuns(150);
const WHOLE_MODEL_RUNS = propertyRuns(500);

type Path = ReadonlyArray<string | number>;

/** Every path into the example input, so replacements reach every section and depth. */
function pathsOf(value: unknown, path: Path = []): Path[] {
  const here = [path];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, i) => pathsOf(item, [...path, i]))];
  if (typeof value === "object" && value !== null) return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]))];
  return here;
}
const PATHS = pathsOf(exampleInput()).filter((p) => p.length > 0);

/** Values wrapped in the ways a caller's objects can misbehave. */
function hostile(inner: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    inner,
    inner.map((value) => ({
      get value() {
        return value;
      },
    })),
    inner.map((value) => Object.defineProperty({}, "name", { enumerable: true, get: () => value })),
    fc.string().map((message) =>
      Object.defineProperty({}, "name", {
        enumerable: true,
        get: () => {
          throw new Error(message);
        },
      }),
    ),
    fc.constant(
      Object.defineProperty({}, "name", {
        enumerable: true,
        get: () => {
          throw "a thrown string";
        },
      }),
    ),
    inner.map((value) => new Proxy({ a: 1 }, { get: () => value })),
    fc.constant(
      new Proxy(
        {},
        {
          ownKeys: () => {
            throw new TypeError("ownKeys trap");
          },
        },
      ),
    ),
    fc.constant(new Proxy([], { get: (_t, key) => (key === "length" ? 1e12 : undefined) })),
    fc.constant(new Proxy([1, 2], { get: (_t, key) => (key === "length" ? -1 : 0) })),
    // Inside a plain object: fast-check itself probes every generated value, and a revoked proxy throws on any probe.
    fc.constant(0).map(() => ({
      revoked: (() => {
        const r = Proxy.revocable({}, {});
        r.revoke();
        return r.proxy;
      })(),
    })),
    fc.jsonValue().map((value) => JSON.parse(`{"__proto__": ${JSON.stringify(value)}, "name": "x"}`) as unknown),
    inner.map((value) => {
      const o: Record<string, unknown> = { value };
      o.self = o;
      return o;
    }),
    fc.constant(Object.create({ inherited: "from the prototype" }) as unknown),
    fc.constant(Object.create(null) as unknown),
    fc.constant(new Array(5)),
    fc.constant(Symbol("s")),
    fc.constant(() => "a function"),
    fc.bigInt(),
    fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, Number.MAX_SAFE_INTEGER + 2),
    fc.constantFrom("constructor", "__proto__", "toString", "hasOwnProperty", "a".repeat(10_001), "\ud800", "𝐚𝐜𝐦𝐞.example", "ａ.example"),
  );
}

const leaf = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: "small" }, hostile(leaf), fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(fc.string(), tie("v"), { maxKeys: 3 })),
})).v;

/** The example with the value at `path` replaced (or, one level below, a new field added). */
const mutated = fc.record({ path: fc.constantFrom(...PATHS), extraKey: fc.option(fc.string(), { nil: undefined }), value }).map(({ path, extraKey, value }) => {
  const input = exampleInput() as unknown as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = input;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  // A new field goes into an object; an array's own properties (length) are not fields.
  if (extraKey !== undefined && typeof parent[last] === "object" && parent[last] !== null && !Array.isArray(parent[last])) {
    Object.defineProperty(parent[last], extraKey, { value, enumerable: true, configurable: true, writable: true });
  } else parent[last] = value;
  return { input, where: [...path, ...(extraKey === undefined ? [] : [extraKey])].join(".") };
});

test(`validation answers every one of ${VALIDATION_RUNS} hostile props with a spec or issues, never a crash`, () => {
  fc.assert(
    fc.property(mutated, ({ input }) => {
      const result = validatePlatform(input);
      if (result.ok) {
        // A valid model reaches every renderer without an exception (no "internal error" path).
        const planned = plan(result.spec);
        renderPlatform(planned);
        if (result.spec.dns) exportZones(planned);
        if (result.spec.aws) {
          for (const host of planned.hosts) {
            renderCloudConfig(planned, host, result.spec.aws, {
              bundleUrl: "s3://bucket/bundles/h/0000.json",
              dataVolumeName: `${result.spec.name}-${host.name}`,
              dataVolumeTag: "mail-platform-data",
            });
          }
        }
      } else {
        expect(result.issues.length).toBeGreaterThan(0);
        for (const i of result.issues) {
          expect(typeof i.path).toBe("string");
          expect(i.received.length).toBeLessThanOrEqual(80);
          expect(i.message).not.toMatch(/internal error|call stack|is not a function|Cannot read prop/);
        }
      }
    }),
    { numRuns: VALIDATION_RUNS, seed: 18 },
  );
});

test(`MailPlatform builds or throws PlatformValidationError for ${CONSTRUCT_RUNS} hostile props`, () => {
  fc.assert(
    fc.property(mutated, ({ input }) => {
      try {
        new MailPlatform(new TerraformStack(Testing.app(), "s"), "mail", { platform: input as unknown as PlatformInput });
      } catch (error) {
        if (!(error instanceof PlatformValidationError)) throw error;
      }
    }),
    { numRuns: CONSTRUCT_RUNS, seed: 18 },
  );
});

test("a whole model made of hostile values is answered too", () => {
  fc.assert(
    fc.property(value, (anything) => {
      const result = validatePlatform(anything);
      expect(result.ok).toBe(false);
    }),
    { numRuns: WHOLE_MODEL_RUNS, seed: 18 },
  );
});
