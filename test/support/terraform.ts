/**
 * The real Terraform CLI with hashicorp/aws from the local filesystem mirror: one working
 * directory per test process, initialised once, in which any number of synthesized documents are
 * checked with `terraform validate`. Nothing is downloaded (the CLI configuration allows the mirror
 * only); a missing `terraform` or mirror is a test failure, never a skip.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "fs";
import { arch, platform, tmpdir } from "os";
import { join, relative, sep } from "path";

/** Where the machine keeps provider packages (Terraform's filesystem-mirror layout). */
export const MIRROR_ROOT = "/opt/tf-plugins";

/** The provider the synthesized stacks use, as Terraform addresses it. */
const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";

/** One diagnostic of `terraform validate -json`. */
export interface TerraformDiagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { readonly filename: string; readonly start: { readonly line: number; readonly column: number } };
  /** `context` names the block, e.g. `resource.aws_instance.mail_host-mx1_instance_669836AB`. */
  readonly snippet?: { readonly context: string | null; readonly code: string };
}

/** The output of `terraform validate -json`. */
export interface ValidateResult {
  readonly valid: boolean;
  readonly error_count: number;
  readonly warning_count: number;
  readonly diagnostics: readonly TerraformDiagnostic[];
}

/** A block of a provider schema (`terraform providers schema -json`), as far as the tests read it. */
export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly block_types?: Readonly<Record<string, { readonly nesting_mode: string; readonly block: SchemaBlock }>>;
}

/** The schema of hashicorp/aws as the mirror's provider reports it. */
export interface ProviderSchema {
  readonly provider: { readonly block: SchemaBlock };
  readonly resource_schemas: Readonly<Record<string, { readonly block: SchemaBlock }>>;
  readonly data_source_schemas: Readonly<Record<string, { readonly block: SchemaBlock }>>;
}

/** The hashicorp/aws package found in the mirror. */
export interface ProviderMirror {
  /** Mirror root, as written into the CLI configuration. */
  readonly root: string;
  /** Provider version, e.g. `5.100.0`. */
  readonly version: string;
  /** Path of the package (binary or zip) that was found. */
  readonly path: string;
}

/** A prepared Terraform working directory. */
export interface TerraformWorkdir {
  readonly dir: string;
  /** `terraform version`, e.g. `1.11.4`. */
  readonly terraformVersion: string;
  readonly mirror: ProviderMirror;
  /** Seconds `terraform init` took. */
  readonly initSeconds: number;
  /** Seconds spent in `terraform validate` so far, and how many runs that was. */
  readonly validateRuns: { seconds: number; count: number };
  /**
   * Write `document` as `cdk.tf.json` and run `terraform validate -json`. The result depends only
   * on the text (same provider, same CLI), so a text seen before is answered without a new run.
   */
  validate(document: string | object): ValidateResult;
  /**
   * Validate several documents in one `terraform validate` run: each becomes a child module of a
   * root that calls them all, so the provider's schema (most of a run's eight seconds) is loaded
   * once, not once per document. Diagnostics are given back to the document whose file they name;
   * one naming no document's file is an error of the method. Same answers as `validate` one by one
   * (the test file shows it with a broken document among valid ones). A document with a backend
   * is validated alone: a backend belongs to the root module.
   */
  validateEach(documents: ReadonlyArray<readonly [name: string, document: string | object]>): Map<string, ValidateResult>;
  /** The provider's schema (`terraform providers schema -json`), read once. */
  providerSchema(): ProviderSchema;
}

/** `severity: summary: detail [context]`, on one line: how the tests print and compare diagnostics. */
export function describeDiagnostic(d: TerraformDiagnostic): string {
  const detail = d.detail ? `: ${d.detail.replace(/\s+/g, " ").trim()}` : "";
  const where = d.snippet?.context ?? d.address;
  return `${d.severity}: ${d.summary}${detail}${where ? ` [${where}]` : ""}`;
}

/** Terraform's name of this machine's platform, e.g. `linux_amd64`. */
function terraformPlatform(): string {
  const cpu: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };
  return `${platform()}_${cpu[arch()] ?? arch()}`;
}

/** Every file under `dir` whose name starts with `terraform-provider-aws` (a mirror is a few levels deep). */
function providerPackages(dir: string, depth = 0): string[] {
  if (depth > 6) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return providerPackages(path, depth + 1);
    return entry.name.startsWith("terraform-provider-aws") ? [path] : [];
  });
}

/**
 * The hashicorp/aws package for this platform in the mirror, found by looking rather than by a
 * hard-coded version, so the tests follow whatever the machine provides. Accepts both mirror
 * layouts: unpacked (`…/hashicorp/aws/<version>/<platform>/terraform-provider-aws_v…`) and packed
 * (`…/hashicorp/aws/terraform-provider-aws_<version>_<platform>.zip`). More than one version is an
 * error: the list of provider version differences belongs to exactly one.
 */
