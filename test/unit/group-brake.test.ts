/**
 * The brake on one group's outbound mail: the model flag, its rendering (defer_transports), the
 * in-place edit of the platform file and the `group pause|resume` command's errors. The live
 * behaviour is shown in test/integration/live/group-brake.test.ts.
 */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { setGroupPaused } from "../../lib/cli/group-brake-edit";
import { run } from "../../lib/cli/main";
import { validatePlatform } from "../../lib/validation/validate";
import { EXAMPLE_FILE, exampleInput, exampleSpec, fileText, mainCfSettings, renderExample } from "../support/example";
import { spreadOverThreeHosts } from "../support/variants";

const MAIN = "etc/postfix/main.cf";
const EXAMPLE = readFileSync(EXAMPLE_FILE, "utf8");

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function exampleCopy(text = EXAMPLE, name = "platform.yaml"): string {
  const file = join(mkdtempSync(join(tmpdir(), "mail-platform-brake-")), name);
  writeFileSync(file, text);
  return file;
}

describe("groups[].outbound.paused in the model", () => {
  test("defaults to not paused", () => {
    expect(exampleSpec().groups.map((g) => g.outbound)).toEqual([{ paused: false }, { paused: false }]);
  });

  test("a value that is not a boolean and an unknown key are reported at once, with path, value and what is allowed", () => {
    const input = exampleInput();
    input.groups[0]!.outbound = { paused: "yes" as unknown as boolean };
    (input.groups[1] as Record<string, unknown>).outbound = { pause: true };
    const result = validatePlatform(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: "groups[0].outbound.paused", received: '"yes"', message: "expected true or false" },
      { path: "groups[1].outbound.pause", received: "true", message: "unknown field; allowed fields here: paused" },
    ]);
  });
});

describe("rendering of a paused group", () => {
  test("not paused: no defer_transports at all", () => {
    expect(mainCfSettings(fileText(renderExample(), MAIN)).has("defer_transports")).toBe(false);
  });

  test("paused: Postfix defers that group's transport only, with the reason in a comment", () => {
    const text = fileText(
      renderExample((i) => (i.groups[1]!.outbound = { paused: true })),
      MAIN,
    );
    expect(mainCfSettings(text).get("defer_transports")).toBe("out-private");
    expect(text).toMatch(
      /^# Paused \(groups\[\]\.outbound\.paused\): private; their outbound mail waits in the queue until resumed\.\ndefer_transports = out-private$/m,
    );
    // The other group's transport, the LMTP delivery to the platform's own mailboxes and the
    // backup forwards are untouched.
    expect(text).toMatch(/^virtual_transport = lmtp:unix:private\/dovecot-lmtp$/m);
  });

  test("two paused groups: both transports, in group order", () => {
    const settings = mainCfSettings(
      fileText(
        renderExample((i) => i.groups.forEach((g) => (g.outbound = { paused: true }))),
        MAIN,
      ),
    );
    expect(settings.get("defer_transports")).toBe("out-business, out-private");
  });

  test("every host that carries the group's transport defers it; its backup MX forwards home as before", () => {
    const hosts = renderExample((i) => {
      spreadOverThreeHosts(i);
      i.groups[1]!.outbound = { paused: true };
    });
    const deferred = hosts.map((h) => [h.host, mainCfSettings(fileText(hosts, MAIN, h.host)).get("defer_transports")]);
    expect(deferred).toEqual([
      ["mx1", undefined],
      ["mx2", "out-private"],
      ["mx3", "out-private"],
    ]);
    expect(mainCfSettings(fileText(hosts, MAIN, "mx2")).get("defer_transports")).not.toMatch(/home-/);
  });
});

describe("the in-place edit", () => {
  test("pause adds two lines under the group's name; resume gives back the original text byte for byte", () => {
    const paused = setGroupPaused(EXAMPLE, "private", true, "platform.yaml");
    expect(paused.unchanged).toBe(false);
    expect(paused.text).toBe(EXAMPLE.replace("  - name: private\n", "  - name: private\n    outbound:\n      paused: true\n"));
    const resumed = setGroupPaused(paused.text, "private", false, "platform.yaml");
    expect(resumed).toEqual({ text: EXAMPLE, unchanged: false });
  });

  test("an existing `paused: false` is switched in place, keeping its comment; resume then removes the map", () => {
    const text = EXAMPLE.replace("  - name: business\n", "  - name: business\n    outbound:\n      paused: false   # the brake\n");
    const paused = setGroupPaused(text, "business", true, "platform.yaml");
    expect(paused.text).toBe(text.replace("paused: false   # the brake", "paused: true   # the brake"));
    expect(setGroupPaused(paused.text, "business", false, "platform.yaml").text).toBe(EXAMPLE);
  });

  test("already in the requested state: the same text, marked unchanged", () => {
    expect(setGroupPaused(EXAMPLE, "private", false, "platform.yaml")).toEqual({ text: EXAMPLE, unchanged: true });
  });

  test("a group written as a flow map is refused with advice, not rewritten", () => {
    const text = `name: x\nhosts: [{name: mx1}]\ngroups:\n  - {name: g, domains: [{name: g.example}], addresses: [{host: mx1, privateIp: 10.0.1.11, hostName: mail.g.example}]}\n`;
    expect(() => setGroupPaused(text, "g", true, "p.yaml")).toThrow(
      'p.yaml: group "g" is written in a form this command cannot edit in place; set groups[].outbound.paused by hand',
    );
  });

  test("JSON files stay JSON", () => {
    const json = `${JSON.stringify(exampleInput(), null, 2)}\n`;
    const paused = setGroupPaused(json, "business", true, "p.json", true);
    expect(JSON.parse(paused.text).groups[0].outbound).toEqual({ paused: true });
    expect(setGroupPaused(paused.text, "business", false, "p.json", true).text).toBe(json);
  });
});

