/**
 * The two flavours the library is published in, built from the same source. CDK for Terraform
 * (`cdktf`) was archived by HashiCorp on 2025-12-10; its community continuation CDK Terrain
 * (`cdktn`) keeps the same classes under new package names. Only `lib/cdk/core.ts` and
 * `lib/cdk/aws.ts` name these packages, so a flavour differs from the other by exactly the
 * specifier rewrites below and its package metadata.
 */

/** What distinguishes one flavour's package from the other's. */
export interface Flavour {
  /** Short name: `cdktf` or `cdktn`. */
  readonly name: "cdktf" | "cdktn";
  /** npm package name. */
  readonly packageName: string;
  /** The CDK core package. */
  readonly core: string;
  /** The AWS provider bindings package. */
  readonly awsProvider: string;
  /** Peer dependency ranges: every range's lower end is the version the test suite runs. */
  readonly peerDependencies: Readonly<Record<string, string>>;
  /** The one line that describes the package on npm. */
  readonly description: string;
}

const DESCRIPTION =
  "constructs that model a self-hosted mail platform (customer groups, hardened TLS, DNS) and render the Postfix and Dovecot configuration from the same model.";

export const CDKTF: Flavour = {
  name: "cdktf",
  packageName: "cdktf-mail-platform",
  core: "cdktf",
  awsProvider: "@cdktf/provider-aws",
  peerDependencies: { "@cdktf/provider-aws": "^21.22.1", cdktf: "^0.21.0", constructs: "^10.4.2" },
  description: `CDK for Terraform ${DESCRIPTION}`,
};

export const CDKTN: Flavour = {
  name: "cdktn",
  packageName: "cdktn-mail-platform",
  core: "cdktn",
  awsProvider: "@cdktn/provider-aws",
  // cdktn 0.24 itself requires constructs >=10.6.0 <10.8.0.
  peerDependencies: { "@cdktn/provider-aws": "^25.7.0", cdktn: "^0.24.0", constructs: ">=10.6.0 <10.8.0" },
  description: `CDK Terrain (cdktn) ${DESCRIPTION}`,
};

/** The files that name the CDK packages; nothing else in `lib/` may (a test checks). */
export const CDK_IMPORT_MODULES = ["lib/cdk/core.ts", "lib/cdk/aws.ts"] as const;

/**
 * Turn the source of one of {@link CDK_IMPORT_MODULES} (written for cdktf) into the given
 * flavour's: module specifiers are rewritten, comments and everything else stay.
 * @throws Error when the text names no CDK package (the rewrite would silently do nothing)
 */
export function rewriteCdkImports(source: string, flavour: Flavour): string {
  let rewrites = 0;
  const text = source.replace(/from "(cdktf|@cdktf\/provider-aws)((?:\/[^"]*)?)";/g, (_match, pkg: string, rest: string) => {
    rewrites += 1;
    return `from "${pkg === "cdktf" ? flavour.core : flavour.awsProvider}${rest}";`;
  });
  if (rewrites === 0) throw new Error("no cdktf import to rewrite: the CDK import module changed shape");
  return text;
}
