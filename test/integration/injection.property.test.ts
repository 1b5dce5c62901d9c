/**
 * Injection-proof rendering: arbitrary strings go into every free-text field. Either validation
 * rejects the value, or every rendered file keeps exactly the structure it has with a harmless
 * value (same settings, entries, blocks, rows and record lines) and the value round-trips to
 * where it belongs. A sample of accepted values is checked with the real postconf -n and
 * doveconf -n. More than 10,000 runs in total in CI (a tenth locally, see propertyRuns).
 */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import fc from "fast-check";
import { parsePlatform } from "../../lib/validation/validate";
import type { PlatformInput, PlatformSpec } from "../../lib/model/schema";
import { toALabels } from "../../lib/model/syntax";
import { plan } from "../../lib/plan/plan";
import { renderCloudConfig } from "../../lib/rollout/bootstrap/user-data";
import { exportZones } from "../../lib/render/dns/zone-export";
import { renderPlatform, type HostFiles } from "../../lib/render/host-files";
import { DKIM_KEY_LIST, dkimKeyFileName } from "../../lib/render/opendkim/opendkim";
import { writeHostFiles } from "../../lib/render/write-files";
import { exampleInput } from "../support/example";
import { requirePrograms } from "../support/programs";
import { everyOs } from "../support/os-programs";
import { ageFiles } from "../support/render-to-dir";
import { propertyRuns } from "../support/property-runs";

beforeAll(() => requirePrograms("bash"));

const CI_RUNS_PER_FIELD = 500;
const RUNS_PER_FIELD = propertyRuns(CI_RUNS_PER_FIELD);
const REAL_PROGRAM_SAMPLES_PER_FIELD = 12;

/** One free-text field: where it is, a harmless value, and where the value must show up. */
interface Field {
  readonly name: string;
  readonly valid: string;
  set(input: PlatformInput, value: string): void;
  /** The rendered text where an accepted value must appear intact. */
  appears(output: Output, value: string): boolean;
  /** Whether its files are checked by postconf/doveconf. */
  readonly realPrograms?: boolean;
  /** Whether the value reaches cdk.tf.json as plain text (names, records, tags, descriptions). */
  readonly reachesTerraform?: boolean;
}

interface Output {
  readonly spec: PlatformSpec;
  readonly hosts: readonly HostFiles[];
  readonly zones: string;
  readonly userData: string;
}

const file = (o: Output, path: string) => o.hosts[0]!.files.find((f) => f.path === path)?.content ?? "";

