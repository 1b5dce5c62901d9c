/**
 * One judgement of validity for both doors: what `MailPlatform` needs beyond a renderable model.
 * `mail-platform validate` reports these problems together with all others unless told
 * `--render-only`, so a file it calls valid is one `MailPlatform` accepts.
 */
import { issue, type PlatformIssue } from "./issues";

/** How a model is going to be used; a deployable model needs more sections. */
export interface ValidationOptions {
  /**
   * Require what `MailPlatform` needs to deploy the model (the `aws` and `dns` sections), not
   * only what rendering the configuration needs.
   * @default false
   */
  readonly deployable?: boolean;
}

/**
 * Most customer domains one `MailPlatform` synthesizes. It is one Terraform stack, and cdktf holds
 * a stack in memory several times over while it writes it as one JSON text, a JavaScript string
 * (at most 512 MiB). Measured with `npm run bench`: 100,000 domains take 110 to 230 MB of
 * cdk.tf.json and 1.8 to 2.6 GB of memory, by the number of records per domain; a million would
 * exhaust the memory long before. Rendering and the zone export have no such limit.
 */
export const MAX_DEPLOYABLE_DOMAINS = 100_000;

/** Problems that keep an input from being deployed by `MailPlatform` (checked on the raw input, so they come with every other problem). */
export function deploymentIssues(raw: unknown): PlatformIssue[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return []; // the schema reports the shape
  const has = (key: string) => (raw as Record<string, unknown>)[key] !== undefined;
  const domains = domainCount((raw as Record<string, unknown>).groups);
  return [
    ...(has("aws")
      ? []
      : [issue(["aws"], undefined, "a deployable platform needs the aws section (vpcId and a placement per host); only render-only use may omit it")]),
    ...(has("dns")
      ? []
      : [issue(["dns"], undefined, "a deployable platform needs the dns section (the zones of the records); only render-only use may omit it")]),
    ...(domains <= MAX_DEPLOYABLE_DOMAINS
      ? []
      : [
          issue(
            ["groups"],
            `${domains.toLocaleString("en")} domains`,
            `one platform deploys at most ${MAX_DEPLOYABLE_DOMAINS.toLocaleString("en")} domains (it is one Terraform stack, which cdktf builds in memory and writes as one JSON text); split the groups over several platforms, each in its own stack. Rendering (--render-only) has no such limit`,
          ),
        ]),
  ];
}

/** The number of domains of all groups in the raw input (whatever is not a list counts nothing; the schema reports it). */
function domainCount(groups: unknown): number {
  if (!Array.isArray(groups)) return 0;
  let count = 0;
  for (const group of groups) {
    const domains = typeof group === "object" && group !== null ? (group as Record<string, unknown>).domains : undefined;
    if (Array.isArray(domains)) count += domains.length;
  }
  return count;
}