describe("mail-platform group pause|resume", () => {
  test("pause edits the file, keeps its mode, says the change waits for a deploy", async () => {
    const file = exampleCopy();
    chmodSync(file, 0o640);
    const result = await cli("group", "pause", file, "private");
    expect(result).toEqual({
      code: 0,
      out: "",
      err: "group pause: group private paused: its outbound mail waits in the queue once the change is rolled out (deploy, or --local for a local instance)\n",
    });
    expect(readFileSync(file, "utf8")).toContain("  - name: private\n    outbound:\n      paused: true\n");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const resumed = await cli("group", "resume", file, "private");
    expect(resumed.code).toBe(0);
    expect(resumed.err).toMatch(/group private resumed: its waiting mail is delivered once the change is rolled out/);
    expect(readFileSync(file, "utf8")).toBe(EXAMPLE);
  });

  test("already paused (or not paused) is no error, and says so", async () => {
    const file = exampleCopy();
    expect(await cli("group", "resume", file, "business")).toEqual({
      code: 0,
      out: "",
      err: `group resume: group business is already not paused in ${file}; the file is unchanged\n`,
    });
    await cli("group", "pause", file, "business");
    const again = await cli("group", "pause", file, "business");
    expect(again.code).toBe(0);
    expect(again.err).toBe(`group pause: group business is already paused in ${file}; the file is unchanged\n`);
  });

  test("an unknown group is an error that lists the groups; the file is untouched", async () => {
    const file = exampleCopy();
    expect(await cli("group", "pause", file, "privat")).toEqual({
      code: 1,
      out: "",
      err: `mail-platform group pause: ${file} has no group "privat"; its groups: business, private\n`,
    });
    expect(readFileSync(file, "utf8")).toBe(EXAMPLE);
  });

  test("a missing file, a missing group argument and an unknown option are usage errors", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "mail-platform-brake-")), "nope.yaml");
    expect(await cli("group", "pause", missing, "private")).toEqual({
      code: 2,
      out: "",
      err: `mail-platform: ${missing}: no such file\nSee: mail-platform group pause --help\n`,
    });
    expect((await cli("group", "resume", EXAMPLE_FILE)).err).toBe("mail-platform: missing <group>\nSee: mail-platform group resume --help\n");
    expect((await cli("group", "pause")).err).toBe("mail-platform: missing <file> and <group>\nSee: mail-platform group pause --help\n");
    expect((await cli("group", "pause", EXAMPLE_FILE, "private", "--now")).code).toBe(2);
    expect((await cli("group", "stop", EXAMPLE_FILE, "private")).err).toBe('mail-platform: unknown command "group stop"\nSee: mail-platform --help\n');
  });

  test("an invalid file is reported with every problem and not edited", async () => {
    const file = exampleCopy(EXAMPLE.replace("priority: high", "priority: urgent"));
    const result = await cli("group", "pause", file, "business");
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/is invalid \(1 problem\):\n.*groups\[0\]\.priority/);
    expect(readFileSync(file, "utf8")).toContain("priority: urgent");
    expect(readFileSync(file, "utf8")).not.toContain("paused");
  });

  test("--local with a directory that holds no instance fails before the file changes, saying why", async () => {
    const file = exampleCopy();
    const result = await cli("group", "pause", file, "private", "--local", join(tmpdir(), "no-such-mail-platform-state"));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^mail-platform group pause: .*no-such-mail-platform-state/);
    expect(readFileSync(file, "utf8")).toBe(EXAMPLE);
  });

  test("help", async () => {
    const result = await cli("group", "pause", "--help");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Usage: mail-platform group pause <file> <group> \[--local DIR\]/);
    expect((await cli("group")).err).toMatch(/^Usage: mail-platform group pause\|resume/);
  });
});
