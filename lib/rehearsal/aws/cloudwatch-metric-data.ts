/**
 * The input of CloudWatch's PutMetricData as the query protocol carries it (API 2010-08-01; what
 * botocore sends, form-encoded): `Namespace`, and `MetricData.member.N.*` with `MetricName`,
 * `Dimensions.member.M.Name`/`.Value`, one of `Value`, `Values.member.M` (with `Counts.member.M`)
 * and `StatisticValues.*`, `Unit`, `Timestamp` and `StorageResolution`. The whole request is
 * checked as CloudWatch checks it — limits from the API reference (1000 data, 30 dimensions, 150
 * values, values within ±2^360 and never NaN or infinite, time stamps from two weeks ago to two
 * hours ahead), model constraints (lengths, the unit enum) as AWS's framework reports them
 * (`ValidationError`, "1 validation error detected: …") — and refused whole on the first
 * problem, so no datum of a bad request is kept. The codes are the API's; the messages follow
 * CloudWatch's pattern ("The value … for parameter … is invalid.") where its exact words are not
 * documented. A parameter this reader does not know is refused too: dropping it would store
 * something other than what the client published.
 */

/** CloudWatch's standard units (StandardUnit). */
export const STANDARD_UNITS = [
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
] as const;

/** A standard unit. */
export type StandardUnit = (typeof STANDARD_UNITS)[number];

/** A dimension of a metric. */
export interface MetricDimension {
  readonly name: string;
  readonly value: string;
}

/** Pre-aggregated values of one datum. */
export interface StatisticSet {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
}

/** One datum as published: exactly one of `value`, `values` and `statisticValues`. */
export interface MetricDatum {
  readonly metricName: string;
  /** In the order sent. */
  readonly dimensions: readonly MetricDimension[];
  /** The time stamp the client gave, if any. */
  readonly timestamp?: Date;
  /** `None` when the client gave none, as CloudWatch stores it. */
  readonly unit: StandardUnit;
  /** Seconds: 1 for a high-resolution metric, 60 (the default) otherwise. */
  readonly storageResolution: 1 | 60;
  readonly value?: number;
  /** `Values` with their `Counts` (1 each when none were sent). */
  readonly values?: readonly { readonly value: number; readonly count: number }[];
  readonly statisticValues?: StatisticSet;
}

/** A PutMetricData request, checked. */
export interface PutMetricDataInput {
  readonly namespace: string;
  readonly metricData: readonly MetricDatum[];
}

/** CloudWatch's error codes for a request it refuses (all status 400). */
export type MetricDataErrorCode = "MissingParameter" | "InvalidParameterValue" | "InvalidParameterCombination" | "ValidationError";

