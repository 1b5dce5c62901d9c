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

/** Problems that keep an input from being deployed by `MailPlatform` (checked on the raw input, so they come with every other problem). */
export function deploymentIssues(raw: unknown): PlatformIssue[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return []; // the schema reports the shape
  const has = (key: string) => (raw as Record<string, unknown>)[key] !== undefined;
  return [
    ...(has("aws") ? [] : [issue(["aws"], undefined, "a deployable platform needs the aws section (vpcId and a placement per host); only render-only use may omit it")]),
    ...(has("dns") ? [] : [issue(["dns"], undefined, "a deployable platform needs the dns section (the zones of the records); only render-only use may omit it")]),
  ];
}
