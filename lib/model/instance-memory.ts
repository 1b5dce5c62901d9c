/**
 * Memory of the EC2 instance types a mail host is likely to run on, as AWS states it ("Amazon EC2
 * instance types", https://aws.amazon.com/ec2/instance-types/): the burstable families by size, and
 * the general purpose, compute and memory optimized families of the 5th generation on by memory
 * per vCPU (4, 2 and 8 GiB). Only what validation needs: whether a type has room for ClamAV.
 */

/** Memory in GiB of the burstable types, by size. */
const BURSTABLE_GIB: Readonly<Record<string, number>> = { nano: 0.5, micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };
/** The burstable families (t2 and later; t4g is Graviton). */
const BURSTABLE_FAMILIES = new Set(["t2", "t3", "t3a", "t4g"]);
/** GiB per vCPU of the m, c and r families of the 5th generation on (m5, c6g, r7i, m8g, ...). */
const GIB_PER_VCPU: ReadonlyArray<readonly [RegExp, number]> = [
  [/^m[5-8][a-z]*$/, 4],
  [/^c[5-8][a-z]*$/, 2],
  [/^r[5-8][a-z]*$/, 8],
];

/** vCPUs of a size of those families: medium 1, large 2, xlarge 4, Nxlarge 4N. */
function vcpus(size: string): number | undefined {
  if (size === "medium") return 1;
  if (size === "large") return 2;
  const match = /^(\d*)xlarge$/.exec(size);
  return match ? 4 * Number(match[1] === "" ? 1 : match[1]) : undefined;
}

/**
 * The memory of an instance type in GiB, or undefined for a type this table does not know (a
 * newer family, a metal size, a misspelt name): validation does not refuse what it cannot judge.
 */
export function instanceMemoryGiB(instanceType: string): number | undefined {
  const [family = "", size = ""] = instanceType.split(".");
  if (BURSTABLE_FAMILIES.has(family)) return BURSTABLE_GIB[size];
  const perVcpu = GIB_PER_VCPU.find(([pattern]) => pattern.test(family))?.[1];
  const n = vcpus(size);
  return perVcpu === undefined || n === undefined ? undefined : perVcpu * n;
}
