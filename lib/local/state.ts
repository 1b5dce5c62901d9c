/** What a running local instance is: where it keeps its state, how to reach it, and reading that back. */
import { existsSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { ServiceName } from "../model/schema";
import { stateLayout } from "./conventions";
import { LocalInstanceError } from "./instance-error";

/** Where `local up` and `local down` keep an instance unless told otherwise. */
export const DEFAULT_STATE_DIR = join(tmpdir(), "mail-platform-local");

/** What `local up` prints: how to reach the running instance. */
export interface LocalInstanceInfo {
  /** Loopback address of each group. */
  readonly addresses: Record<string, string>;
  /** Port of each enabled service (the standard port when it was free). */
  readonly ports: Partial<Record<ServiceName, number>>;
  /** The test CA that issued every certificate of the instance. */
  readonly caFile: string;
  /** The test mailbox user. */
  readonly user: { readonly name: string; readonly password: string };
  /** The state directory (configuration, spool, mail, logs). */
  readonly stateDir: string;
}

/** What `local.json` in the state directory holds. */
export interface LocalState extends LocalInstanceInfo {
  /** Test DKIM public keys by private-key parameter (kept so `local apply` renders the same keys). */
  readonly dkimPublicKeys: Record<string, string>;
  readonly platform: string;
  readonly host: string;
  readonly loopbackBlock: string;
  readonly dnsServer: string;
  readonly outside: string;
  /**
   * The state directory of the instance this one joined (`local up --join`): its DNS server and
   * test CA serve this one too. @default - none: the instance runs its own
   */
  readonly joined?: string;
}

/** Read the state of a running instance. */
export function readLocalState(stateDir: string = DEFAULT_STATE_DIR): LocalState {
  const file = stateLayout(stateDir).stateFile;
  if (!existsSync(file)) throw new LocalInstanceError(`no local instance in ${stateDir}`);
  return JSON.parse(readFileSync(file, "utf8")) as LocalState;
}
