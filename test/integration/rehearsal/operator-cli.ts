/**
 * `mail-platform user` as the platform's operator runs it from a workstation, against a running
 * rehearsal: the real binary in a process of its own, with the operator's credentials from the
 * world (authorized by README's policy), AWS's real host names resolving to the world's endpoint
 * through a private /etc/hosts, and the world's CA trusted — no endpoint override, no ~/.aws. The
 * platform file is the model the rehearsal was started with, as the operator keeps it.
 */
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { stringify } from "yaml";
import { WORLD_ADDRESSES } from "../../../lib/rehearsal/network";
import type { Rehearsal } from "../../../lib/rehearsal/rehearsal";
import { ClientSandbox, type ClientResult } from "./aws-clients";

const BIN = join(__dirname, "..", "..", "..", "bin", "mail-platform.js");

/** The operator's `mail-platform user` against one rehearsal. */
export class OperatorCli {
  /** The platform.yaml the commands read. */
  readonly platformFile: string;
  /** Everything the commands printed (standard output and error), in order. */
  readonly outputs: string[] = [];
  private readonly sandbox: ClientSandbox;

  constructor(
    private readonly rehearsal: Rehearsal,
    dir: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.platformFile = join(dir, "platform.yaml");
    writeFileSync(this.platformFile, stringify(rehearsal.options.input));
    this.sandbox = new ClientSandbox(dir, WORLD_ADDRESSES.aws, rehearsal.world.hostNames(), rehearsal.operatorEnvironment());
  }

  /** `mail-platform user <args…> --region <the stack's region>`, with `input` on standard input. */
  async user(args: readonly string[], input = ""): Promise<ClientResult> {
    const result = await this.sandbox.run([process.execPath, BIN, "user", ...args, "--region", this.rehearsal.deployment.region], {}, input);
    this.outputs.push(`${result.stdout}${result.stderr}`);
    return result;
  }
}
