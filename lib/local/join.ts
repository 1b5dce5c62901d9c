/**
 * `local up --join DIR`: another host of the same platform next to a running instance. The
 * instances share what makes them one platform: the loopback block (every host of the model has
 * its own addresses there), the first instance's DNS server (its zones already name every host),
 * its test CA (so a backup MX verifies its group's home channel), its test DKIM keys (the DNS
 * publishes them) and its password store (a mailbox logs in with one password wherever its home
 * runs). Each instance keeps its own state directory: configuration, queue, data, mail, logs.
 */
import { chownSync, copyFileSync, existsSync, readFileSync, appendFileSync } from "fs";
import { join, resolve } from "path";
import type { PlatformSpec } from "../model/schema";
import type { Plan } from "../plan/types";
import { dkimKeyFiles } from "../render/opendkim/opendkim";
import { stateLayout, type LoopbackPlan, type StateLayout } from "./conventions";
import { localZones } from "./dns-server";
import { LocalInstanceError } from "./instance-error";
import { localHostPaths } from "./overlay";
import { passwordStorePath } from "./password-store";
import { pidFromFile } from "./processes";
import { readLocalState, type LocalState } from "./state";

/** The instance that runs the shared DNS server and test CA, as a joining instance sees it. */
export interface JoinedInstance {
  /** Its state. */
  readonly state: LocalState;
  /** Its files. */
  readonly layout: StateLayout;
}

/** What `local up` is asked for when it joins. */
export interface JoinRequest {
  /** State directory of a running instance of the platform (the first, or one that joined it). */
  readonly join: string;
  /** State directory of the new instance. */
  readonly stateDir: string;
  /** Host to run. @default - the first host of the model that runs in none of the platform's instances */
  readonly host?: string;
  /** Loopback block asked for. @default - the joined instance's (another one is an error) */
  readonly loopbackBlock?: string;
}

/** The file in the first instance's state directory that lists the instances that joined it. */
function joinedListFile(layout: StateLayout): string {
  return join(layout.stateDir, "joined");
}

/** The state directories of the instances that joined `layout`'s instance (running or not). */
export function joinedInstances(layout: StateLayout): string[] {
  const file = joinedListFile(layout);
  return existsSync(file) ? [...new Set(readFileSync(file, "utf8").split("\n").filter(Boolean))] : [];
}

/** Whether an instance's Postfix or Dovecot master runs. */
function mailRuns(layout: StateLayout): boolean {
  return [join(layout.spool, "pid", "master.pid"), join(layout.dovecotBase, "master.pid")].some((f) => pidFromFile(f) !== undefined);
}

/** The state directories of joined instances of `layout`'s instance whose Postfix or Dovecot still runs. */
export function runningJoinedInstances(layout: StateLayout): string[] {
  return joinedInstances(layout).filter((dir) => mailRuns(stateLayout(dir)));
}

/**
 * Read and check the instance to join, before anything changes on disk: it runs (its DNS server
 * is alive), runs the same platform, on the block asked for, and the host asked for runs in no
 * instance of the platform yet. Returns the first instance (the one running the DNS server) and
 * the host to run.
 */
export function joinTarget(spec: PlatformSpec, request: JoinRequest): { joined: JoinedInstance; hostName: string } {
  const asked = resolve(request.join);
  if (asked === resolve(request.stateDir)) {
    throw new LocalInstanceError(`--join ${asked}: a joining instance needs its own --state-dir (another directory than the instance it joins)`);
  }
  const first = readLocalState(asked);
  // Joining an instance that joined another one means joining that one: it runs the DNS server.
  const rootDir = first.joined ?? asked;
  const layout = stateLayout(rootDir);
  const state = first.joined === undefined ? first : readLocalState(rootDir);
  if (pidFromFile(join(layout.dns, "named.pid")) === undefined) {
    throw new LocalInstanceError(`--join ${rootDir}: its DNS server does not run; start it again with local up, then join it`);
  }
  if (state.platform !== spec.name) {
    throw new LocalInstanceError(
      `--join ${rootDir}: it runs platform "${state.platform}", the file describes "${spec.name}"; join an instance of the same platform`,
    );
  }
  if (request.loopbackBlock !== undefined && request.loopbackBlock !== state.loopbackBlock) {
    throw new LocalInstanceError(
      `--join ${rootDir}: it runs on loopback block ${state.loopbackBlock}; a joining instance shares that block (got ${request.loopbackBlock})`,
    );
  }
  const running = new Map<string, string>([[state.host, rootDir]]);
  for (const dir of runningJoinedInstances(layout)) {
    if (resolve(dir) === resolve(request.stateDir)) continue;
    const other = stateLayout(dir);
    if (existsSync(other.stateFile)) running.set(readLocalState(dir).host, dir);
  }
  if (request.host !== undefined) {
    const where = running.get(request.host);
    if (where !== undefined) throw new LocalInstanceError(`host "${request.host}" already runs in ${where}; join with another --host`);
    return { joined: { state, layout }, hostName: request.host };
  }
  const next = spec.hosts.find((h) => !running.has(h.name));
  if (next === undefined) {
    throw new LocalInstanceError(`every host of the platform already runs (${[...running].map(([h, d]) => `${h} in ${d}`).join(", ")})`);
  }
  return { joined: { state, layout }, hostName: next.name };
}

/**
 * Fail unless the joined instance's DNS server serves exactly the zones this instance would
 * serve: the same model (hosts, groups, addresses, keys) on the same block.
 */
export function checkSameZones(joined: JoinedInstance, plan: Plan, loopback: LoopbackPlan): void {
  for (const [zone, text] of localZones(plan, loopback)) {
    const file = join(joined.layout.dns, `${zone}.zone`);
    if (!existsSync(file) || readFileSync(file, "utf8") !== text) {
      throw new LocalInstanceError(
        `--join ${joined.layout.stateDir}: its DNS server serves ${existsSync(file) ? "another" : "no"} zone ${zone} than this model needs; ` +
          `start every instance of the platform from the same file (or local down, then local up all of them again)`,
      );
    }
  }
}

/** Copy the joined instance's test DKIM private keys to this instance (the DNS publishes their public halves). */
export function shareDkimKeys(joined: JoinedInstance, plan: Plan, layout: StateLayout, owner: { uid: number; gid: number }): Map<string, string> {
  const theirs = dkimKeyFiles(plan, localHostPaths(joined.layout));
  const ours = dkimKeyFiles(plan, localHostPaths(layout));
  for (const [parameter, file] of ours) {
    const source = theirs.get(parameter)!;
    if (!existsSync(source) || joined.state.dkimPublicKeys[parameter] === undefined) {
      throw new LocalInstanceError(
        `--join ${joined.layout.stateDir}: it has no test DKIM key for ${parameter}; local down, then local up all instances from the same file`,
      );
    }
    copyFileSync(source, file);
    chownSync(file, owner.uid, owner.gid);
  }
  return new Map(Object.entries(joined.state.dkimPublicKeys));
}

/** Start this instance's password store from the joined one's: every mailbox keeps its password. */
export function sharePasswordStore(joined: JoinedInstance, layout: StateLayout): void {
  const source = passwordStorePath(joined.layout);
  if (existsSync(source)) copyFileSync(source, passwordStorePath(layout));
}

/** Note this instance in the joined one's list (`local down` of that one names those still running). */
export function registerJoined(joined: JoinedInstance, stateDir: string): void {
  if (!joinedInstances(joined.layout).includes(stateDir)) appendFileSync(joinedListFile(joined.layout), `${stateDir}\n`);
}
