/**
 * One host of a rehearsal: what Terraform would have created for it (its deployment), its part of
 * the plan, the image it boots and its container, with its data volume and first-boot watch. A
 * rehearsal boots one or several of these against the same stand-ins.
 */
import type { HostPlan } from "../plan/types";
import type { Deployment } from "./aws/deployment";
import type { ExecResult, HostContainer } from "./container";
import { waitForFirstBoot, type FirstBootOutcome, type FirstBootWait } from "./first-boot";
import type { Image } from "./image";

/** The data volume a host boots with. */
export interface DataVolume {
  /** Size of a new volume. */
  readonly sizeMiB: number;
  /** The file of an earlier host's volume, to keep its data (an instance replacement). @default a new, empty volume */
  readonly existingFile?: string;
  /** Attach it this many seconds after boot. @default 0 */
  readonly delaySeconds?: number;
}

/** A booted host. */
export class RehearsedHost {
  private bootedAt = 0;
  private volumeTimer?: NodeJS.Timeout;
  /** How its first boot ended (once waited for). */
  outcome?: FirstBootOutcome;

  constructor(
    /** The host's name in the model. */
    readonly name: string,
    readonly deployment: Deployment,
    /** The plan's entry of the host. */
    readonly plan: HostPlan,
    readonly image: Image,
    readonly container: HostContainer,
  ) {}

  /** Boot the container and attach its data volume (now or after the given delay). */
  async boot(volume: DataVolume): Promise<void> {
    await this.container.boot();
    this.bootedAt = Date.now();
    const attach = () => this.container.attachVolume(this.deployment.dataVolume.id, volume.sizeMiB, volume.existingFile);
    const delay = volume.delaySeconds ?? 0;
    if (delay === 0) attach();
    else this.volumeTimer = setTimeout(attach, delay * 1000);
  }

  /** Run a command inside the host, as root. */
  exec(argv: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<ExecResult> {
    return this.container.exec(argv, options);
  }

  /** The file behind the host's data volume (kept by a rehearsal's `stop({ keepFiles: true })`). */
  get dataVolumeFile(): string | undefined {
    return this.container.volumeFile;
  }

  /** Wait for the first-boot setup to finish (see FirstBootWait). */
  async waitForFirstBoot(wait: FirstBootWait): Promise<FirstBootOutcome> {
    this.outcome = await waitForFirstBoot(this.container, this.bootedAt, wait);
    return this.outcome;
  }

  /** Power off and tear down the container (its files stay until the rehearsal removes its run). */
  async stop(): Promise<void> {
    if (this.volumeTimer) clearTimeout(this.volumeTimer);
    await this.container.stop();
  }
}
