/**
 * Documented limits of the services and systems the platform deploys to, in one table: each with
 * its value and the document that states it, so that validation can refuse a model that cannot
 * deploy and say which rule it breaks (`(AWS: "Tag restrictions")`). The checks that read them
 * live in semantic-checks.ts, those that need the rendered user data and key files in
 * lib/validation/rendered-checks.ts.
 *
 * Quotas that an account can raise (Elastic IPs per Region, rules per security group, records per
 * hosted zone) are deliberately not here: a model that exceeds a default quota deploys once the
 * quota is raised, so validation does not refuse it.
 */

/** A limit, its value and where it is stated. */
export interface DocumentedLimit {
  /** The limit. */
  readonly value: number;
  /** What it limits, in a few words. */
  readonly what: string;
  /** Who states it: `AWS`, `Linux`, an RFC. */
  readonly authority: string;
  /** Title of the page or section that states it. */
  readonly title: string;
  /** Where to read it. */
  readonly url: string;
}

/** Every documented limit validation relies on. */
export const LIMITS = {
  userDataBytes: {
    value: 16 * 1024,
    what: "bytes of EC2 user data",
    authority: "AWS",
    title: "Work with instance user data",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html",
  },
  ipv4AddressesPerInterface: {
    // The largest value of any instance type; the value of each type is in ipv4AddressesPerInterface().
    value: 64,
    what: "private IPv4 addresses per network interface",
    authority: "AWS",
    title: "Maximum IP addresses per network interface",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AvailableIpPerENI.html",
  },
  tagsPerResource: {
    value: 50,
    what: "tags per resource",
    authority: "AWS",
    title: "Tag restrictions",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions",
  },
  tagKeyCharacters: {
    value: 128,
    what: "characters of a tag key",
    authority: "AWS",
    title: "Tag restrictions",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions",
  },
  tagValueCharacters: {
    value: 256,
    what: "characters of a tag value",
    authority: "AWS",
    title: "Tag restrictions",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions",
  },
  bucketNameCharacters: {
    value: 63,
    what: "characters of an S3 bucket name (at least 3)",
    authority: "AWS",
    title: "General purpose bucket naming rules",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
  },
  parameterNameCharacters: {
    value: 1011,
    what: "characters of an SSM parameter name, counting the ARN before it",
    authority: "AWS",
    title: "About requirements and constraints for parameter names",
    url: "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html#sysman-parameter-name-constraints",
  },
  parameterHierarchyLevels: {
    value: 15,
    what: "levels of an SSM parameter hierarchy",
    authority: "AWS",
    title: "About requirements and constraints for parameter names",
    url: "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html#sysman-parameter-name-constraints",
  },
  recordValueCharacters: {
    value: 4000,
    what: "characters of a Route53 record value (a TXT value with its quotes)",
    authority: "AWS",
    title: "ResourceRecord (Route 53 API Reference)",
    url: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecord.html",
  },
  rolePolicyCharacters: {
    value: 10_240,
    what: "characters of all inline policies of an IAM role (white space not counted)",
    authority: "AWS",
    title: "IAM and AWS STS quotas",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
  },
  fileNameBytes: {
    value: 255,
    what: "bytes of a file name (NAME_MAX of ext4 and every Linux file system the hosts use)",
    authority: "Linux",
    title: "NAME_MAX, limits.h",
    url: "https://man7.org/linux/man-pages/man3/pathconf.3.html",
  },
  dkimRsaBits: {
    value: 4096,
    what: "bits of an RSA DKIM key every verifier must handle",
    authority: "RFC 8301",
    title: "3.2. Key Sizes",
    url: "https://www.rfc-editor.org/rfc/rfc8301#section-3.2",
  },
} as const satisfies Record<string, DocumentedLimit>;

/** A limit's source as messages name it: `AWS: "Tag restrictions"`. */
export function sourceOf(limit: DocumentedLimit): string {
  return `${limit.authority}: "${limit.title}"`;
}

