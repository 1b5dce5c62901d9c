/**
 * The decoded user data of every host passes `cloud-init schema` of the host's own release
 * (cloud-init 25.1 on Debian 13, 22.4 on Debian 12), for the example and every variant; the check
 * itself rejects a broken document.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { gunzipSync } from "zlib";
import { everyOs, type OsPrograms } from "../support/os-programs";
import { resources, synthExample } from "../support/synth";
import { variants } from "../support/variants";

function schemaCheck(programs: OsPrograms, text: string) {
  const file = join(mkdtempSync(join(tmpdir(), "mail-platform-cloud-init-")), "user-data.yaml");
  writeFileSync(file, text);
  return programs.run("cloud-init", ["schema", "-c", file]);
}

describe.each(everyOs().flatMap((p) => variants().map((v) => [p.os, v.name, p, v] as const)))("%s, variant %s", (os, _name, programs, variant) => {
  test("every host's user data is valid cloud-config", () => {
    const { json } = synthExample((input) => Object.assign(input, structuredClone(variant.input), { os }));
    for (const instance of resources(json, "aws_instance")) {
      const text = gunzipSync(Buffer.from(String(instance.user_data_base64), "base64")).toString("utf8");
      const result = schemaCheck(programs, text);
      expect({ status: result.status, out: result.stdout.trim(), err: result.stderr.trim() }).toEqual({
        status: 0,
        // cloud-init 22.4 says "Valid cloud-config: <file>", 25.1 "Valid schema <file>".
        out: expect.stringMatching(/^(Valid cloud-config: |Valid schema )/),
        err: "",
      });
    }
  });
});

test.each(everyOs().map((p) => [p.os, p] as const))("%s: the schema check rejects a write_files entry without a path", (_os, programs) => {
  const result = schemaCheck(programs, "#cloud-config\nwrite_files:\n  - content: x\n    defer: true\n");
  expect(result.status).not.toBe(0);
  expect(result.stdout + result.stderr).toMatch(/path/);
});