const FIELDS: readonly Field[] = [
  {
    reachesTerraform: true,
    name: "platform name",
    valid: "acme-mail",
    set: (i, v) => (i.name = v),
    appears: (o, v) => file(o, "etc/postfix/main.cf").includes(`platform "${v}"`),
    realPrograms: true,
  },
  {
    name: "host name",
    valid: "mx1",
    set: (i, v) => {
      i.hosts[0]!.name = v;
      i.groups.forEach((g) => (g.addresses[0]!.host = v));
      if (i.aws) i.aws.hosts = { [v]: i.aws.hosts.mx1! };
    },
    appears: (o, v) => file(o, "etc/postfix/main.cf").includes(`host "${v}"`),
  },
  {
    reachesTerraform: true,
    name: "group name",
    valid: "private",
    set: (i, v) => (i.groups[1]!.name = v),
    appears: (o, v) => file(o, "etc/postfix/master.cf").includes(`\nout-${v} `),
    realPrograms: true,
  },
  {
    reachesTerraform: true,
    name: "domain",
    valid: "acme-shop.example",
    set: (i, v) => (i.groups[0]!.domains[1]!.name = v),
    appears: (o, v) =>
      file(o, "etc/postfix/mailbox_domains").includes(`\n${toALabels(v)} OK`) || file(o, "etc/postfix/mailbox_domains").includes(`\n${toALabels(v)}  `),
    realPrograms: true,
  },
  {
    reachesTerraform: true,
    name: "address host name",
    valid: "mail.acme-corp.example",
    set: (i, v) => (i.groups[0]!.addresses[0]!.hostName = v),
    appears: (o, v) => file(o, "etc/postfix/master.cf").includes(`-o myhostname=${toALabels(v)}\n`),
    realPrograms: true,
  },
  {
    name: "plaintext reject text",
    valid: "Use STARTTLS.",
    set: (i, v) => (i.tls = { plaintextRejectText: v }),
    appears: (o, v) => file(o, "etc/postfix/reject_footer.pcre").endsWith(` ${v}\n`),
    realPrograms: true,
  },
  {
    name: "legacy acknowledgement",
    valid: "Old terminals speak only TLS 1.0.",
    set: (i, v) => (i.tls = { profile: "legacy-2015", legacyAcknowledgement: v }),
    appears: (o, v) => file(o, "etc/postfix/main.cf").includes(`Legacy protocols acknowledged: ${v}`),
    realPrograms: true,
  },
  {
    name: "custom cipher string",
    valid: "ECDHE+AESGCM:!aNULL:!eNULL",
    set: (i, v) => (i.tls = { profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers: v } }),
    appears: (o, v) =>
      file(o, "etc/postfix/main.cf").includes(`tls_high_cipherlist = ${v}\n`) && file(o, "etc/dovecot/dovecot.conf").includes(`ssl_cipher_list = ${v}\n`),
    realPrograms: true,
  },
  {
    name: "weak-cipher acknowledgement",
    valid: "A lab instance that tests old clients.",
    set: (i, v) => (i.tls = { profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers: "HIGH", weakCipherAcknowledgement: v } }),
    appears: (o, v) => file(o, "etc/postfix/main.cf").includes(`Weak ciphers acknowledged: ${v}`),
    realPrograms: true,
  },
  {
    name: "certificate directory",
    valid: "/etc/letsencrypt/live",
    set: (i, v) => (i.tls = { certificateDirectory: v }),
    appears: (o, v) => file(o, "etc/dovecot/dovecot.conf").includes(`ssl_server_cert_file = ${v.replace(/\/$/, "")}/mail.acme-corp.example/fullchain.pem\n`),
    realPrograms: true,
  },
  {
    reachesTerraform: true,
    name: "TLS rule destination",
    valid: "partner.example",
    set: (i, v) => (i.outbound = { tlsRules: [{ destination: v }] }),
    appears: (o, v) => file(o, "etc/postfix/tls_policy").includes(`\n${toALabels(v)} encrypt`),
    realPrograms: true,
  },
  {
    reachesTerraform: true,
    name: "relay host",
    valid: "relay.example",
    set: (i, v) => (i.outbound = { relayHost: { host: v } }),
    appears: (o, v) => file(o, "etc/postfix/main.cf").includes(`relayhost = [${toALabels(v)}]:587\n`),
    realPrograms: true,
  },
  {
    name: "DNSBL zone",
    valid: "zen.spamhaus.org",
    set: (i, v) => (i.dnsbl!.sites![0]!.zone = v),
    appears: (o, v) => file(o, "etc/postfix/main.cf").includes(`postscreen_dnsbl_sites = ${toALabels(v)}=`),
    realPrograms: true,
  },
  {
    name: "DNSBL reply filter",
    valid: "127.0.0.[2..11]",
    set: (i, v) => (i.dnsbl!.sites![0]!.replyFilter = v),
    appears: (o, v) => file(o, "etc/postfix/main.cf").includes(`=${v}*2`),
    realPrograms: true,
  },
  {
    name: "stripped header",
    valid: "X-Originating-IP",
    set: (i, v) => (i.privacy = { stripHeaders: [v] }),
    appears: (o, v) => file(o, "etc/postfix/submission_header_checks.pcre").includes(`/^${v}:/`),
    realPrograms: true,
  },
  {
    reachesTerraform: true,
    name: "DKIM selector",
    valid: "mail2026",
    set: (i, v) => (i.dkim!.selector = v),
    appears: (o, v) => file(o, "etc/opendkim/key.table").includes(`:${v}:`),
  },
  {
    name: "DKIM key parameter",
    valid: "/acme-mail/dkim/mail2026",
    set: (i, v) => (i.dkim!.privateKeyParameter = v),
    // The first boot reads the list line by line (`read -r parameter file`): one line per key.
    appears: (o, v) => file(o, "etc/opendkim/key.table").includes(dkimKeyFileName(v)) && file(o, DKIM_KEY_LIST).includes(`\n${v} /etc/opendkim/keys/`),
  },
  {
    reachesTerraform: true,
    name: "DMARC report address",
    // A report service outside the platform: an address of its own domains must also be a mailbox.
    valid: "dmarc@reports.example",
    set: (i, v) => (i.dns!.dmarc = { aggregateReports: [v] }),
    appears: (o, v) => o.zones.includes(`rua=mailto:${v}`),
  },
  {
    reachesTerraform: true,
    name: "TLS report address",
    valid: "tls@reports.example",
    set: (i, v) => (i.dns!.tlsReports = [v]),
    appears: (o, v) => o.zones.includes(`rua=mailto:${v}`),
  },
  {
    reachesTerraform: true,
    name: "DAV host",
    valid: "dav.acme-corp.example",
    set: (i, v) => (i.dns!.dav = { hostName: v }),
    appears: (o, v) => o.zones.includes(` 443 ${toALabels(v)}.\n`),
  },
  {
    name: "ACME e-mail",
    valid: "hostmaster@acme-corp.example",
    set: (i, v) => (i.aws!.acmeEmail = v),
    appears: (o, v) => o.userData.includes(`--email '${v}'`),
  },
  {
    reachesTerraform: true,
    name: "extra ingress description",
    valid: "SSH from the office",
    set: (i, v) => (i.aws!.extraIngress = [{ port: 22, cidr: "198.51.100.0/24", description: v }]),
    appears: () => true,
  },
  { reachesTerraform: true, name: "tag value", valid: "mail", set: (i, v) => (i.aws!.tags = { project: v }), appears: () => true },
];

