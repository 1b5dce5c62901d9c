/**
 * JSON Schema of `platform.yaml`, generated from the zod model (never written by hand), so
 * editors can check the file as it is typed. `schema/platform.schema.json` is this text; a
 * test fails when the committed file is stale (`npm run schema` regenerates it).
 */
import { z } from "zod";
import { PlatformSchema } from "./schema";

/** The JSON Schema (draft 2020-12) of the input model, as formatted JSON text. */
export function platformJsonSchemaText(): string {
  const schema = z.toJSONSchema(PlatformSchema, { io: "input", target: "draft-2020-12", unrepresentable: "any" });
  const document = {
    $id: "https://cdktf-mail-platform.dev/schema/platform.schema.json",
    title: "cdktf-mail-platform platform model",
    ...schema,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
