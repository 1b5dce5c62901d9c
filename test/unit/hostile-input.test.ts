/**
 * Hostile input through every door: `mail-platform validate`, `render` and `zone`,
 * `MailPlatform.fromFile` run as under `cdktf synth`, and typed props. Each root cause gets
 * several inputs of its own; an invalid one must end with exit 1 (or a PlatformValidationError),
 * its field path and message, no stack trace, no "internal error" and nothing written. A
 * legitimate input that only looks hostile must pass every door.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { Testing, TerraformStack } from "cdktf";
import { run } from "../../lib/cli/main";
import { MailPlatform } from "../../lib/constructs/mail-platform";
import { PlatformValidationError } from "../../lib/model/issues";
import type { PlatformInput } from "../../lib/model/schema";
import { validatePlatform } from "../../lib/validation/validate";
import { exampleInput } from "../support/example";
import { platformOf, renameHost } from "../support/variants";

const dir = mkdtempSync(join(tmpdir(), "hostile-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function fileWith(content: string | Uint8Array, extension = "yaml"): string {
  const path = join(dir, `model-${++files}.${extension}`);
  writeFileSync(path, content);
  return path;
}

class ExitCalled extends Error {
  constructor(readonly code: number | undefined) {
    super(`process.exit(${code})`);
  }
}

/** `MailPlatform.fromFile` as the cdktf CLI runs it (CDKTF_OUTDIR set), exit and stderr captured. */
function fromFileUnderSynth(file: string): { code: number | undefined; err: string } {
  let err = "";
  const exit = jest.spyOn(process, "exit").mockImplementation(((code?: number) => {
    throw new ExitCalled(code);
  }) as never);
  const write = jest.spyOn(process.stderr, "write").mockImplementation(((chunk: string) => {
    err += chunk;
    return true;
  }) as never);
  const previous = process.env.CDKTF_OUTDIR;
  process.env.CDKTF_OUTDIR = join(dir, "cdktf.out");
  try {
    MailPlatform.fromFile(new TerraformStack(Testing.app(), "s"), "mail", file);
    return { code: 0, err };
  } catch (error) {
    if (error instanceof ExitCalled) return { code: error.code, err };
    throw error;
  } finally {
    exit.mockRestore();
    write.mockRestore();
    if (previous === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = previous;
  }
}

const STACK_TRACE = /^\s+at /m;

/** Every file door refuses the file with `expected` (path and message) and writes nothing. */
async function expectRefusedByEveryFileDoor(file: string, expected: RegExp): Promise<void> {
  const validate = await cli("validate", file);
  expect({ code: validate.code, out: validate.out }).toEqual({ code: 1, out: "" });
  expect(validate.err).toMatch(expected);
  expect(validate.err).not.toMatch(STACK_TRACE);
  expect(validate.err).not.toContain("internal error");
  for (const command of ["render", "zone"]) {
    const out = join(dir, `${command}-out-${files}`);
    const result = await cli(command, file, "--out", out);
    expect({ command, code: result.code }).toEqual({ command, code: 1 });
    expect(result.err).toMatch(expected);
    expect(result.err).not.toMatch(STACK_TRACE);
    expect(existsSync(out)).toBe(false);
  }
  const synth = fromFileUnderSynth(file);
  expect(synth.code).toBe(1);
  expect(synth.err).toBe(validate.err);
}

/** The props door refuses the model with `expected` in a PlatformValidationError. */
function expectRefusedAsProps(input: unknown, expected: RegExp): void {
  let thrown: unknown;
  try {
    new MailPlatform(new TerraformStack(Testing.app(), "s"), "mail", { platform: input as PlatformInput });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(PlatformValidationError);
  expect((thrown as Error).message).toMatch(expected);
}

/** Both kinds of door refuse a model that can be written as a file. */
async function expectRefused(input: PlatformInput, expected: RegExp): Promise<void> {
  await expectRefusedByEveryFileDoor(fileWith(stringify(input)), expected);
  expectRefusedAsProps(input, expected);
}

/** Every door accepts the model, and synthesis produces the stack. */
async function expectAcceptedEverywhere(input: PlatformInput): Promise<ReturnType<typeof Testing.synth>> {
  const file = fileWith(stringify(input));
  expect((await cli("validate", file)).code).toBe(0);
  expect((await cli("render", file, "--out", join(dir, `render-ok-${files}`))).code).toBe(0);
  expect((await cli("zone", file, "--out", join(dir, `zone-ok-${files}`))).code).toBe(0);
  expect(fromFileUnderSynth(file).code).toBe(0);
  const stack = new TerraformStack(Testing.app(), "s");
  new MailPlatform(stack, "mail", { platform: input });
  return Testing.synth(stack);
}

function changed(change: (input: PlatformInput) => void): PlatformInput {
  const input = exampleInput();
  change(input);
  return input;
}

describe("1. YAML aliases, tags and nesting are reading problems with a line, not crashes", () => {
  const example = stringify(exampleInput());
  test.each([
    ["an alias to an anchor never set", `${example}extra: *nowhere\n`, /line \d+: the alias \*nowhere names no anchor &nowhere set before it/],
    ["an alias before its anchor", `a: *late\nb: &late 1\n${example}`, /line 1: the alias \*late names no anchor &late set before it/],
    [
      "more than 100 aliases of one anchor",
      `x: &x [1]\ny: [${Array(150).fill("*x").join(", ")}]\n${example}`,
      /uses aliases \(\*name\) 150 times; at most 100 are read/,
    ],
    [
      "billion laughs within 100 aliases",
      [
        "a: &a [x, x, x, x, x, x, x, x, x]",
        ...["b", "c", "d", "e", "f", "g"].map((n, i) => `${n}: &${n} [${Array(9).fill(`*${"abcdefg"[i]}`).join(", ")}]`).slice(0, 5),
      ].join("\n") + `\n${example}`,
      /aliases \(\*name\) expand the document beyond what is read/,
    ],
    ["a !!binary tag", `${example}extra: !!binary aGVsbG8=\n`, /the tag !!binary is not part of the model/],
    ["a !!set tag", `${example}extra: !!set {a, b}\n`, /the tag !!set is not part of the model/],
    ["flow nesting 100,000 deep", `${example}extra: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`, /nested too deeply to read/],
  ])("%s", async (_name, text, expected) => {
    await expectRefusedByEveryFileDoor(fileWith(text), expected);
  });

  test("nesting within what YAML reads but beyond the model's 32 levels: the path of the deepest value", async () => {
    const input = exampleInput() as unknown as Record<string, unknown>;
    let deep: unknown = "x";
    for (let i = 0; i < 40; i++) deep = { a: deep };
    input.extra = deep;
    await expectRefused(input as unknown as PlatformInput, /extra(\.a){31}: expected at most 32 levels of nested lists and mappings/);
  });
});

describe("2. names are judged in the form they are published in", () => {
  test.each([
    [
      "fullwidth letters",
      "ａｃｍｅ-ｃｏｒｐ.example",
      /groups\[1\]\.domains\[2\]\.name: expected a mail domain written in plain ASCII: this spelling uses look-alike characters for acme-corp\.example; write acme-corp\.example/,
    ],
    ["mathematical bold letters", "𝐚𝐜𝐦𝐞-𝐜𝐨𝐫𝐩.example", /look-alike characters for acme-corp\.example/],
    ["a long s", "acme-ſhop.example", /look-alike characters for acme-shop\.example/],
    ["capitals outside ASCII", "Bücher.example", /written as IDNA writes it: bücher\.example \(in A-labels xn--bcher-kva\.example\)/],
    ["a decomposed umlaut (not NFC)", "bu\u0308cher.example", /written as IDNA writes it: bücher\.example/],
  ])("%s", async (_name, name, expected) => {
    await expectRefused(
      changed((input) => input.groups[1]!.domains.push({ name })),
      expected,
    );
  });

  test("one name in two spellings (U-labels and A-labels) is one name: listed twice is refused", async () => {
    const input = changed((input) => {
      input.groups[0]!.domains.push({ name: "bücher.acme-corp.example" });
      input.groups[1]!.domains.push({ name: "xn--bcher-kva.acme-corp.example" });
    });
    await expectRefused(input, /groups\[1\]\.domains\[2\]\.name: a domain belongs to exactly one group; already listed at groups\[0\]\.domains\[2\]\.name/);
  });

  test("a host name in look-alike letters equal to another group's host name is refused at the look-alike", async () => {
    const input = changed((input) => {
      input.groups[1]!.addresses[0]!.hostName = "ｍａｉｌ.acme-corp.example";
    });
    await expectRefused(input, /groups\[1\]\.addresses\[0\]\.hostName: expected the public host name of this address written in plain ASCII/);
  });

  test("a canonical internationalised name passes every door, published in A-labels", async () => {
    const synth = await expectAcceptedEverywhere(changed((input) => input.groups[1]!.domains.push({ name: "bücher.acme-home.example" })));
    expect(synth).toContain("xn--bcher-kva.acme-home.example");
    expect(synth).not.toContain("bücher");
  });
});

describe("3. a host name the platform generates for something else", () => {
  // The example serves MTA-STS.
  const withMtaSts = (hostName: string, group = 1) =>
    changed((input) => {
      expect(input.dns!.mtaSts).toBeDefined();
      input.groups[group]!.addresses[0]!.hostName = hostName;
    });
  test.each([
    [
      "its own domain's policy host",
      withMtaSts("mta-sts.acme-home.example"),
      /groups\[1\]\.addresses\[0\]\.hostName: mta-sts\.acme-home\.example is the MTA-STS policy host the platform publishes for acme-home\.example; choose another host name/,
    ],
    [
      "another group's policy host",
      withMtaSts("mta-sts.acme-corp.example"),
      /mta-sts\.acme-corp\.example is the MTA-STS policy host the platform publishes for acme-corp\.example/,
    ],
    [
      "the policy host of a second domain",
      withMtaSts("mta-sts.acme-shop.example", 0),
      /groups\[0\]\.addresses\[0\]\.hostName: mta-sts\.acme-shop\.example is the MTA-STS policy host/,
    ],
  ])("%s", async (_name, input, expected) => {
    await expectRefused(input, expected);
  });

  test("without MTA-STS the name is free and every door accepts it", async () => {
    await expectAcceptedEverywhere(
      changed((input) => {
        delete input.dns!.mtaSts;
        input.groups[1]!.addresses[0]!.hostName = "mta-sts.acme-home.example";
      }),
    );
  });
});

describe("4. the ACME server and account: what validate accepts, the host script takes as written", () => {
  const acme = (change: (aws: NonNullable<PlatformInput["aws"]>) => void) => changed((input) => change(input.aws!));
  test.each([
    [
      "a query string",
      acme((aws) => (aws.acmeServer = "https://acme.example/dir?x=1")),
      /aws\.acmeServer: expected an ACME directory URL .*: no query string or fragment/,
    ],
    ["a fragment", acme((aws) => (aws.acmeServer = "https://acme.example/dir#top")), /no query string or fragment/],
    ["an IPv6 literal", acme((aws) => (aws.acmeServer = "https://[::1]/dir")), /the host must be a DNS name, not an IP address/],
    ["an IPv4 address", acme((aws) => (aws.acmeServer = "https://192.0.2.1/dir")), /the host must be a DNS name, not an IP address/],
    ["credentials", acme((aws) => (aws.acmeServer = "https://user:secret@acme.example/dir")), /no user name or password in the URL/],
    ["a newline inside", acme((aws) => (aws.acmeServer = "https://acme.example/di\nr")), /printable ASCII without blanks, tabs or newlines/],
    ["a tab inside", acme((aws) => (aws.acmeServer = "https://acme.\texample/dir")), /printable ASCII without blanks, tabs or newlines/],
    ["plain http", acme((aws) => (aws.acmeServer = "http://acme.example/dir")), /it must start with https:\/\//],
    ["capitals in the host", acme((aws) => (aws.acmeServer = "https://ACME.example/dir")), /the host must be a DNS name \(lowercase only\)/],
    ["a dot-dot segment", acme((aws) => (aws.acmeServer = "https://acme.example/a/../dir")), /a path without \. or \.\. segments/],
    [
      "an apostrophe in the account e-mail",
      acme((aws) => (aws.acmeEmail = "o'brien@acme-corp.example")),
      /aws\.acmeEmail: expected an e-mail address for the ACME account: a local part of at most 64 letters/,
    ],
    ["a blank in the account e-mail", acme((aws) => (aws.acmeEmail = "ops team@acme-corp.example")), /aws\.acmeEmail: .*no quotes, blanks or apostrophes/],
    ["no domain in the account e-mail", acme((aws) => (aws.acmeEmail = "ops@localhost")), /aws\.acmeEmail: .*a domain that is a DNS name/],
  ])("%s", async (_name, input, expected) => {
    await expectRefused(input, expected);
  });

  test("a server with a port and a path, and an account with + and =, pass every door and reach the setup script", async () => {
    const input = acme((aws) => {
      aws.acmeServer = "https://acme.internal.example:14000/acme/directory";
      aws.acmeEmail = "ops+acme=mail@acme-corp.example";
    });
    const synth = await expectAcceptedEverywhere(input);
    const userData = JSON.parse(synth).resource.aws_instance;
    expect(Object.keys(userData).length).toBeGreaterThan(0);
  });
});

describe("8. names that are also properties of every JavaScript object", () => {
  test.each(["constructor", "tostring", "valueof", "hasownproperty"])("a host named %s needs its own placement", async (name) => {
    const input = changed((input) => {
      renameHost(input, "mx1", name);
      input.aws!.hosts = { other: { subnetId: "subnet-0123456789abcdef0" } };
    });
    await expectRefused(input, new RegExp(`aws\\.hosts: every host needs a placement; missing "${name}"`));
  });

  test("a host named constructor with its placement synthesizes an instance with its instance type", async () => {
    const synth = JSON.parse(await expectAcceptedEverywhere(changed((input) => renameHost(input, "mx1", "constructor"))));
    const instances = Object.values(synth.resource.aws_instance) as Array<{ instance_type?: string }>;
    expect(instances.map((i) => i.instance_type)).toEqual(["t3.small"]);
  });

  test("a __proto__ key is refused, not silently dropped (JSON text and props)", async () => {
    const text = JSON.stringify(exampleInput()).replace('"hosts":{', '"hosts":{"__proto__":{"subnetId":"subnet-0123456789abcdef0"},');
    expect(text).toContain("__proto__");
    await expectRefusedByEveryFileDoor(fileWith(text, "json"), /aws\.hosts\.__proto__: expected a field name of the model; __proto__ is never one/);
    expectRefusedAsProps(JSON.parse(text), /aws\.hosts\.__proto__: expected a field name of the model/);
  });
});

describe("9 and 10. bytes, sizes and shapes that are not a model", () => {
  test("bytes that are not UTF-8 are reported with their line, never replaced by U+FFFD", async () => {
    const text = Buffer.from(stringify(exampleInput()).replace("name: acme-mail", "name: acme-mail\ncomment: X"));
    const bytes = Buffer.concat([text.subarray(0, text.indexOf("X")), Buffer.from([0xff, 0xfe]), text.subarray(text.indexOf("X") + 1)]);
    await expectRefusedByEveryFileDoor(fileWith(bytes), /line 2: the file is not UTF-8 text \(byte 0xff at offset \d+\); save it as UTF-8/);
  });

  test("a byte-order mark is not a problem", async () => {
    const file = fileWith(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(stringify(exampleInput()))]));
    expect((await cli("validate", file)).code).toBe(0);
  });

  test("a 20 MB name is refused by length before any pattern runs", async () => {
    const input = changed((input) => (input.groups[0]!.name = "a".repeat(20_000_000)));
    const result = validatePlatform(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([
      { path: "groups[0].name", received: '"(20,000,000 characters)"', message: "expected at most 10,000 characters (no field of the model is longer)" },
    ]);
    expectRefusedAsProps(input, /groups\[0\]\.name: expected at most 10,000 characters/);
  });

  test("names just inside the length cap are judged by their own rules without exhausting the stack", () => {
    for (const value of ["a".repeat(10_000), "a-".repeat(4_999) + "a", "ａ".repeat(10_000)]) {
      const result = validatePlatform(
        changed((input) => {
          input.name = value;
          input.groups[0]!.domains[0]!.name = `${value}.example`.slice(0, 10_000);
          input.tls = { profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers: value } };
        }),
      );
      expect(result.ok).toBe(false);
      if (!result.ok) for (const i of result.issues) expect(i.message).not.toMatch(/call stack/);
    }
  });

  test("a model of 40 levels, a cycle, a getter that throws, a revoked proxy, a function, a bigint, a Map: each refused with its path", () => {
    const input = exampleInput() as unknown as Record<string, unknown>;
    const cycle: Record<string, unknown> = { x: 1 };
    cycle.self = cycle;
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    input.cycle = cycle;
    Object.defineProperty(input, "getter", {
      enumerable: true,
      get: () => {
        throw new Error("boom from the caller");
      },
    });
    input.revoked = revoked.proxy;
    input.fn = () => 1;
    input.big = 10n;
    input.map = new Map([["a", 1]]);
    input.nan = Number.NaN;
    const result = validatePlatform(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "big: expected a number, not a bigint",
      "cycle.self: expected plain data without cycles: this value contains itself",
      "fn: expected plain data: a string, number, boolean, list or mapping",
      "getter: expected plain data; reading this value failed: boom from the caller",
      "map: expected plain data: a mapping of fields, not an instance of a class",
      "nan: expected a finite number",
      "revoked: expected plain data; reading this value failed: Cannot perform 'IsArray' on a proxy that has been revoked",
    ]);
  });

  test("getters run once: a getter that changes its answer cannot pass validation with one value and deploy another", () => {
    let reads = 0;
    const input = exampleInput() as unknown as Record<string, unknown>;
    const name = input.name;
    Object.defineProperty(input, "name", { enumerable: true, get: () => (reads++ === 0 ? name : "Not Valid") });
    const stack = new TerraformStack(Testing.app(), "s");
    const platform = new MailPlatform(stack, "mail", { platform: input as unknown as PlatformInput });
    expect(platform.spec.name).toBe("acme-mail");
    expect(reads).toBe(1);
  });
});