/**
 * The shape of a rendering with the values taken out: setting names, entries, blocks, rows and
 * record types. A value that smuggled in a line, a field or a setting changes it.
 */
function signature(o: Output): string {
  const files = o.hosts[0]!.files.map((f) => {
    const lines = f.content.split("\n");
    let shape: string[];
    if (f.path.endsWith("main.cf") || f.path.endsWith("opendkim.conf")) {
      // Per-transport parameters carry the group's name: out-<group>_destination_… counts as one key.
      shape = lines.map((l) => (l.startsWith("#") ? "#" : l.split(/[ =]/)[0]!.replace(/^out-[a-z0-9-]+_/, "out-*_")));
    } else if (f.path.endsWith("master.cf")) {
      shape = lines.map((l) => (l.startsWith("#") ? "#" : /^\s/.test(l) ? `-o ${l.trim().split("=")[0]}` : `${l.trim().split(/\s+/).length} fields`));
    } else if (f.path.endsWith("dovecot.conf")) {
      shape = lines.map((l) =>
        l
          .trim()
          .replace(/^(#).*/, "$1")
          .replace(/^([a-z_0-9]+) = .*$/, "$1 =")
          .replace(/^([a-z_0-9]+) .*\{$/, "$1 {"),
      );
    } else if (f.path.startsWith("etc/nginx/")) {
      shape = lines.map((l) => (l.startsWith("#") ? "#" : `${l.trim().split(/\s+/)[0]} ${l.trim().split(/\s+/).length}`));
    } else {
      shape = lines.map((l) => (l.startsWith("#") ? "#" : l === "" ? "" : `row ${l.trim().split(/\s+/).length > 1 ? "k v" : "k"}`));
    }
    // Policy files are named after their group.
    return `${f.path.replace(/^.*\/mta-sts\/.*$/, "mta-sts policy")}:\n${shape.join("\n")}`;
  });
  // Record lines in name order: the order moves with the names, the multiset of types must not.
  const zones = o.zones
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith(";"))
    .map((l) => l.split(" ").slice(2, 4).join(" "))
    .sort();
  const userData = o.userData.split("\n").length;
  return [...files, zones.join("\n"), `user data lines: ${userData}`].join("\n---\n");
}

function render(input: PlatformInput): Output {
  const spec = parsePlatform(input);
  const planned = plan(spec);
  const hosts = renderPlatform(planned);
  return {
    spec,
    hosts,
    zones: exportZones(planned)
      .map((z) => z.content)
      .join("\n"),
    userData: renderCloudConfig(planned, planned.hosts[0]!, spec.aws!, {
      bundleUrl: "s3://acme-mail-config-vpc-0a1b2c3d4e5f60718/bundles/mx1/0000.json",
      dataVolumeName: `${spec.name}-${planned.hosts[0]!.name}`,
      dataVolumeTag: "mail-platform-data",
    }),
  };
}

const SPECIAL = [
  "\n",
  "\r",
  " ",
  "\t",
  "$",
  "#",
  ",",
  "{",
  "}",
  "<",
  ">",
  "%",
  '"',
  "'",
  "\\",
  ";",
  "=",
  "|",
  "&",
  "*",
  "!",
  "?",
  "(",
  ")",
  "[",
  "]",
  "/",
  ":",
  "@",
  "\u0000",
  "ü",
  "xn--",
  "..",
  "-",
  "_",
  "${",
  "%{",
  "$(",
  "`",
];
const fragment = fc.string({ unit: fc.constantFrom(...SPECIAL, ..."abcz09.".split("")), maxLength: 10 });

function candidates(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.nat({ max: valid.length }), fragment).map(([at, f]) => valid.slice(0, at) + f + valid.slice(at)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.nat({ max: valid.length }), fc.nat({ max: valid.length }))
        .map(([a, b]) => valid.slice(0, Math.min(a, b)) + valid.slice(Math.max(a, b))),
    },
    { weight: 2, arbitrary: fragment },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  );
}

