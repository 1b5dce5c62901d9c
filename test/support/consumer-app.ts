/**
 * A consumer app as a new user makes one: laid out like `cdktf init --template=typescript` (its
 * tsconfig, jest setup and cdktf.json), in a directory outside this repository so that nothing
 * resolves from our node_modules, with the packed library installed from its tarball next to the
 * current compatible versions of the CDK packages, pinned.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { CDKTF, type Flavour } from "../../scripts/flavours";
import { buildFlavour } from "../../scripts/build-flavour";

export const ROOT = join(__dirname, "..", "..");

/** Versions a new app of each flavour gets today (exact), and the dev tools of the init template. */
export const CONSUMER_VERSIONS: Readonly<Record<Flavour["name"], Readonly<Record<string, string>>>> = {
  // `cdktf init` resolves constructs ^10.x to the newest: 10.8.1 today.
  cdktf: { cdktf: "0.21.0", constructs: "10.8.1", "@cdktf/provider-aws": "21.22.1" },
  // cdktn 0.24 accepts constructs >=10.6.0 <10.8.0.
  cdktn: { cdktn: "0.24.0", constructs: "10.7.2", "@cdktn/provider-aws": "25.7.0" },
};
const DEV_TOOLS = { "@types/jest": "29.5.14", "@types/node": "20.19.25", jest: "29.7.0", "ts-jest": "29.4.15", "ts-node": "10.9.2", typescript: "5.9.3" };

/**
 * Pack a flavour as npm would publish it. The cdktf flavour is packed from the repository after
 * removing `dist/`, so the tarball holds code only if the package builds itself (`prepare`).
 */
export function packFlavour(flavour: Flavour, into: string): string {
  mkdirSync(into, { recursive: true });
  let dir = ROOT;
  if (flavour === CDKTF) rmSync(join(ROOT, "dist"), { recursive: true, force: true });
  // Built inside the repository: its sources resolve the CDK packages from our node_modules.
  else dir = buildFlavour(flavour, join(ROOT, "build", flavour.name));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", into, dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [packed] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string }[];
  return join(into, packed!.filename);
}

/** The files of the app; `core`/`aws` are the flavour's package names. */
function appFiles(flavour: Flavour): Record<string, string> {
  const core = flavour.core;
  const aws = flavour.awsProvider;
  const lib = flavour.packageName;
  return {
    // As `cdktf init --template=typescript` writes them.
    "tsconfig.json": JSON.stringify(
      {
        compilerOptions: {
          alwaysStrict: true,
          declaration: true,
          experimentalDecorators: true,
          inlineSourceMap: true,
          inlineSources: true,
          lib: ["es2018"],
          module: "CommonJS",
          noEmitOnError: true,
          noFallthroughCasesInSwitch: true,
          noImplicitAny: true,
          noImplicitReturns: true,
          noImplicitThis: true,
          noUnusedLocals: true,
          noUnusedParameters: true,
          resolveJsonModule: true,
          strict: true,
          strictNullChecks: true,
          strictPropertyInitialization: true,
          stripInternal: true,
          target: "ES2018",
          incremental: true,
          skipLibCheck: true,
        },
        include: ["**/*.ts"],
        exclude: ["node_modules", "cdktf.out"],
      },
      null,
      2,
    ),
    "cdktf.json": JSON.stringify(
      {
        language: "typescript",
        app: "npx ts-node main.ts",
        projectId: "00000000-0000-4000-8000-000000000000",
        sendCrashReports: "false",
        terraformProviders: [],
        terraformModules: [],
        context: {},
      },
      null,
      2,
    ),
    "jest.config.js": `module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>"],
  testMatch: ["**/__tests__/**/*.ts", "**/?(*.)+(spec|test).ts"],
  transform: { "^.+\\\\.tsx?$": "ts-jest" },
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
  reporters: ["default"],
};
`,
    "setup.js": `const cdk = require("${core}");\ncdk.Testing.setupJest();\n`,
    "stacks.ts": `import { join } from "path";
import { LocalBackend, TerraformStack } from "${core}";
import type { Construct } from "constructs";
import { AwsProvider } from "${aws}/lib/provider";
import { MailPlatform, type GroupInput, type PlatformInput } from "${lib}";

/** A group written with the exported input type: defaults stay optional. */
export const staff: GroupInput = {
  name: "staff",
  domains: [{ name: "shop.example" }],
  addresses: [{ host: "mx1", privateIp: "10.20.0.10", hostName: "mail.shop.example" }],
};

export const typedPlatform: PlatformInput = {
  name: "shop-mail",
  hosts: [{ name: "mx1" }],
  groups: [staff],
  dns: { zones: [{ name: "shop.example", route53ZoneId: "Z0EXAMPLE0000000000" }] },
  aws: {
    vpcId: "vpc-0123456789abcdef0",
    hosts: { mx1: { subnetId: "subnet-0123456789abcdef0", instanceType: "t3.small" } },
    acmeEmail: "postmaster@shop.example",
  },
};

/** The platform composed in code. */
export class TypedMailStack extends TerraformStack {
  readonly platform: MailPlatform;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: \`terraform.\${id}.tfstate\` });
    new AwsProvider(this, "aws", { region: "eu-central-1" });
    this.platform = new MailPlatform(this, "mail", { platform: typedPlatform });
  }
}

/** The platform read from a platform.yaml. */
export class FileMailStack extends TerraformStack {
  readonly platform: MailPlatform;
  constructor(scope: Construct, id: string, file = join(__dirname, "platform.yaml")) {
    super(scope, id);
    new LocalBackend(this, { path: \`terraform.\${id}.tfstate\` });
    new AwsProvider(this, "aws", { region: "eu-central-1" });
    this.platform = MailPlatform.fromFile(this, "mail", file);
  }
}
`,
    "main.ts": `import { App } from "${core}";
import { FileMailStack, TypedMailStack } from "./stacks";

const app = new App();
new TypedMailStack(app, "typed");
new FileMailStack(app, "from-file", process.env.PLATFORM_FILE);
app.synth();
`,
    "__tests__/main-test.ts": `import "${core}/lib/testing/adapters/jest";
import { Testing } from "${core}";
import { Instance } from "${aws}/lib/instance";
import { SecurityGroup } from "${aws}/lib/security-group";
import { MailPlatform, PlatformValidationError, readableSynth, route53Records } from "${lib}";
import { FileMailStack, TypedMailStack, typedPlatform } from "../stacks";

describe("a mail platform in my stack", () => {
  const stack = new TypedMailStack(Testing.app(), "typed");
  const synthesized = Testing.synth(stack);

  test("cdktf's matchers see its resources", () => {
    expect(synthesized).toHaveResource(SecurityGroup);
    expect(synthesized).toHaveResourceWithProperties(Instance, {
      instance_type: "t3.small",
      metadata_options: { http_endpoint: "enabled", http_put_response_hop_limit: 1, http_tokens: "required" },
    });
  });

  test("its DNS records, as data", () => {
    const mx = route53Records(synthesized).filter((r) => r.type === "MX");
    expect(mx.map((r) => [r.name, r.records])).toEqual([["shop.example", ["10 mail.shop.example."]]]);
  });

  test("no security finding", () => {
    expect(stack.platform.securityChecks!.unacknowledged()).toEqual([]);
  });

  test("an override that re-enables IMDSv1 is a finding the test sees", () => {
    const risky = new TypedMailStack(Testing.app(), "risky");
    risky.platform.hosts.get("mx1")!.instance.addOverride("metadata_options.http_tokens", "optional");
    Testing.synth(risky);
    expect(risky.platform.securityChecks!.unacknowledged().map((f) => f.ruleId)).toEqual(["imdsv2-required"]);
  });

  test("readable snapshot", () => {
    const readable = readableSynth(synthesized, { stack });
    expect(Object.values(readable.bundles).map((b) => b.host)).toEqual(["mx1"]);
    expect(readable).toMatchSnapshot();
  });

  test("an invalid model is refused with every problem", () => {
    const bad = { ...typedPlatform, name: "Shop Mail", dns: undefined };
    expect(() => new MailPlatform(Testing.app(), "bad", { platform: bad })).toThrow(PlatformValidationError);
  });

  test("the platform.yaml stack synthesizes its rendered files", () => {
    const outdir = Testing.fullSynth(new FileMailStack(Testing.app(), "from-file"));
    expect(outdir).toBeTruthy();
  });
});
`,
  };
}

