/** The `validate` and `render` commands. */
import { parseArgs } from "util";
import { plan } from "../plan/plan";
import { renderPlatform } from "../render/host-files";
import { writeHostFiles } from "../render/write-files";
import { validatePlatformText } from "../validation/load";
import { exportedZones } from "../render/dns/zone-export";
import { issue } from "../model/issues";
import { mkdirSync, renameSync, writeFileSync } from "fs";
import { join } from "path";
import { EXIT, UsageError, type CliIo } from "./io";
import { loadPlatformFile, readPlatformFile, reportIssues } from "./read-platform";

/** Run a parser; its complaints (unknown option, missing value) become usage errors. */
function parse<T>(command: string, parser: () => T): T {
  try {
    return parser();
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

const HELP = { help: { type: "boolean", short: "h" } } as const;

function singleFile(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError("missing <file>", command);
  if (positionals.length > 1) throw new UsageError(`expected one <file>, got ${positionals.length}: ${positionals.join(" ")}`, command);
  return positionals[0]!;
}

/** `mail-platform validate <file> [--render-only] [--json]`. */
export function validateCommand(args: string[], io: CliIo, help: string): number {
  const { values, positionals } = parse("validate", () =>
    parseArgs({ args, options: { ...HELP, json: { type: "boolean" }, "render-only": { type: "boolean" } }, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  const file = singleFile("validate", positionals);
  const result = validatePlatformText(readPlatformFile(file, "validate"), { deployable: !values["render-only"] });
  if (values.json) {
    io.out(`${JSON.stringify(result.ok ? { valid: true } : { valid: false, issues: result.issues }, null, 2)}\n`);
    return result.ok ? EXIT.ok : EXIT.invalid;
  }
  if (!result.ok) {
    reportIssues(io, file, result.issues);
    return EXIT.invalid;
  }
  const { spec } = result;
  const domains = spec.groups.reduce((n, g) => n + g.domains.length, 0);
  const use = values["render-only"] ? "for rendering" : "for deployment";
  io.out(`${file}: valid ${use} (platform ${spec.name}: ${spec.hosts.length} host(s), ${spec.groups.length} group(s), ${domains} domain(s))\n`);
  return EXIT.ok;
}

/** `mail-platform render <file> --out <dir>`. */
export function renderCommand(args: string[], io: CliIo, help: string): number {
  const { values, positionals } = parse("render", () =>
    parseArgs({ args, options: { ...HELP, out: { type: "string", short: "o" } }, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  const file = singleFile("render", positionals);
  const out = values.out;
  if (typeof out !== "string" || out === "") throw new UsageError("missing --out <dir>", "render");
  const spec = loadPlatformFile(io, file, "render");
  if (!spec) return EXIT.invalid;
  const hosts = renderPlatform(plan(spec));
  const written = writeHostFiles(out, hosts);
  io.out(`wrote ${written.length} files for ${hosts.length} host(s) to ${out}:\n${written.map((p) => `  ${p}`).join("\n")}\n`);
  return EXIT.ok;
}

/** `mail-platform zone <file> --out <dir>`. */
export function zoneCommand(args: string[], io: CliIo, help: string): number {
  const { values, positionals } = parse("zone", () =>
    parseArgs({ args, options: { ...HELP, out: { type: "string", short: "o" } }, allowPositionals: true, strict: true }),
  );
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  const file = singleFile("zone", positionals);
  const out = values.out;
  if (typeof out !== "string" || out === "") throw new UsageError("missing --out <dir>", "zone");
  const spec = loadPlatformFile(io, file, "zone");
  if (!spec) return EXIT.invalid;
  if (!spec.dns) {
    reportIssues(io, file, [issue(["dns"], undefined, "the zone export needs the dns section (the zones and their records)")]);
    return EXIT.invalid;
  }
  mkdirSync(out, { recursive: true });
  // Each zone file is written before the next is made: a million zones never sit in memory at once.
  const files: string[] = [];
  for (const zone of exportedZones(plan(spec))) {
    const target = join(out, zone.file);
    writeFileSync(`${target}.tmp-${process.pid}`, zone.content);
    renameSync(`${target}.tmp-${process.pid}`, target);
    files.push(zone.file);
  }
  io.out(`wrote ${files.length} zone file(s) to ${out}:\n${files.map((file) => `  ${file}`).join("\n")}\n`);
  return EXIT.ok;
}