const stats = { runs: 0, accepted: 0, checkedWithPrograms: 0 };

describe.each(FIELDS.map((f) => [f.name, f] as const))("free-text field: %s", (_name, field) => {
  const baselineInput = exampleInput();
  field.set(baselineInput, field.valid);
  const baseline = render(baselineInput);
  const baselineShape = signature(baseline);
  const accepted: string[] = [];

  test(`${RUNS_PER_FIELD} arbitrary values: rejected, or same structure and the value round-trips`, () => {
    expect(field.appears(baseline, field.valid)).toBe(true);
    fc.assert(
      fc.property(candidates(field.valid), (value) => {
        stats.runs += 1;
        const input = exampleInput();
        field.set(input, value);
        let output: Output;
        try {
          output = render(input);
        } catch (error) {
          // Only a validation error is an acceptable refusal; anything else is a bug.
          expect((error as Error).name).toBe("PlatformValidationError");
          return;
        }
        stats.accepted += 1;
        accepted.push(value);
        expect(signature(output)).toBe(baselineShape);
        expect(field.appears(output, value)).toBe(true);
        // Terraform evaluates "${…}" and "%{…}" in any string of cdk.tf.json.
        if (field.reachesTerraform && /[$%]\{/.test(value)) throw new Error(`a value with a Terraform interpolation was accepted: ${JSON.stringify(value)}`);
      }),
      { numRuns: RUNS_PER_FIELD, seed: 20261129 },
    );
  });

  if (field.realPrograms) {
    test.each(everyOs().map((p) => [p.os, p] as const))(
      "a sample of accepted values: postconf -n and doveconf -n of %s see exactly the baseline's settings",
      (os, programs) => {
        const keys = (dir: string) => {
          const postconf = programs.run("postconf", ["-c", join(dir, "etc/postfix"), "-n"]);
          const doveconf = programs.run("doveconf", ["-n", "-c", join(dir, "etc/dovecot/dovecot.conf")]);
          return {
            postconf: postconf.stdout
              .split("\n")
              .filter(Boolean)
              .map((l) => l.split(" = ")[0]!.replace(/^out-[a-z0-9-]+_/, "out-*_"))
              .filter((k) => k !== "config_directory")
              .sort(),
            postconfWarnings: postconf.stderr,
            doveconf:
              doveconf.status === 0
                ? doveconf.stdout
                    .split("\n")
                    .filter((l) => !l.startsWith("#"))
                    .map((l) => l.trim().split(/ [=]|\{/)[0])
                : [`exit ${doveconf.status}: ${doveconf.stderr}`],
          };
        };
        const write = (hosts: readonly HostFiles[]) => {
          const dir = mkdtempSync(join(tmpdir(), "mail-platform-injection-"));
          writeHostFiles(dir, hosts);
          ageFiles(dir);
          return join(dir, hosts[0]!.host);
        };
        const onOs = (input: PlatformInput) => ({ ...input, os });
        const expected = keys(write(render(onOs(baselineInput)).hosts));
        // The baseline itself must pass, or equal errors would compare equal.
        expect({ warnings: expected.postconfWarnings, doveconf: expected.doveconf[0] }).toEqual({
          warnings: "",
          doveconf: expect.not.stringMatching(/^exit /),
        });
        const sample = [...new Set(accepted)].slice(0, REAL_PROGRAM_SAMPLES_PER_FIELD);
        for (const value of sample) {
          const input = exampleInput();
          field.set(input, value);
          const got = keys(write(render(onOs(input)).hosts));
          expect({ value, ...got }).toEqual({ value, ...expected });
          stats.checkedWithPrograms += 1;
        }
      },
      120_000,
    );
  }
});

afterAll(() => {
  // At least 10,000 runs in total in CI; every run of this process's count ran.
  expect(FIELDS.length * CI_RUNS_PER_FIELD).toBeGreaterThanOrEqual(10_000);
  expect(stats.runs).toBe(FIELDS.length * RUNS_PER_FIELD);
  process.stdout.write(`injection property: ${stats.runs} runs, ${stats.accepted} accepted, ${stats.checkedWithPrograms} checked with postconf/doveconf\n`);
});
