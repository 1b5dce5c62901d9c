/**
 * The decoded user data of every host passes Debian's `cloud-init schema`, for the example and
 * every variant; the check itself rejects a broken document.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { gunzipSync } from "zlib";
import { requirePrograms, run } from "../support/programs";
import { resources, synthExample } from "../support/synth";
import { variants } from "../support/variants";

beforeAll(() => requirePrograms("cloud-init"));

function schemaCheck(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), "mail-platform-cloud-init-")), "user-data.yaml");
  writeFileSync(file, text);
  return run("cloud-init", ["schema", "-c", file]);
}

describe.each(variants().map((v) => [v.name, v] as const))("variant %s", (_name, variant) => {
  test("every host's user data is valid cloud-config", () => {
    const { json } = synthExample((input) => Object.assign(input, structuredClone(variant.input)));
    for (const instance of resources(json, "aws_instance")) {
      const text = gunzipSync(Buffer.from(String(instance.user_data_base64), "base64")).toString("utf8");
      const result = schemaCheck(text);
      expect({ status: result.status, out: result.stdout.trim(), err: result.stderr.trim() }).toEqual({
        status: 0,
        out: expect.stringMatching(/^Valid cloud-config: /),
        err: "",
      });
    }
  });
});

test("the schema check rejects a write_files entry without a path", () => {
  const result = schemaCheck("#cloud-config\nwrite_files:\n  - content: x\n    defer: true\n");
  expect(result.status).not.toBe(0);
  expect(result.stdout + result.stderr).toMatch(/path/);
});
