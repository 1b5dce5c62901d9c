/**
 * Regenerate the files derived from the zod model (`npm run schema`):
 * schema/platform.schema.json (the JSON Schema of platform.yaml) and lib/model/input-types.ts
 * (the documented input types, compiled from that JSON Schema).
 *
 * With `--stdout`, nothing is written: the text of lib/model/input-types.ts goes to standard
 * output (test/unit/input-types.test.ts compares it with the committed file).
 */
import { writeFileSync } from "fs";
import { join } from "path";
import { platformJsonSchemaText } from "../lib/model/json-schema";
import { INPUT_TYPES_PATH, inputTypesText } from "./input-types-source";

async function main(args: readonly string[]): Promise<void> {
  if (args.includes("--stdout")) {
    process.stdout.write(await inputTypesText());
    return;
  }
  const root = join(__dirname, "..");
  const schemaTarget = join(root, "schema", "platform.schema.json");
  writeFileSync(schemaTarget, platformJsonSchemaText());
  process.stdout.write(`wrote ${schemaTarget}\n`);
  const typesTarget = join(root, INPUT_TYPES_PATH);
  writeFileSync(typesTarget, await inputTypesText());
  process.stdout.write(`wrote ${typesTarget}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
