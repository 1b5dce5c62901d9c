/**
 * Build the CDK Terrain flavour (`npm run build:cdktn`): the same sources, with the two CDK
 * import modules rewritten, compiled into `build/cdktn/`, a package ready for `npm pack`.
 *
 * The cdktf flavour is the repository itself (`npm run build`, run by `prepare`).
 */
import { execFileSync } from "child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { CDKTN, CDK_IMPORT_MODULES, rewriteCdkImports, type Flavour } from "./flavours";

const ROOT = join(__dirname, "..");

interface RootPackage {
  version: string;
  license: string;
  engines: Record<string, string>;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
  keywords?: string[];
}

/** The flavour's package.json: the root's identity and runtime dependencies, the flavour's peers. */
export function flavourPackageJson(root: RootPackage, flavour: Flavour): string {
  const pkg = {
    name: flavour.packageName,
    version: root.version,
    description: flavour.description,
    license: root.license,
    main: "dist/lib/index.js",
    types: "dist/lib/index.d.ts",
    bin: root.bin,
    files: root.files,
    engines: root.engines,
    dependencies: root.dependencies,
    peerDependencies: flavour.peerDependencies,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Build `flavour` into `outDir` (emptied first); returns `outDir`. */
export function buildFlavour(flavour: Flavour, outDir: string): string {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const entry of ["lib", "bin", "schema", "README.md", "CHANGELOG.md", "SECURITY.md", "LICENSE"]) {
    cpSync(join(ROOT, entry), join(outDir, entry), { recursive: true });
  }
  for (const module of CDK_IMPORT_MODULES) {
    const path = join(outDir, module);
    writeFileSync(path, rewriteCdkImports(readFileSync(path, "utf8"), flavour));
  }
  writeFileSync(
    join(outDir, "tsconfig.json"),
    `${JSON.stringify({ extends: join(ROOT, "tsconfig.json"), compilerOptions: { rootDir: ".", outDir: "dist" }, include: ["lib/**/*.ts"] }, null, 2)}\n`,
  );
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as RootPackage;
  writeFileSync(join(outDir, "package.json"), flavourPackageJson(root, flavour));
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(outDir, "tsconfig.json")], { stdio: "inherit" });
  return outDir;
}

if (require.main === module) {
  // The cdktf flavour is the repository itself (`npm run build`); this builds the other one.
  if ((process.argv[2] ?? CDKTN.name) !== CDKTN.name) {
    process.stderr.write("usage: build-flavour.ts cdktn  (the cdktf flavour is `npm run build`)\n");
    process.exit(2);
  }
  const outDir = buildFlavour(CDKTN, join(ROOT, "build", CDKTN.name));
  process.stdout.write(`built ${CDKTN.packageName} into ${outDir}\n`);
}
