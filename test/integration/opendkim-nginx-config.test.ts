/**
 * The rendered OpenDKIM and nginx (MTA-STS) configuration is accepted by the real programs for
 * every variant that uses them: `opendkim -n` parses the configuration and opens its tables,
 * `nginx -t` loads the server blocks with their certificates.
 */
import { execFileSync, spawnSync } from "child_process";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import type { PlatformInput } from "../../lib/model/schema";
import { parsePlatform } from "../../lib/model/validate";
import { loopbackPlan } from "../../lib/local/conventions";
import { localTestSpec } from "../../lib/local/test-spec";
import { plan } from "../../lib/plan/plan";
import { HOST_PATHS } from "../../lib/render/host-paths";
import { renderHost, renderPlatform } from "../../lib/render/host-files";
import { mtaStsHostNames } from "../../lib/render/nginx/mta-sts";
import { requirePrograms } from "../support/programs";
import { variants } from "../support/variants";

beforeAll(() => requirePrograms("opendkim", "nginx", "openssl"));

/** Render a variant below a temporary root, with the host paths moved into it. */
function renderBelow(input: PlatformInput) {
  const root = mkdtempSync(join(tmpdir(), "mail-platform-daemons-"));
  const certs = join(root, "certs");
  const copy = structuredClone(input);
  // nginx -t binds its listen addresses: the group addresses move onto loopback, as in `local up`.
  const spec = localTestSpec(parsePlatform(copy), loopbackPlan("127.0.90"), certs);
  const planned = plan(spec);
  const paths = { ...HOST_PATHS, opendkimDir: join(root, "etc/opendkim"), mtaStsRoot: join(root, "var/www/mta-sts"), postfixSpool: join(root, "spool") };
  const files = renderHost(planned, planned.hosts[0]!, paths).files;
  for (const file of files) {
    const target = file.path.startsWith(root.slice(1)) ? `/${file.path}` : join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  return { root, certs, planned, files };
}

const signing = variants().filter((v) => renderPlatform(plan(parsePlatform(structuredClone(v.input)))).some((h) => h.files.some((f) => f.path === "etc/opendkim.conf")));
// The server blocks depend only on groups, domains and hosts: the variants that differ there.
const hosting = variants().filter(
  (v) => ["example", "two hosts", "one group"].includes(v.name) || v.name.startsWith("DNS:"),
);

describe.each(signing.map((v) => [v.name, v] as const))("OpenDKIM, variant %s", (_name, variant) => {
  test("opendkim -n accepts the configuration and its tables", () => {
    const { root } = renderBelow(variant.input);
    const result = spawnSync("opendkim", ["-n", "-x", join(root, "etc/opendkim.conf")], { encoding: "utf8" });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  });
});

test("opendkim -n rejects a broken configuration (the check can fail)", () => {
  const { root } = renderBelow(signing[0]!.input);
  appendFileSync(join(root, "etc/opendkim.conf"), "SigningTabel refile:/nowhere\n");
  expect(spawnSync("opendkim", ["-n", "-x", join(root, "etc/opendkim.conf")], { encoding: "utf8" }).status).not.toBe(0);
});

describe.each(hosting.map((v) => [v.name, v] as const))("nginx (MTA-STS), variant %s", (_name, variant) => {
  test("nginx -t accepts the server blocks with their certificates", () => {
    const { root, certs, planned } = renderBelow(variant.input);
    for (const name of mtaStsHostNames(planned)) {
      mkdirSync(join(certs, name), { recursive: true });
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${name}`, "-keyout", join(certs, name, "privkey.pem"), "-out", join(certs, name, "fullchain.pem")], { stdio: "ignore" });
    }
    const main = join(root, "nginx.conf");
    writeFileSync(main, `pid ${root}/nginx.pid;\nerror_log ${root}/error.log;\nevents {}\nhttp {\n  include ${root}/etc/nginx/conf.d/*.conf;\n}\n`);
    const result = spawnSync("nginx", ["-t", "-c", main], { encoding: "utf8" });
    expect({ status: result.status, stderr: result.stderr.trim().split("\n").pop() }).toEqual({ status: 0, stderr: expect.stringMatching(/test is successful/) });
  });
});
