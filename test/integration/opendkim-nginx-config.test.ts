/**
 * The rendered OpenDKIM and nginx (MTA-STS, client autoconfiguration) configuration is accepted by the real programs of
 * each host OS for every variant that uses them: `opendkim -n` parses the configuration and opens
 * its tables, `nginx -t` loads the server blocks with their certificates.
 */
import { execFileSync } from "child_process";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import type { PlatformInput } from "../../lib/model/schema";
import { parsePlatform } from "../../lib/validation/validate";
import { loopbackPlan } from "../../lib/local/conventions";
import { localTestSpec } from "../../lib/local/test-spec";
import { plan } from "../../lib/plan/plan";
import { HOST_PATHS } from "../../lib/render/host-paths";
import { renderHost, renderPlatform } from "../../lib/render/host-files";
import { requirePrograms } from "../support/programs";
import { everyOs } from "../support/os-programs";
import { variants } from "../support/variants";

beforeAll(() => requirePrograms("openssl"));

/** Render a variant below a temporary root, with the host paths moved into it. */
function renderBelow(input: PlatformInput, os: PlatformInput["os"]) {
  const root = mkdtempSync(join(tmpdir(), "mail-platform-daemons-"));
  const certs = join(root, "certs");
  const copy = { ...structuredClone(input), os };
  // nginx -t binds its listen addresses: the group addresses move onto loopback, as in `local up`.
  const spec = localTestSpec(parsePlatform(copy), loopbackPlan("127.0.90"), certs);
  const planned = plan(spec);
  const paths = {
    ...HOST_PATHS,
    opendkimDir: join(root, "etc/opendkim"),
    mtaStsRoot: join(root, "var/www/mta-sts"),
    autoconfigRoot: join(root, "var/www/client-config"),
    postfixSpool: join(root, "spool"),
    dhParameters: join(root, "etc/mail-platform/ffdhe2048.pem"),
  };
  const files = renderHost(planned, planned.hosts[0]!, paths).files;
  for (const file of files) {
    const target = file.path.startsWith(root.slice(1)) ? `/${file.path}` : join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  return { root, certs, planned, files };
}

const signing = variants().filter((v) =>
  renderPlatform(plan(parsePlatform(structuredClone(v.input)))).some((h) => h.files.some((f) => f.path === "etc/opendkim.conf")),
);
// The server blocks depend only on groups, domains and hosts: the variants that differ there.
const hosting = [
  ...variants().filter((v) => ["example", "two hosts", "one group"].includes(v.name) || v.name.startsWith("DNS:")),
  // Client autoconfiguration adds server blocks on the same addresses (POST allowed on autodiscover).
  ...variants()
    .filter((v) => ["example", "two hosts"].includes(v.name))
    .map((v) => ({ name: `${v.name} + client autoconfig`, input: { ...v.input, dns: { ...v.input.dns!, clientAutoconfig: { displayName: "Acme & Co" } } } })),
];

describe.each(everyOs().flatMap((p) => signing.map((v) => [p.os, v.name, p, v] as const)))("%s: OpenDKIM, variant %s", (os, _name, programs, variant) => {
  test("opendkim -n accepts the configuration and its tables", () => {
    const { root } = renderBelow(variant.input, os);
    const result = programs.run("opendkim", ["-n", "-x", join(root, "etc/opendkim.conf")]);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  });
});

test.each(everyOs().map((p) => [p.os, p] as const))("%s: opendkim -n rejects a broken configuration (the check can fail)", (os, programs) => {
  const { root } = renderBelow(signing[0]!.input, os);
  appendFileSync(join(root, "etc/opendkim.conf"), "SigningTabel refile:/nowhere\n");
  expect(programs.run("opendkim", ["-n", "-x", join(root, "etc/opendkim.conf")]).status).not.toBe(0);
});

describe.each(everyOs().flatMap((p) => hosting.map((v) => [p.os, v.name, p, v] as const)))(
  "%s: nginx (MTA-STS, client autoconfiguration), variant %s",
  (os, _name, programs, variant) => {
    test("nginx -t accepts the server blocks with their certificates", () => {
      const { root, certs, planned } = renderBelow(variant.input, os);
      for (const name of [...planned.mtaSts.hostNames, ...planned.autoconfig.hostNames]) {
        mkdirSync(join(certs, name), { recursive: true });
        execFileSync(
          "openssl",
          [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            `/CN=${name}`,
            "-keyout",
            join(certs, name, "privkey.pem"),
            "-out",
            join(certs, name, "fullchain.pem"),
          ],
          { stdio: "ignore" },
        );
      }
      const main = join(root, "nginx.conf");
      writeFileSync(main, `pid ${root}/nginx.pid;\nerror_log ${root}/error.log;\nevents {}\nhttp {\n  include ${root}/etc/nginx/conf.d/*.conf;\n}\n`);
      const result = programs.run("nginx", ["-t", "-c", main]);
      expect({ status: result.status, stderr: result.stderr.trim().split("\n").pop() }).toEqual({
        status: 0,
        stderr: expect.stringMatching(/test is successful/),
      });
    });
  },
);
