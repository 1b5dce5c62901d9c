/** Regenerate schema/platform.schema.json from the zod model (`npm run schema`). */
import { writeFileSync } from "fs";
import { join } from "path";
import { platformJsonSchemaText } from "../lib/model/json-schema";

const target = join(__dirname, "..", "schema", "platform.schema.json");
writeFileSync(target, platformJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
