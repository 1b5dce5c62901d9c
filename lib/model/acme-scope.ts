/**
 * How far a host role's ACME DNS-01 statement reaches: which hosted zones it names and which
 * record names it allows. The construct (lib/constructs/host-role.ts) writes the statement this
 * way and validation (semantic-checks.ts) sizes the role's policies the same way, so both always
 * pick the same shape.
 *
 * IAM caps the inline policies of a role at 10,240 characters (`LIMITS.rolePolicyCharacters`),
 * and a zone ARN costs about 54 of them: a role can name about 150 zones at most. A host that
 * needs certificates in more zones (MTA-STS or client autoconfiguration on a platform of many
 * domains: one `mta-sts.<domain>` per domain, each in its own zone) gets every hosted zone of
 * the account instead, still limited to what DNS-01 needs:
 *
 * 1. The zones' ARNs, names `_acme-challenge.*`, while they fit (created zones counted at the
 *    longest id Route53 may assign, so a policy that fits here fits once the ids are known).
 * 2. Otherwise every hosted zone (`arn:aws:route53:::hostedzone/*`), with the record names
 *    narrowed to `_acme-challenge.<first label>.*` of each certificate name
 *    (`_acme-challenge.mta-sts.*`, `_acme-challenge.mail.*`): the host may answer challenges
 *    only for names that begin like its own, in whichever zone they lie.
 * 3. Otherwise (those patterns do not fit either: very many distinct first labels) every hosted
 *    zone with names `_acme-challenge.*`.
 *
 * In every shape the statement allows only `ChangeResourceRecordSets` of TXT records (records
 * of other types, or named otherwise, are refused by its conditions); finding zones and
 * watching changes (`ListHostedZones`, `GetChange`) cannot be limited to a zone. The
 * conditions cannot carry the zones' names instead of their ARNs in shape 2: a name pattern
 * costs about as much as a zone ARN, so when the ARNs do not fit, neither do the names.
 */
import { hostRolePolicyCharacters, LIMITS, type AcmeStatement } from "./aws-limits";

/** The record-name pattern that allows every ACME challenge (`_acme-challenge.<any name>`). */
export const ANY_ACME_CHALLENGE = "_acme-challenge.*";

/** The resource of every hosted zone of the account. */
export const ALL_HOSTED_ZONES_ARN = "arn:aws:route53:::hostedzone/*";

/**
 * The longest hosted zone id Route53's API allows (`HostedZone.Id`, "Maximum length of 32"):
 * the length a created zone's id is counted at when deciding whether the zones fit.
 */
export const MAX_ZONE_ID_CHARACTERS = 32;

/** The shape {@link acmeScope} chose: the zones listed or every zone, and the record names. */
export interface AcmeScope {
  /** Every hosted zone of the account rather than the listed ones. */
  readonly allZones: boolean;
  /** Patterns (IAM `StringLike`) of the names of the TXT records the host may change. */
  readonly recordNames: readonly string[];
}

/** What {@link acmeScope} decides from: everything a host role's inline policies hold. */
export interface HostRoleInputs {
  /** Ids of the zones of the host's certificate names; `undefined` for a zone created at deploy, whose id is not known yet. */
  readonly zoneIds: ReadonlyArray<string | undefined>;
  /** The names the host gets certificates for (certificate-names.ts). */
  readonly certificateNames: readonly string[];
  /** The SSM parameters it reads (DKIM private keys). */
  readonly parameters: readonly string[];
  /** ARN pattern of its configuration bundles; `undefined` when the role has none. */
  readonly bundleObjectsArn: string | undefined;
  /** SSM path of the mailboxes' password hashes, when it reads them. */
  readonly passwordPath?: string;
}

/**
 * `_acme-challenge.<first label>.*` of each name, each once, in order of first use: `mail.a.example`
 * and `mail.b.example` share `_acme-challenge.mail.*`. Labels are lowercased, as Route53
 * normalizes the record names the condition sees.
 */
export function challengeNamePatterns(certificateNames: readonly string[]): string[] {
  const patterns = new Set<string>();
  for (const name of certificateNames) patterns.add(`_acme-challenge.${name.split(".")[0]!.toLowerCase()}.*`);
  return [...patterns];
}

/**
 * The shape of the host role's ACME statement: the first of the three shapes described above
 * whose policies fit IAM's limit. When none fits (the DKIM key parameters alone overflow the
 * role), the last; validation then refuses the model.
 */
export function acmeScope(inputs: HostRoleInputs): AcmeScope {
  const size = (acme: AcmeStatement) => hostRolePolicyCharacters(acme, inputs.parameters, inputs.bundleObjectsArn, inputs.passwordPath);
  const fits = (acme: AcmeStatement) => size(acme) <= LIMITS.rolePolicyCharacters.value;
  const longestIds = inputs.zoneIds.map((id) => id ?? "Z".padEnd(MAX_ZONE_ID_CHARACTERS, "0"));
  if (fits({ zones: longestIds, recordNames: [ANY_ACME_CHALLENGE] })) return { allZones: false, recordNames: [ANY_ACME_CHALLENGE] };
  const narrowed = challengeNamePatterns(inputs.certificateNames);
  if (narrowed.length > 0 && fits({ zones: "all", recordNames: narrowed })) return { allZones: true, recordNames: narrowed };
  return { allZones: true, recordNames: [ANY_ACME_CHALLENGE] };
}
