/** The blocklist watch against the rest of the model: it needs zones to look in, and its options need it on. */
import { blocklistWatchZones } from "./blocklist-watch";
import { issue, type PlatformIssue } from "./issues";
import { check, type SemanticCheck } from "./semantic-checks";

const needsZones = check(["blocklistWatch", "dnsbl"], (spec) => {
  if (!spec.blocklistWatch.enabled || blocklistWatchZones(spec).length > 0) return [];
  return [
    issue(
      ["blocklistWatch", "zones"],
      spec.blocklistWatch.zones,
      "the watch needs blocklist zones: name them in blocklistWatch.zones, or list dnsbl.sites with a positive weight (their zones are the default)",
    ),
  ];
});

/** Options of a watch that is off would silently do nothing. */
const optionsNeedWatch = check(["blocklistWatch"], (spec) => {
  const watch = spec.blocklistWatch;
  if (watch.enabled) return [];
  const found: PlatformIssue[] = [];
  if (watch.pauseWhenListed)
    found.push(issue(["blocklistWatch", "pauseWhenListed"], true, "pausing a listed group needs the watch: set blocklistWatch.enabled to true"));
  if (watch.alertEmails.length > 0)
    found.push(
      issue(["blocklistWatch", "alertEmails"], watch.alertEmails, "alerts come from the watch: set blocklistWatch.enabled to true or remove the addresses"),
    );
  return found;
});

/** Every check of this module. */
export const BLOCKLIST_WATCH_CHECKS: readonly SemanticCheck[] = [needsZones, optionsNeedWatch];
