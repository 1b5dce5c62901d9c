/**
 * rspamd and redis of each host OS, for `rspamadm configtest` and a start of redis-server: this machine's own on its release; for the
 * other, Debian's rspamd in a root file system of its own (cached under
 * /var/cache/mail-platform/content-filter). Not in the shared tools image (os-programs.ts): a
 * different package list is a new recipe, and building one removes the older images of its cache
 * directory, which other suites use.
 */
import type { HostOs } from "../../lib/catalogue/host-os";
import { HOST_OS_FACTS } from "../../lib/catalogue/host-os";
import { machineOs } from "../../lib/local/machine-os";
import { ensureImage, toolsRecipe } from "../../lib/rehearsal/image";
import { programsIn, programsOf, type OsPrograms } from "./os-programs";

/** Where the rspamd images are kept between runs. */
export const RSPAMD_IMAGE_CACHE = "/var/cache/mail-platform/content-filter";

/** The programs with rspamd of an OS. */
export function rspamdProgramsOf(os: HostOs): OsPrograms {
  if (machineOs() === os) return programsOf(os);
  // locales: the image build runs locale-gen.
  return programsIn(os, () => ensureImage(toolsRecipe(HOST_OS_FACTS[os].codename, ["locales", "redis-server", "rspamd"]), RSPAMD_IMAGE_CACHE).rootfs);
}
