/**
 * The rehearsal's image carries every package the example's first boot installs, either installed
 * (what a cloud image has) or fetched into apt's cache: a package missing from both is downloaded at
 * every boot, which makes "first boot to serving, packages present" measure the mirror instead.
 */
import { CLOUD_IMAGE_PACKAGES, imageRecipe, type DebianRelease } from "../../../lib/rehearsal/image";
import { hostPackages } from "../../../lib/rollout/bootstrap/packages";
import { examplePlan } from "../../support/example";

const RELEASES: ReadonlyArray<readonly [DebianRelease, "debian-12" | "debian-13"]> = [
  ["bookworm", "debian-12"],
  ["trixie", "debian-13"],
];

describe("packages of the first boot are in the rehearsal image", () => {
  test.each(RELEASES)("%s", (release, os) => {
    const plan = examplePlan((input) => {
      input.os = os;
      input.mailbox = { ...input.mailbox, fullTextSearch: true };
    });
    const inImage = new Set([...CLOUD_IMAGE_PACKAGES, ...imageRecipe(release).prefetch]);
    const missing = plan.hosts.flatMap((host) => hostPackages(plan, host)).filter((name) => !inImage.has(name));
    expect(missing).toEqual([]);
  });
});
