/**
 * Writes the rendered configuration and the hosts' bundles next to `cdk.tf.json`, so users can
 * read, diff and snapshot them and Terraform uploads the bundles from there:
 * `<outdir>/stacks/<stack>/mail-platform/<platform>/<host>/etc/…` and
 * `<outdir>/stacks/<stack>/mail-platform/<platform>/<host>.bundle.json`.
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

/** What a stack gets written beside its cdk.tf.json. */
interface StackFiles {
  /** Rendered files by platform name (asked for at synthesis). */
  readonly platforms: Map<string, () => readonly HostFiles[]>;
  /** Further files (the bundles Terraform uploads) by path relative to the stack directory. */
  readonly files: Map<string, string>;
}

const registries = new WeakMap<TerraformStack, StackFiles>();

class RenderedFilesSynthesizer implements IStackSynthesizer {
  constructor(
    private readonly stack: TerraformStack,
    private readonly inner: IStackSynthesizer,
    private readonly registry: StackFiles,
  ) {}

  synthesize(session: ISynthesisSession): void {
    this.inner.synthesize(session);
    const stackDir = join(session.outdir, session.manifest.forStack(this.stack).workingDirectory);
    // Each directory is made once, not once per file in it (a system call per file otherwise).
    const made = new Set<string>();
    const write = (target: string, content: string, mode: number) => {
      const directory = dirname(target);
      if (!made.has(directory)) {
        mkdirSync(directory, { recursive: true });
        made.add(directory);
      }
      writeFileSync(target, content, { mode });
    };
    for (const [platform, hosts] of [...this.registry.platforms].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const { host, files } of hosts()) {
        for (const file of files) write(join(stackDir, RENDERED_FILES_DIR, platform, host, file.path), file.content, parseInt(file.mode, 8));
      }
    }
    for (const [path, content] of [...this.registry.files].sort(([a], [b]) => (a < b ? -1 : 1))) write(join(stackDir, path), content, 0o644);
  }
}

function registryOf(scope: IConstruct): { stack: TerraformStack; registry: StackFiles } {
  const stack = TerraformStack.of(scope);
  let registry = registries.get(stack);
  if (!registry) {
    registry = { platforms: new Map(), files: new Map() };
    registries.set(stack, registry);
    stack.synthesizer = new RenderedFilesSynthesizer(stack, stack.synthesizer, registry);
  }
  return { stack, registry };
}

/**
 * Register a platform's rendered files for the stack that contains `scope`; `hosts` is asked for
 * at synthesis, so a platform can claim its name before its hosts exist.
 * @throws UserError when two platforms of the same name share a stack (their files would collide)
 */
export function addRenderedFiles(scope: IConstruct, platform: string, hosts: () => readonly HostFiles[]): void {
  const { stack, registry } = registryOf(scope);
  if (registry.platforms.has(platform)) {
    throw new UserError(
      `two mail platforms named "${platform}" in stack ${stack.node.id}: their rendered files would overwrite each other; give each platform its own name or its own stack`,
      { path: scope.node.path },
    );
  }
  registry.platforms.set(platform, hosts);
}

/**
 * The path, relative to the stack's directory, where a host's bundle is written for Terraform to
 * upload: beside the host's rendered files. Platform and host names are identifiers (no dots),
 * so `<host>.bundle.json` never meets a host's directory.
 */
export function bundleFilePath(platform: string, host: string): string {
  return `${RENDERED_FILES_DIR}/${platform}/${host}.bundle.json`;
}

/**
 * Register a file to be written at `path` (relative to the directory of the stack that contains
 * `scope`) when the stack is synthesized.
 * @throws UserError when another file was registered at the same path
 */
export function addStackFile(scope: IConstruct, path: string, content: string): void {
  const { stack, registry } = registryOf(scope);
  if (registry.files.has(path)) {
    throw new UserError(`two files for ${path} in stack ${stack.node.id}: publish each host's bundle once per platform`, { path: scope.node.path });
  }
  registry.files.set(path, content);
}

/**
 * The content of a file registered with {@link addStackFile} for `stack` (a host's bundle), by its
 * path relative to the stack's directory; undefined for any other path. It is what the `source`
 * paths in the synthesized JSON refer to, available without writing a directory (e.g. after
 * `Testing.synth`, which runs no synthesizer of ours).
 */
export function stackFile(stack: TerraformStack, path: string): string | undefined {
  return registries.get(stack)?.files.get(path);
}