describe("5, 7 and 9 at every door: limits, cipher strings and models a real program or AWS refuses", () => {
  const custom = (ciphers: string) => changed((input) => (input.tls = { profile: "custom", custom: { minProtocol: "TLSv1.2", ciphers } }));

  test.each([
    ["16 hosts × 48 groups on t3.small", platformOf(16, 48, "t3.small"), /aws\.hosts\.mx0\.instanceType: .*48 .*addresses/],
    ["a cipher OpenSSL does not know", custom("ECDHE+AESGCM:SEED:!aNULL"), /tls\.custom\.ciphers: "SEED" matches no cipher of OpenSSL/],
    ["FIPS enables anonymous suites", custom("FIPS"), /tls\.custom\.ciphers: the cipher string can enable weak suites: anonymous \(aNULL\) via "FIPS"/],
    ["@SECLEVEL=5 refuses certbot's key", custom("ECDHE+AESGCM:!aNULL:@SECLEVEL=5"), /tls\.custom\.ciphers: .*@SECLEVEL=5/],
    ["stripping From", changed((input) => (input.privacy = { stripHeaders: ["From"] })), /privacy\.stripHeaders\[0\]: /],
    ["a DNSBL reply octet over 255", changed((input) => (input.dnsbl!.sites![0]!.replyFilter = "127.0.0.[2..300]")), /dnsbl\.sites\[0\]\.replyFilter: /],
    [
      "an all-zero TLSA pin",
      changed((input) => (input.groups[0]!.addresses[0]!.tlsaSpkiSha256 = "0".repeat(64))),
      /groups\[0\]\.addresses\[0\]\.tlsaSpkiSha256: /,
    ],
    [
      "an acknowledgement of invisible characters",
      changed((input) => (input.tls = { profile: "legacy-2015", legacyAcknowledgement: "\u200b".repeat(12) })),
      /tls\.legacyAcknowledgement: /,
    ],
    ["a tag key with the reserved aws: prefix", changed((input) => (input.aws!.tags = { "aws:owner": "ops" })), /aws\.tags\.aws:owner: /],
  ])("%s", async (_name, input, expected) => {
    await expectRefused(input, expected);
  });
});

describe("6. size", () => {
  test("a platform file beyond 64 MB is one problem before the YAML reader holds it (a million domains ran out of memory)", async () => {
    const file = fileWith(Buffer.alloc(64 * 1024 * 1024 + 1, "#"));
    await expectRefusedByEveryFileDoor(
      file,
      /\(top level\): expected a platform file of at most 64\.0 MB \(100,000 domains take about 14 MB\); split the platform \(received: "\(64\.0 MB of text\)"\)/,
    );
  });
});