/**
 * The tags the constructs set themselves, beside `aws.tags`: `Name` on every resource that has a
 * name, the two data-volume tags on each data volume (and, through Data Lifecycle Manager's copy,
 * on its snapshots). A user tag with one of these keys would be silently replaced on some
 * resources and kept on others. test/unit/limits-and-semantics.test.ts compares them with the
 * constructs' constants.
 */
export const PLATFORM_TAG_KEYS = ["Name", "mail-platform-data", "mail-platform-data-of"] as const;

/** The most tags the constructs add to one resource (a data volume carries all three). */
export const PLATFORM_TAGS_PER_RESOURCE = PLATFORM_TAG_KEYS.length;

/** Bucket name prefixes S3 reserves ("General purpose bucket naming rules"). */
export const RESERVED_BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;

/** Bucket name suffixes S3 reserves for access point aliases, Multi-Region Access Points, directory and table buckets. */
export const RESERVED_BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] as const;

/**
 * The longest ARN part before a parameter name: `arn:<partition>:ssm:<region>:<account>:parameter`
 * with the longest partition and Region names together (`aws-iso-f` with `us-isof-south-1`: 24
 * characters), so a name that fits here fits in every Region.
 */
export const PARAMETER_ARN_PREFIX_CHARACTERS = "arn::ssm::123456789012:parameter".length + "aws-iso-f".length + "us-isof-south-1".length;

/** The longest SSM parameter name (with its leading slash) that fits in every partition and Region. */
export const MAX_PARAMETER_NAME_CHARACTERS = LIMITS.parameterNameCharacters.value - PARAMETER_ARN_PREFIX_CHARACTERS;

/** What a host role's ACME DNS-01 statement allows, as written. */
export interface AcmeStatement {
  /** The hosted zones' ids, or `"all"`: every hosted zone of the account. */
  readonly zones: readonly string[] | "all";
  /** Patterns (IAM `StringLike`) of the names of the TXT records it may change. */
  readonly recordNames: readonly string[];
}

/**
 * Characters of a host role's inline policies (lib/constructs/host-role.ts), computed from what
 * varies: what its ACME statement names (the hosted zone ids, or every zone, and the challenge
 * record names; see acme-scope.ts), its DKIM key parameters, the ARN of its bundles (none: no
 * configuration policy) and the SSM path of the mailboxes' password hashes (when it reads
 * them). Each policy is JSON without white space: a fixed part plus each list item quoted,
 * separated by commas. test/unit/limits-and-semantics.test.ts compares this with the policies
 * the constructs write, and test/unit/constructs/acme-scope-synth.test.ts with a synthesized
 * platform's.
 */
export function hostRolePolicyCharacters(
  acme: AcmeStatement,
  parameters: readonly string[],
  bundleObjectsArn: string | undefined,
  passwordPath?: string,
): number {
  const list = (items: readonly string[], prefix: string) =>
    items.reduce((sum, item) => sum + prefix.length + item.length + 2, 0) + Math.max(0, items.length - 1);
  const parameterArns = list(parameters, "arn:aws:ssm:*:*:parameter");
  // Every zone: one quoted ARN (`"arn:aws:route53:::hostedzone/*"`) in place of the list's brackets.
  const zones = acme.zones === "all" ? 30 : list(acme.zones, "arn:aws:route53:::hostedzone/");
  const acmeDns = 457 + zones + list(acme.recordNames, "");
  const configuration = bundleObjectsArn === undefined ? 0 : 209 + bundleObjectsArn.length;
  const reads = (parameters.length > 0 ? 93 + parameterArns : 0) + (passwordPath === undefined ? 0 : 264 + 2 * passwordPath.length);
  const secrets = reads > 0 ? 193 + reads : 0;
  const own = [...parameters, ...(passwordPath === undefined ? [] : [passwordPath, `${passwordPath}/*`])];
  const otherParametersDeny = own.length > 0 ? 201 + list(own, "arn:aws:ssm:*:*:parameter") : 194;
  return acmeDns + configuration + secrets + otherParametersDeny;
}