/** A consumer app of one flavour, installed and ready to build. */
export interface ConsumerApp {
  readonly dir: string;
  readonly flavour: Flavour;
  /** Run a command in the app directory (the environment without this suite's jest variables). */
  run(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
}

/** Create and install a consumer app of `flavour` from `tarball`, with `platformYaml` as its platform.yaml. */
export function createConsumerApp(flavour: Flavour, tarball: string, platformYaml: string): ConsumerApp {
  const dir = mkdtempSync(join(tmpdir(), `consumer-${flavour.name}-`));
  const packageJson = {
    name: `consumer-${flavour.name}`,
    version: "1.0.0",
    private: true,
    main: "main.js",
    scripts: { build: "tsc", synth: "cdktf synth", test: "jest" },
    dependencies: { ...CONSUMER_VERSIONS[flavour.name], [flavour.packageName]: `file:${tarball}` },
    devDependencies: DEV_TOOLS,
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(packageJson, null, 2)}\n`);
  for (const [path, content] of Object.entries(appFiles(flavour))) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  writeFileSync(join(dir, "platform.yaml"), platformYaml);
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("JEST") && k !== "NODE_OPTIONS" && k !== "CDKTF_OUTDIR"),
  );
  const app: ConsumerApp = {
    dir,
    flavour,
    run: (command, args, extra = {}) =>
      spawnSync(command, [...args], {
        cwd: dir,
        env: { ...env, CHECKPOINT_DISABLE: "1", CI: "true", ...extra },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      }),
  };
  const install = app.run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"]);
  if (install.status !== 0) throw new Error(`npm install failed in ${dir}:\n${install.stderr}`);
  return app;
}

/** Every installed copy of `constructs` in the app (more than one breaks tsc and synthesis). */
export function constructsCopies(app: ConsumerApp): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith("@")) walk(join(dir, entry));
      else if (entry === "constructs") found.push(join(dir, entry));
      else walk(join(dir, entry, "node_modules"));
    }
  };
  walk(join(app.dir, "node_modules"));
  return found.map(
    (path) => `${path.slice(app.dir.length + 1)}@${(JSON.parse(readFileSync(join(path, "package.json"), "utf8")) as { version: string }).version}`,
  );
}

/** JSON paths at which two documents differ, with both values (shortened). */
export function jsonDifferences(a: unknown, b: unknown, path = ""): [string, string, string][] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => jsonDifferences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`));
  }
  const short = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v).slice(0, 120));
  return [[path, short(a), short(b)]];
}