export function findAwsProviderMirror(root = MIRROR_ROOT): ProviderMirror {
  const wanted = terraformPlatform();
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(`the Terraform provider mirror ${root} does not exist; it must hold ${AWS_PROVIDER} for ${wanted} (nothing can be downloaded here)`);
  }
  const found = providerPackages(root).flatMap((path) => {
    const parts = relative(root, path).split(sep);
    const unpacked = parts.length === 6 && parts.slice(0, 3).join("/") === AWS_PROVIDER && parts[4] === wanted ? parts[3] : undefined;
    const packed =
      parts.length === 4 && parts.slice(0, 3).join("/") === AWS_PROVIDER
        ? new RegExp(`^terraform-provider-aws_(.+)_${wanted}\\.zip$`).exec(parts[3]!)?.[1]
        : undefined;
    const version = unpacked ?? packed;
    return version ? [{ root, version, path }] : [];
  });
  const versions = [...new Set(found.map((f) => f.version))];
  if (versions.length === 0) {
    throw new Error(`no ${AWS_PROVIDER} package for ${wanted} under ${root} (looked for terraform-provider-aws* in the filesystem-mirror layout)`);
  }
  if (versions.length > 1) throw new Error(`several ${AWS_PROVIDER} versions under ${root} (${versions.join(", ")}); keep exactly one`);
  return found[0]!;
}

