/** `mail-platform local apply`: a changed platform onto a running local instance, with the on-host apply script. */
import { readdirSync } from "fs";
import { resolve } from "path";
import { certificateNames } from "../model/certificate-names";
import type { PlatformSpec } from "../model/schema";
import { plan as derivePlan } from "../plan/plan";
import { SERVICES } from "../catalogue/services";
import { loopbackPlan, stateLayout } from "./conventions";
import { LocalInstanceError } from "./instance-error";
import { localBundle, runApply } from "./local-bundle";
import { onThisMachine } from "./preflight";
import { DEFAULT_STATE_DIR, readLocalState } from "./state";
import { storeHashes, writeDovecotUsers } from "./password-store";
import { localTestSpec } from "./test-spec";
import { usersFileHashes } from "./users-file";

/** Options of {@link localApply}. */
export interface LocalApplyOptions {
  /** State directory of the running instance. @default {@link DEFAULT_STATE_DIR} */
  readonly stateDir?: string;
  /** A users file with (new) passwords for the model's mailboxes, as for `local up`. @default - passwords as before */
  readonly usersFile?: string;
}

/** What `local apply` did. */
export interface LocalApplyResult {
  /** The apply script's exit code: 0 applied or already applied, 2 rejected, 3 rolled back, 4 rollback failed. */
  readonly status: number;
  /** What the script logged. */
  readonly log: string;
  /** The id (content hash) of the bundle. */
  readonly bundleId: string;
}

/**
 * Apply a changed platform to a running local instance with the on-host apply script. The change
 * must keep the instance's shape (host, group host names, enabled services, DKIM key parameters):
 * addresses, certificates, ports and keys were made for it at `local up`.
 */
export function localApply(model: PlatformSpec, options: LocalApplyOptions = {}): LocalApplyResult {
  const spec = onThisMachine(model);
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const state = readLocalState(stateDir);
  const layout = stateLayout(stateDir);
  const loopback = loopbackPlan(state.loopbackBlock);
  if (spec.name !== state.platform || !spec.hosts.some((h) => h.name === state.host)) {
    throw new LocalInstanceError(`this instance runs platform "${state.platform}" host "${state.host}"; the file describes another platform`);
  }
  const hashes = options.usersFile === undefined ? new Map<string, string>() : usersFileHashes(spec, options.usersFile);
  const keys = new Map(Object.entries(state.dkimPublicKeys));
  const missingKeys = derivePlan(spec).dkim.privateKeyParameters.filter((parameter) => !keys.has(parameter));
  if (missingKeys.length > 0) throw new LocalInstanceError(`new DKIM keys (${missingKeys.join(", ")}) need a new instance: local down, then local up`);
  const enabled = SERVICES.filter((s) => spec.services[s.name]).map((s) => s.name);
  const running = Object.keys(state.ports).sort();
  if ([...enabled].sort().join() !== running.join())
    throw new LocalInstanceError(`switching services on or off needs a new instance (running: ${running.join(", ")}): local down, then local up`);
  const plan = derivePlan(localTestSpec(spec, loopback, layout.certs, keys), { listenPorts: state.ports });
  const host = plan.hosts.find((h) => h.name === state.host)!;
  const certified = new Set(readdirSync(layout.certs));
  const uncertified = certificateNames(plan.spec, host.name).filter((n) => !certified.has(n));
  if (uncertified.length > 0) throw new LocalInstanceError(`new host names (${uncertified.join(", ")}) need test certificates: local down, then local up`);
  const bundle = localBundle(plan, host, layout);
  const result = runApply(layout, bundle);
  // As the on-host sync after a new bundle: the passdb follows the model's mailboxes (a removed
  // one cannot log in any more; its mail stays where it is).
  if (result.status === 0) {
    storeHashes(layout, hashes);
    writeDovecotUsers(layout, plan, host);
  }
  return { status: result.status ?? 1, log: result.log, bundleId: bundle.id };
}