/**
 * Length assumed for the id of a hosted zone the platform creates: Route53 assigns ids of `Z`
 * and 20 characters (the API allows up to 32; ids of older zones are shorter).
 */
export const CREATED_ZONE_ID_CHARACTERS = 21;

/**
 * Private IPv4 addresses per network interface, by instance family: each row names families with
 * the same sizes and values. The values are EC2's `NetworkInfo.Ipv4AddressesPerInterface`
 * (DescribeInstanceTypes), the data of the EC2 page "Maximum IP addresses per network interface",
 * as of August 2026; newer types are not known here (see {@link ipv4AddressesPerInterface}).
 */
const IPV4_PER_INTERFACE_ROWS: ReadonlyArray<readonly [families: string, sizes: string]> = [
  ["a1", "medium=4 large=10 xlarge=15 2xlarge=15 4xlarge=30 metal=30"],
  ["bmn-sf1 u-18tb1 u-24tb1", "metal=50"],
  ["c1", "medium=6 xlarge=15"],
  ["c3 c4 r3", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30"],
  ["c5 c5d", "large=10 xlarge=15 2xlarge=15 4xlarge=30 9xlarge=30 12xlarge=30 18xlarge=50 24xlarge=50 metal=50"],
  ["c5a c5ad m5 m5d m5dn m5n r5 r5b r5d r5dn r5n", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=50 metal=50"],
  ["c5n", "large=10 xlarge=15 2xlarge=15 4xlarge=30 9xlarge=30 18xlarge=50 metal=50"],
  ["c6a m6a r6a", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=50 32xlarge=50 48xlarge=50 metal=50"],
  [
    "c6g c6gd c7g c7gd c7gn m6g m6gd m7g m7gd r6g r6gd r7g r7gd x2gd",
    "medium=4 large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 metal=50",
  ],
  ["c6gn", "medium=4 large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50"],
  [
    "c6i c6id c6in m6i m6id m6idn m6in r6i r6id r6idn r6in",
    "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=50 32xlarge=50 metal=50",
  ],
  ["c7a m7a r7a", "medium=4 large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=50 32xlarge=50 48xlarge=50 metal-48xl=50"],
  ["c7i", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=50 32xlarge=50 48xlarge=50 metal-24xl=50 metal-48xl=50"],
  ["c7i-flex m7i-flex", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50"],
  ["c8a m8a r8a", "medium=4 large=20 xlarge=20 2xlarge=40 4xlarge=40 8xlarge=40 12xlarge=64 16xlarge=64 24xlarge=64 48xlarge=64 metal-24xl=64 metal-48xl=64"],
  [
    "c8g c8gb c8gd c8gn m8g m8gb m8gd m8gn r8g r8gb r8gd r8gn x8g",
    "medium=4 large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=50 48xlarge=50 metal-24xl=50 metal-48xl=50",
  ],
  [
    "c8i c8ib c8id c8in m8i m8ib m8id m8idb m8idn m8in r8i r8ib r8id r8idb r8idn r8in",
    "large=20 xlarge=30 2xlarge=30 4xlarge=50 8xlarge=50 12xlarge=50 16xlarge=64 24xlarge=64 32xlarge=64 48xlarge=64 96xlarge=64 metal-48xl=64 metal-96xl=64",
  ],
  ["c8i-flex m8i-flex r8i-flex", "large=20 xlarge=30 2xlarge=30 4xlarge=50 8xlarge=50 12xlarge=50 16xlarge=64"],
  ["c8ine m8ine", "large=20 xlarge=30 2xlarge=30 4xlarge=50 8xlarge=50 12xlarge=50"],
  ["c9g c9gd m9g m9gd", "medium=20 large=20 xlarge=30 2xlarge=30 4xlarge=50 8xlarge=50 12xlarge=50 16xlarge=64 24xlarge=64 48xlarge=64 metal-48xl=64"],
  ["cr1 hs1", "8xlarge=30"],
  ["d2 i2", "xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30"],
  ["d3", "xlarge=3 2xlarge=5 4xlarge=10 8xlarge=20"],
  ["d3en", "xlarge=3 2xlarge=5 4xlarge=10 6xlarge=15 8xlarge=20 12xlarge=30"],
  ["dl1 dl2q p3dn p4d p4de", "24xlarge=50"],
  ["f1", "2xlarge=15 4xlarge=30 16xlarge=50"],
  ["f2", "6xlarge=30 12xlarge=30 48xlarge=50"],
  ["g4ad", "xlarge=4 2xlarge=4 4xlarge=10 8xlarge=15 16xlarge=30"],
  ["g4dn", "xlarge=10 2xlarge=10 4xlarge=10 8xlarge=15 12xlarge=30 16xlarge=15 metal=50"],
  ["g5", "xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=50 16xlarge=30 24xlarge=50 48xlarge=50"],
  ["g5g", "xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 16xlarge=50 metal=50"],
  ["g6 g6e", "xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=50 48xlarge=50"],
  ["g6f", "large=10 xlarge=15 2xlarge=15 4xlarge=30"],
  ["g7 g7e", "2xlarge=64 4xlarge=64 8xlarge=64 12xlarge=64 24xlarge=64 48xlarge=64"],
  ["gr6", "4xlarge=30 8xlarge=30"],
  ["gr6f", "4xlarge=30"],
  ["h1", "2xlarge=15 4xlarge=30 8xlarge=30 16xlarge=50"],
  ["hpc6a p5e p5en p6-b200 p6-b300", "48xlarge=50"],
  ["hpc6id trn1n", "32xlarge=50"],
  ["hpc7a", "12xlarge=50 24xlarge=50 48xlarge=50 96xlarge=50"],
  ["hpc7g", "4xlarge=50 8xlarge=50 16xlarge=50"],
  ["hpc8a", "96xlarge=50"],
  ["i3 i4g im4gn r4", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 16xlarge=50"],
  ["i3en", "large=10 xlarge=15 2xlarge=15 3xlarge=15 6xlarge=30 12xlarge=30 24xlarge=50 metal=50"],
  ["i4i", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=30 32xlarge=50 metal=50"],
  ["i7i i8g m7i r7i", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=50 48xlarge=50 metal-24xl=50 metal-48xl=50"],
  ["i7ie", "large=10 xlarge=15 2xlarge=15 3xlarge=15 6xlarge=30 12xlarge=50 18xlarge=50 24xlarge=50 48xlarge=50 metal-24xl=50 metal-48xl=50"],
  ["i8ge", "large=10 xlarge=15 2xlarge=15 3xlarge=30 6xlarge=30 12xlarge=30 18xlarge=50 24xlarge=50 48xlarge=50 metal-24xl=50 metal-48xl=50"],
  ["inf1", "xlarge=10 2xlarge=10 6xlarge=30 24xlarge=30"],
  ["inf2", "xlarge=15 8xlarge=30 24xlarge=50 48xlarge=50"],
  ["is4gen", "medium=4 large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30"],
  ["m1", "small=4 medium=6 large=10 xlarge=15"],
  ["m2", "xlarge=15 2xlarge=30 4xlarge=30"],
  ["m3", "medium=6 large=10 xlarge=15 2xlarge=30"],
  ["m4", "large=10 xlarge=15 2xlarge=15 4xlarge=30 10xlarge=30 16xlarge=30"],
  ["m5a m5ad r5a r5ad", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 24xlarge=50"],
  ["m5zn z1d", "large=10 xlarge=15 2xlarge=15 3xlarge=30 6xlarge=30 12xlarge=50 metal=50"],
  ["m8azn", "medium=4 large=20 xlarge=20 3xlarge=40 6xlarge=40 12xlarge=64 24xlarge=64 metal-12xl=64 metal-24xl=64"],
  ["mac-m3ultra mac-m4 mac-m4max mac-m4pro mac1 mac2 mac2-m1ultra mac2-m2 mac2-m2pro u-12tb1 u-9tb1", "metal=30"],
  ["p3", "2xlarge=15 8xlarge=30 16xlarge=30"],
  ["p5", "4xlarge=30 48xlarge=50"],
  ["r7iz", "large=10 xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 12xlarge=30 16xlarge=50 32xlarge=50 metal-16xl=50 metal-32xl=50"],
  ["t1", "micro=2"],
  ["t2 t3 t3a t4g", "nano=2 micro=2 small=4 medium=6 large=12 xlarge=15 2xlarge=15"],
  ["trn1", "2xlarge=15 32xlarge=50"],
  ["trn2", "3xlarge=15 48xlarge=50"],
  ["u-3tb1", "56xlarge=30"],
  ["u-6tb1", "56xlarge=50 112xlarge=50 metal=30"],
  ["u7i-12tb u7in-16tb u7in-24tb u7in-32tb", "224xlarge=50"],
  ["u7i-6tb u7i-8tb", "112xlarge=50"],
  ["vt1", "3xlarge=15 6xlarge=30 24xlarge=50"],
  ["x1", "16xlarge=30 32xlarge=30"],
  ["x1e", "xlarge=10 2xlarge=15 4xlarge=15 8xlarge=15 16xlarge=30 32xlarge=30"],
  ["x2idn", "16xlarge=50 24xlarge=50 32xlarge=50 metal=50"],
  ["x2iedn", "xlarge=15 2xlarge=15 4xlarge=30 8xlarge=30 16xlarge=50 24xlarge=50 32xlarge=50 metal=50"],
  ["x2iezn", "2xlarge=15 4xlarge=30 6xlarge=30 8xlarge=30 12xlarge=50 metal=50"],
  ["x8aedz", "large=20 xlarge=20 3xlarge=40 6xlarge=40 12xlarge=64 24xlarge=64 metal-12xl=64 metal-24xl=64"],
  [
    "x8i",
    "large=20 xlarge=30 2xlarge=30 4xlarge=50 8xlarge=50 12xlarge=50 16xlarge=64 24xlarge=64 32xlarge=64 48xlarge=64 64xlarge=64 96xlarge=64 metal-48xl=64 metal-96xl=64",
  ],
];

let ipv4Table: Map<string, number> | undefined;

function table(): Map<string, number> {
  if (!ipv4Table) {
    ipv4Table = new Map();
    for (const [families, sizes] of IPV4_PER_INTERFACE_ROWS) {
      for (const entry of sizes.split(" ")) {
        const [size, value] = entry.split("=");
        for (const family of families.split(" ")) ipv4Table.set(`${family}.${size}`, Number(value));
      }
    }
  }
  return ipv4Table;
}

/**
 * Private IPv4 addresses one network interface of an instance type carries (its primary address
 * included), or undefined for a type this table does not know: a type newer than the table, or a
 * misspelt one. Validation does not refuse an unknown type, since AWS adds types every few
 * months and refusing one that works would block a deployment; EC2 then judges it at deploy.
 */
export function ipv4AddressesPerInterface(instanceType: string): number | undefined {
  return table().get(instanceType);
}

/** The known types of an instance family with their addresses per interface, smallest size first. */
export function typesOfFamily(family: string): Array<readonly [type: string, addresses: number]> {
  const row = IPV4_PER_INTERFACE_ROWS.find(([families]) => families.split(" ").includes(family));
  if (!row) return [];
  return row[1].split(" ").map((entry) => {
    const [size, value] = entry.split("=");
    return [`${family}.${size}`, Number(value)] as const;
  });
}
