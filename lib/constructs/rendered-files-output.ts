/**
 * Writes the rendered configuration next to `cdk.tf.json`, so users can read, diff and
 * snapshot it: `<outdir>/stacks/<stack>/mail-platform/<platform>/<host>/etc/…`.
 *
 * cdktf writes a stack through its synthesizer; we wrap the stack's synthesizer (public API)
 * once per stack and add our files after cdktf has written its own.
 */
import { UserError } from "../errors";
import { mkdirSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import type { IConstruct } from "constructs";
import { TerraformStack, type IStackSynthesizer, type ISynthesisSession } from "../cdk/core";
import type { HostFiles } from "../render/host-files";

/** Directory below the stack's output directory that holds the rendered files. */
export const RENDERED_FILES_DIR = "mail-platform";

const registries = new WeakMap<TerraformStack, Map<string, readonly HostFiles[]>>();

class RenderedFilesSynthesizer implements IStackSynthesizer {
  constructor(
    private readonly stack: TerraformStack,
    private readonly inner: IStackSynthesizer,
    private readonly platforms: Map<string, readonly HostFiles[]>,
  ) {}

  synthesize(session: ISynthesisSession): void {
    this.inner.synthesize(session);
    const stackDir = join(session.outdir, session.manifest.forStack(this.stack).workingDirectory, RENDERED_FILES_DIR);
    // Each directory is made once, not once per file in it (a system call per file otherwise).
    const made = new Set<string>();
    for (const [platform, hosts] of [...this.platforms].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const { host, files } of hosts) {
        for (const file of files) {
          const target = join(stackDir, platform, host, file.path);
          const directory = dirname(target);
          if (!made.has(directory)) {
            mkdirSync(directory, { recursive: true });
            made.add(directory);
          }
          writeFileSync(target, file.content, { mode: parseInt(file.mode, 8) });
        }
      }
    }
  }
}

/**
 * Register a platform's rendered files for the stack that contains `scope`.
 * @throws UserError when two platforms of the same name share a stack (their files would collide)
 */
export function addRenderedFiles(scope: IConstruct, platform: string, hosts: readonly HostFiles[]): void {
  const stack = TerraformStack.of(scope);
  let platforms = registries.get(stack);
  if (!platforms) {
    platforms = new Map();
    registries.set(stack, platforms);
    stack.synthesizer = new RenderedFilesSynthesizer(stack, stack.synthesizer, platforms);
  }
  if (platforms.has(platform)) {
    throw new UserError(
      `two mail platforms named "${platform}" in stack ${stack.node.id}: their rendered files would overwrite each other; give each platform its own name or its own stack`,
      { path: scope.node.path },
    );
  }
  platforms.set(platform, hosts);
}
