import { readFileSync } from "fs";
import { join } from "path";
import { platformJsonSchemaText } from "../../lib/model/json-schema";

describe("schema/platform.schema.json", () => {
  test("is the schema generated from the zod model (run `npm run schema` when this fails)", () => {
    const committed = readFileSync(join(__dirname, "..", "..", "schema", "platform.schema.json"), "utf8");
    expect(committed).toBe(platformJsonSchemaText());
  });

  test("describes fields and forbids unknown ones, so editors catch typos", () => {
    const schema = JSON.parse(platformJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.groups.items.properties.priority).toMatchObject({ enum: ["high", "normal", "bulk"], default: "normal" });
    expect(schema.properties.groups.items.properties.priority.description).toMatch(/Default: normal/);
    expect(schema.required).toEqual(["name", "hosts", "groups"]);
  });
});