/** Run terraform in `dir` with a clean environment; throws if it cannot be started. */
function terraform(dir: string, env: NodeJS.ProcessEnv, args: readonly string[]) {
  // The provider schema is ~14 MB of JSON; the default 1 MB buffer would cut it off.
  const result = spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8", timeout: 180_000, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

/** Fail with a clear message unless the Terraform CLI is on PATH; returns its version. */
function requireTerraform(env: NodeJS.ProcessEnv): string {
  if (spawnSync("sh", ["-c", "command -v terraform"]).status !== 0) {
    throw new Error("terraform is not on PATH; these tests run the real Terraform CLI (1.11, e.g. /usr/local/bin/terraform) and never skip");
  }
  const result = terraform(tmpdir(), env, ["version", "-json"]);
  const version = (JSON.parse(result.stdout) as { terraform_version?: string }).terraform_version;
  if (result.status !== 0 || !version) throw new Error(`terraform version failed: ${result.stderr}`);
  return version;
}

/**
 * Refuse a document that asks for another hashicorp/aws version than the mirror's, or for another
 * provider. `terraform validate` does not compare the constraint with the installed provider (a
 * document requiring 6.25.0 validates against an installed 5.100.0 without a word), so the check
 * lives here: the version a document names is the version it was validated against.
 */
function requireMirrorVersion(document: unknown, mirror: ProviderMirror): void {
  const required =
    (document as { terraform?: { required_providers?: Record<string, { source?: string; version?: string }> } }).terraform?.required_providers ?? {};
  for (const [local, requirement] of Object.entries(required)) {
    const source = (requirement.source ?? local).split("/");
    const address = [...["registry.terraform.io", "hashicorp"].slice(0, 3 - source.length), ...source].join("/");
    if (address !== AWS_PROVIDER) throw new Error(`the document requires ${address}; the mirror holds only ${AWS_PROVIDER}`);
    if (requirement.version !== mirror.version) {
      throw new Error(
        `the document requires ${AWS_PROVIDER} ${requirement.version}, the mirror holds ${mirror.version}; ` +
          `adapt it first (test/support/provider-version-differences.ts), or validate would silently check it against ${mirror.version}`,
      );
    }
  }
}

let shared: TerraformWorkdir | undefined;

/**
 * The working directory of this test process: created in the temporary directory with a CLI
 * configuration that installs providers from the mirror only, `terraform init -backend=false` run
 * once (the provider is linked, not copied, so this is quick), removed when the process exits.
 */
export function terraformWorkdir(): TerraformWorkdir {
  if (shared) return shared;
  const mirror = findAwsProviderMirror();
  const dir = mkdtempSync(join(tmpdir(), "mail-platform-terraform-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const cliConfig = join(dir, "terraform.rc");
  // The mirror only: with an explicit provider_installation block there is no implicit direct
  // installation, so a provider that is not in the mirror fails init instead of being fetched.
  writeFileSync(cliConfig, `disable_checkpoint = true\nprovider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror.root)}\n  }\n}\n`);
  // TF_* variables of the calling shell (TF_CLI_ARGS, TF_DATA_DIR, TF_PLUGIN_CACHE_DIR, …) would
  // change what is checked; only ours are set.
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("TF_"))),
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
  };
  const terraformVersion = requireTerraform(env);
  const documentPath = join(dir, "cdk.tf.json");

  // Init needs only the provider requirement; the documents validated later bring their own.
  const initDocument = JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: mirror.version } } } });
  writeFileSync(documentPath, initDocument);
  const started = process.hrtime.bigint();
  const init = terraform(dir, env, ["init", "-backend=false", "-input=false", "-no-color"]);
  const initSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (init.status !== 0) throw new Error(`terraform init with the mirror ${mirror.root} failed:\n${init.stdout}\n${init.stderr}`);

  const results = new Map<string, ValidateResult>();
  const validateRuns = { seconds: 0, count: 0 };
  const documentText = (document: string | object): string => {
    const text = typeof document === "string" ? document : JSON.stringify(document, null, 2);
    requireMirrorVersion(JSON.parse(text), mirror);
    return text;
  };
  /** `terraform validate -json` in `where`, counted and timed. */
  const validateIn = (where: string): ValidateResult => {
    const start = process.hrtime.bigint();
    const run = terraform(where, env, ["validate", "-json", "-no-color"]);
    validateRuns.seconds += Number(process.hrtime.bigint() - start) / 1e9;
    validateRuns.count += 1;
    let result: ValidateResult;
    try {
      result = JSON.parse(run.stdout) as ValidateResult;
    } catch {
      throw new Error(`terraform validate gave no JSON (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    }
    // Exit status and report must agree; anything else is a CLI problem, not a finding.
    if ((run.status === 0) !== result.valid) throw new Error(`terraform validate exited ${run.status} but reported valid=${result.valid}:\n${run.stderr}`);
    return result;
  };
  let schema: ProviderSchema | undefined;
  shared = {
    dir,
    terraformVersion,
    mirror,
    initSeconds,
    validateRuns,
    validate(document) {
      const text = documentText(document);
      const known = results.get(text);
      if (known) return known;
      writeFileSync(documentPath, text);
      const result = validateIn(dir);
      results.set(text, result);
      return result;
    },
    validateEach(documents) {
      const byStack = new Map<string, ValidateResult>();
      // A backend applies to the root module only (as a child it only earns a warning): such a
      // document is validated alone, as the root.
      const hasBackend = (text: string) => (JSON.parse(text) as { terraform?: { backend?: unknown } }).terraform?.backend !== undefined;
      const every = documents.map(([name, document]) => [name, documentText(document)] as const);
      for (const [name, text] of every) if (hasBackend(text)) byStack.set(name, this.validate(text));
      const texts = every.filter(([, text]) => !hasBackend(text));
      // The batch's own directory: the root module calls one child module per document.
      const batch = mkdtempSync(join(dir, "batch-"));
      const modules: Record<string, { source: string }> = {};
      texts.forEach(([, text], index) => {
        mkdirSync(join(batch, "stacks", `s${index}`), { recursive: true });
        writeFileSync(join(batch, "stacks", `s${index}`, "cdk.tf.json"), text);
        modules[`s${index}`] = { source: `./stacks/s${index}` };
      });
      writeFileSync(join(batch, "main.tf.json"), JSON.stringify({ terraform: JSON.parse(initDocument).terraform, module: modules }));
      // Local modules are registered by init (the provider comes from the mirror, linked).
      const init = terraform(batch, env, ["init", "-backend=false", "-input=false", "-no-color"]);
      if (init.status !== 0) throw new Error(`terraform init of the batch failed:\n${init.stdout}\n${init.stderr}`);
      const all = validateIn(batch);
      texts.forEach(([name], index) => {
        const prefix = `stacks/s${index}/`;
        const own = all.diagnostics.filter((d) => d.range?.filename.startsWith(prefix));
        const errorCount = own.filter((d) => d.severity === "error").length;
        const diagnostics = own.map((d) => ({ ...d, range: d.range && { ...d.range, filename: d.range.filename.slice(prefix.length) } }));
        byStack.set(name, { valid: errorCount === 0, error_count: errorCount, warning_count: own.length - errorCount, diagnostics });
      });
      const unplaced = all.diagnostics.filter((d) => !/^stacks\/s\d+\//.test(d.range?.filename ?? ""));
      if (unplaced.length > 0)
        throw new Error(`terraform validate of the batch gave diagnostics of no document:\n${unplaced.map(describeDiagnostic).join("\n")}`);
      rmSync(batch, { recursive: true, force: true });
      return byStack;
    },
    providerSchema() {
      if (schema) return schema;
      // The command reads the configuration too: give it the init document, not the last one validated.
      writeFileSync(documentPath, initDocument);
      const run = terraform(dir, env, ["providers", "schema", "-json"]);
      if (run.status !== 0) throw new Error(`terraform providers schema failed:\n${run.stderr}`);
      const all = JSON.parse(run.stdout) as { provider_schemas: Record<string, ProviderSchema> };
      schema = all.provider_schemas[AWS_PROVIDER];
      if (!schema) throw new Error(`terraform providers schema has no ${AWS_PROVIDER}`);
      return schema;
    },
  };
  return shared;
}