/** Why CloudWatch refuses a request, in its words. */
export class MetricDataError extends Error {
  constructor(
    readonly code: MetricDataErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const MAX_DATA = 1000;
const MAX_DIMENSIONS = 30;
const MAX_VALUES = 150;
const LIMIT = 2 ** 360;
const TWO_WEEKS_MS = 14 * 24 * 3600 * 1000;
const TWO_HOURS_MS = 2 * 3600 * 1000;
/** How botocore writes a double (Python's `str(float)`, or an int); `nan` and `inf` are not numbers here. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** How botocore writes a time stamp for the query protocol (ISO 8601, UTC, fractions optional). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const STATISTICS = { SampleCount: "sampleCount", Sum: "sum", Minimum: "minimum", Maximum: "maximum" } as const;
/** Parameters of a datum that are not lists or structures. */
const SCALARS = new Set(["MetricName", "Value", "Unit", "Timestamp", "StorageResolution"]);

const missing = (parameter: string) => new MetricDataError("MissingParameter", `The parameter ${parameter} is required.`);
const invalid = (value: string, parameter: string) => new MetricDataError("InvalidParameterValue", `The value ${value} for parameter ${parameter} is invalid.`);
const constraint = (value: string, path: string, rule: string) =>
  new MetricDataError("ValidationError", `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: ${rule}`);
const notEmulated = (parameter: string) => new MetricDataError("InvalidParameterValue", `The parameter ${parameter} is not emulated by the rehearsal.`);

/**
 * The members of a query-protocol list `<prefix>.member.N[.rest]`, numbered 1, 2, … as botocore
 * numbers them (a gap is a missing member: reading past it would shift every later one);
 * `<prefix>` alone with an empty value is the empty list.
 * @returns index → rest of the key (`""` for a scalar member) → value
 */
function listMembers(params: ReadonlyMap<string, string>, prefix: string): Map<number, Map<string, string>> {
  const members = new Map<number, Map<string, string>>();
  for (const [key, value] of params) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const m = /^member\.([1-9]\d*)(?:\.(.+))?$/.exec(key.slice(prefix.length + 1));
    if (!m) throw notEmulated(key);
    const index = Number(m[1]);
    const entry = members.get(index) ?? new Map<string, string>();
    entry.set(m[2] ?? "", value);
    members.set(index, entry);
  }
  const sorted = [...members].sort(([a], [b]) => a - b);
  const gap = sorted.findIndex(([index], i) => index !== i + 1);
  if (gap >= 0) throw missing(`${prefix}.member.${gap + 1}`);
  return new Map(sorted);
}

/** A double as CloudWatch accepts it: finite, and 0 or of a magnitude from 2^-360 to 2^360. */
function datapointValue(text: string, parameter: string): number {
  const number = DECIMAL.test(text) ? Number(text) : Number.NaN;
  const magnitude = Math.abs(number);
  if (!Number.isFinite(number) || (magnitude !== 0 && (magnitude > LIMIT || magnitude < 1 / LIMIT))) throw invalid(text, parameter);
  return number;
}

function checkLength(value: string, path: string, max: number): void {
  if (value.length < 1) throw constraint(value, path, "Member must have length greater than or equal to 1");
  if (value.length > max) throw constraint(value, path, `Member must have length less than or equal to ${max}`);
}

function dimensions(fields: ReadonlyMap<string, string>, parameter: string, path: string): MetricDimension[] {
  const own = new Map([...fields].filter(([k]) => k === "Dimensions" || k.startsWith("Dimensions.")).map(([k, v]) => [`${parameter}.${k}`, v]));
  const members = listMembers(own, `${parameter}.Dimensions`);
  if (members.size > MAX_DIMENSIONS)
    throw new MetricDataError("InvalidParameterValue", `The collection ${parameter}.Dimensions must not have a size greater than ${MAX_DIMENSIONS}.`);
  return [...members].map(([index, member], i) => {
    const at = `${parameter}.Dimensions.member.${index}`;
    const unknown = [...member.keys()].find((k) => k !== "Name" && k !== "Value");
    if (unknown !== undefined) throw notEmulated(unknown === "" ? at : `${at}.${unknown}`);
    const name = member.get("Name");
    const value = member.get("Value");
    if (name === undefined) throw missing(`${at}.Name`);
    if (value === undefined) throw missing(`${at}.Value`);
    checkLength(name, `${path}.dimensions.${i + 1}.member.name`, 255);
    checkLength(value, `${path}.dimensions.${i + 1}.member.value`, 1024);
    // "Only ASCII characters, at least one non-whitespace character; a name cannot start with a colon."
    const ascii = (text: string) => /^[\x20-\x7e]*$/.test(text) && text.trim() !== "";
    if (!ascii(name) || name.startsWith(":")) throw invalid(name, `${at}.Name`);
    if (!ascii(value)) throw invalid(value, `${at}.Value`);
    return { name, value };
  });
}

function numberList(fields: ReadonlyMap<string, string>, list: "Values" | "Counts", parameter: string): number[] {
  const own = new Map([...fields].filter(([k]) => k === list || k.startsWith(`${list}.`)).map(([k, v]) => [`${parameter}.${k}`, v]));
  return [...listMembers(own, `${parameter}.${list}`)].map(([index, member]) => {
    if (member.size !== 1 || !member.has("")) throw notEmulated(`${parameter}.${list}.member.${index}.${[...member.keys()].find((k) => k !== "")}`);
    return datapointValue(member.get("")!, `${parameter}.${list}`);
  });
}

function statisticValues(fields: ReadonlyMap<string, string>, parameter: string): StatisticSet | undefined {
  const given = [...fields].filter(([k]) => k.startsWith("StatisticValues."));
  if (given.length === 0) return undefined;
  const set: Partial<Record<keyof StatisticSet, number>> = {};
  for (const [key, text] of given) {
    const field = STATISTICS[key.slice("StatisticValues.".length) as keyof typeof STATISTICS];
    if (!field) throw notEmulated(`${parameter}.${key}`);
    set[field] = datapointValue(text, `${parameter}.${key}`);
  }
  for (const [name, field] of Object.entries(STATISTICS)) if (set[field] === undefined) throw missing(`${parameter}.StatisticValues.${name}`);
  return set as StatisticSet;
}

function datum(fields: ReadonlyMap<string, string>, index: number, position: number, now: Date): MetricDatum {
  const parameter = `MetricData.member.${index}`;
  const path = `metricData.${position}.member`;
  const unknown = [...fields.keys()].find((k) => !SCALARS.has(k) && !/^(Dimensions|Values|Counts)(\..+)?$/.test(k) && !k.startsWith("StatisticValues."));
  if (unknown !== undefined) throw notEmulated(unknown === "" ? parameter : `${parameter}.${unknown}`);

  const metricName = fields.get("MetricName");
  if (metricName === undefined) throw missing(`${parameter}.MetricName`);
  checkLength(metricName, `${path}.metricName`, 255);

  const unitText = fields.get("Unit");
  if (unitText !== undefined && !(STANDARD_UNITS as readonly string[]).includes(unitText))
    throw constraint(unitText, `${path}.unit`, `Member must satisfy enum value set: [${STANDARD_UNITS.join(", ")}]`);

  const resolutionText = fields.get("StorageResolution");
  if (resolutionText !== undefined && resolutionText !== "1" && resolutionText !== "60") throw invalid(resolutionText, `${parameter}.StorageResolution`);

  let timestamp: Date | undefined;
  const timestampText = fields.get("Timestamp");
  if (timestampText !== undefined) {
    timestamp = ISO_8601.test(timestampText) ? new Date(timestampText) : undefined;
    if (!timestamp || Number.isNaN(timestamp.getTime())) throw invalid(timestampText, `${parameter}.Timestamp`);
    if (timestamp.getTime() < now.getTime() - TWO_WEEKS_MS)
      throw new MetricDataError("InvalidParameterValue", `The parameter ${parameter}.Timestamp must specify a time within the past two weeks.`);
    if (timestamp.getTime() > now.getTime() + TWO_HOURS_MS)
      throw new MetricDataError("InvalidParameterValue", `The parameter ${parameter}.Timestamp must specify a time no more than two hours in the future.`);
  }

  const valueText = fields.get("Value");
  const value = valueText === undefined ? undefined : datapointValue(valueText, `${parameter}.Value`);
  const values = numberList(fields, "Values", parameter);
  const counts = numberList(fields, "Counts", parameter);
  const statistics = statisticValues(fields, parameter);
  const given = [value !== undefined && "Value", values.length > 0 && "Values", statistics && "StatisticValues"].filter((x): x is string => Boolean(x));
  if (given.length > 1)
    throw new MetricDataError(
      "InvalidParameterCombination",
      `The parameters ${given
        .slice(0, 2)
        .map((g) => `${parameter}.${g}`)
        .join(" and ")} are mutually exclusive and you have specified both.`,
    );
  if (given.length === 0)
    throw new MetricDataError(
      "InvalidParameterCombination",
      `At least one of the parameters ${parameter}.Value, ${parameter}.Values or ${parameter}.StatisticValues must be specified.`,
    );
  if (values.length > MAX_VALUES)
    throw new MetricDataError("InvalidParameterValue", `The collection ${parameter}.Values must not have a size greater than ${MAX_VALUES}.`);
  if (counts.length > 0 && counts.length !== values.length)
    throw new MetricDataError("InvalidParameterValue", `The parameters ${parameter}.Values and ${parameter}.Counts must be of the same size.`);

  return {
    metricName,
    dimensions: dimensions(fields, parameter, path),
    ...(timestamp ? { timestamp } : {}),
    unit: (unitText ?? "None") as StandardUnit,
    storageResolution: resolutionText === "1" ? 1 : 60,
    ...(value !== undefined ? { value } : {}),
    ...(values.length > 0 ? { values: values.map((v, i) => ({ value: v, count: counts[i] ?? 1 })) } : {}),
    ...(statistics ? { statisticValues: statistics } : {}),
  };
}

/**
 * Read and check a PutMetricData request's parameters (`Action` and `Version` are the caller's).
 * @param now the time the request arrived, which time stamps are checked against
 * @throws MetricDataError with CloudWatch's code and message
 */
export function parsePutMetricData(params: ReadonlyMap<string, string>, now: Date): PutMetricDataInput {
  const unknown = [...params.keys()].find((k) => !["Action", "Version", "Namespace", "MetricData"].includes(k) && !k.startsWith("MetricData."));
  if (unknown !== undefined) throw notEmulated(unknown);
  const namespace = params.get("Namespace");
  if (namespace === undefined) throw missing("Namespace");
  checkLength(namespace, "namespace", 255);
  if (namespace.startsWith(":")) throw constraint(namespace, "namespace", "Member must satisfy regular expression pattern: [^:].*");
  // AWS/ is the namespace of AWS's own services' metrics; no one else may publish there.
  if (namespace.startsWith("AWS/")) throw invalid(namespace, "Namespace");
  const members = listMembers(params, "MetricData");
  if (members.size === 0) throw missing("MetricData");
  if (members.size > MAX_DATA) throw new MetricDataError("InvalidParameterValue", `The collection MetricData must not have a size greater than ${MAX_DATA}.`);
  return { namespace, metricData: [...members].map(([index, fields], i) => datum(fields, index, i + 1, now)) };
}
