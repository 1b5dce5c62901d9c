/**
 * User errors and defects are told apart by type: every error class the user can act on is a
 * UserError, the CLI prints those plainly and reports anything else as a bug, and the local
 * runner refuses a model beyond its limits before it touches the state directory.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { stringify } from "yaml";
import { isUserError, UserError } from "../../lib/errors";
import { run } from "../../lib/cli/main";
import { UsageError } from "../../lib/cli/io";
import { LocalInstanceError } from "../../lib/local/instance-error";
import { checkLocalLimits } from "../../lib/local/limits";
import { loopbackPlan } from "../../lib/local/conventions";
import { PlatformValidationError } from "../../lib/model/issues";
import { UnsafeValueError } from "../../lib/render/rendered-file";
import { UserDataTooLargeError } from "../../lib/rollout/bootstrap/user-data";
import { FirstBootError } from "../../lib/rehearsal/first-boot";
import type { PlatformInput } from "../../lib/model/schema";
import { exampleInput } from "../support/example";
import { parsePlatform } from "../../lib/validation/validate";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { MailPlatform } from "../../lib/constructs/mail-platform";
import { MailZones } from "../../lib/constructs/mail-zones";
import { acknowledgeFinding } from "../../lib/security/acknowledge";

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** The example with `count` groups in all (each with its own domain, zone and address on mx1). */
function withGroups(count: number, hosts = 1): PlatformInput {
  const input = exampleInput() as PlatformInput & { aws: { hosts: Record<string, { instanceType: string }> } };
  for (let i = input.groups.length + 1; i <= count; i++) {
    input.groups.push({
      name: `g${i}`,
      domains: [{ name: `g${i}.example` }],
      addresses: [{ host: "mx1", privateIp: `10.0.1.${20 + i}`, hostName: `mail.g${i}.example` }],
    } as never);
    input.dns!.zones.push({ name: `g${i}.example` } as never);
  }
  // Enough addresses on one interface for every group.
  input.aws.hosts.mx1!.instanceType = "m5.4xlarge";
  for (let h = 2; h <= hosts; h++) (input.hosts as { name: string }[]).push({ name: `mx${h}` });
  return input;
}

describe("every error class the user can act on is a UserError", () => {
  test.each([
    ["PlatformValidationError", new PlatformValidationError([{ path: "name", received: "nothing", message: "required" }])],
    ["UsageError", new UsageError("missing <file>", "validate")],
    ["UnsafeValueError", new UnsafeValueError("main.cf", "myhostname", "a\nb", "one line")],
    ["UserDataTooLargeError", new UserDataTooLargeError("mx1", 20000)],
    ["LocalInstanceError", new LocalInstanceError("needs root")],
    ["FirstBootError", new FirstBootError("setup failed", { ok: false, failures: [], seconds: 1 } as never, "", "")],
  ])("%s", (name, error) => {
    expect(error).toBeInstanceOf(UserError);
    expect(isUserError(error)).toBe(true);
    expect(error.name).toBe(name);
  });

  test("a plain Error is not one", () => {
    expect(isUserError(new Error("x"))).toBe(false);
    expect(isUserError("x")).toBe(false);
  });

  test("a UserError carries its path and names it first", () => {
    const error = new UserError("too many", { path: "groups" });
    expect(error.path).toBe("groups");
    expect(error.message).toBe("groups: too many");
  });
});

describe("local limits", () => {
  test("20 groups fit, 21 do not: a UserError on groups naming the limit", () => {
    expect(() => checkLocalLimits(parsePlatform(withGroups(20)), "127.0.10")).not.toThrow();
    const spec = parsePlatform(withGroups(21));
    let caught: unknown;
    try {
      checkLocalLimits(spec, "127.0.10");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).path).toBe("groups");
    expect((caught as UserError).message).toContain("at most 20 groups");
  });

  test("a group address of a later host beyond the block is a UserError naming that address", () => {
    const spec = parsePlatform(withGroups(2));
    // Ten hosts; the last group of the tenth host lands on .11 + 20 × 9 + 1 = .192: fits.
    const hosts = Array.from({ length: 10 }, (_, i) => ({ ...spec.hosts[0]!, name: `h${i}` }));
    const fits = { ...spec, hosts, groups: spec.groups.map((g) => ({ ...g, addresses: g.addresses.map((a) => ({ ...a, host: "h9" })) })) };
    expect(() => checkLocalLimits(fits, "127.0.10")).not.toThrow();
    // Twenty groups on the tenth host: the tenth group would need .200, the outside world.
    const many = parsePlatform(withGroups(20));
    const tooFar = { ...many, hosts, groups: many.groups.map((g) => ({ ...g, addresses: g.addresses.map((a) => ({ ...a, host: "h9" })) })) };
    expect(() => checkLocalLimits(tooFar, "127.0.10")).toThrow(UserError);
    try {
      checkLocalLimits(tooFar, "127.0.10");
    } catch (error) {
      expect((error as UserError).path).toBe("groups[9].addresses[0].host");
    }
  });

  test("a bad loopback block is a UserError", () => {
    expect(() => checkLocalLimits(parsePlatform(withGroups(2)), "127.0.0")).toThrow(UserError);
    expect(() => loopbackPlan("10.0.0")).toThrow(UserError);
    expect(() => loopbackPlan().address(0, 20)).toThrow(UserError);
  });

  test("local up with 21 groups exits 1 with the limit, and the state directory stays untouched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mail-platform-limits-"));
    // Traversable, as local up requires: the limit alone must stop it.
    chmodSync(dir, 0o755);
    const file = join(dir, "platform.yaml");
    writeFileSync(file, stringify(withGroups(21)));
    const stateDir = join(dir, "state");
    const marker = join(stateDir, "marker");
    mkdirSync(stateDir);
    writeFileSync(marker, "kept\n");
    const result = await cli("local", "up", file, "--state-dir", stateDir);
    expect(result.code).toBe(1);
    expect(result.err).toContain("at most 20 groups");
    expect(result.err).not.toContain("internal error");
    expect(readdirSync(stateDir)).toEqual(["marker"]);
    expect(existsSync(marker)).toBe(true);
  });
});

describe("the CLI tells user errors from defects by type", () => {
  /** Run `validate` with a command that throws what `make` builds (from the module registry `main` uses). */
  async function runWith(make: (errors: typeof import("../../lib/errors")) => unknown) {
    let result: { code: number; err: string } | undefined;
    await jest.isolateModulesAsync(async () => {
      const errors = (await import("../../lib/errors")) as typeof import("../../lib/errors");
      jest.doMock("../../lib/cli/commands", () => ({
        validateCommand: () => {
          throw make(errors);
        },
        renderCommand: () => 0,
        zoneCommand: () => 0,
      }));
      const main = (await import("../../lib/cli/main")) as typeof import("../../lib/cli/main");
      let err = "";
      const code = await main.run(["validate", "x.yaml"], { out: () => undefined, err: (t) => (err += t) });
      result = { code, err };
    });
    jest.dontMock("../../lib/cli/commands");
    return result!;
  }

  test("a UserError prints plainly with exit 1, whatever its message", async () => {
    const result = await runWith((errors) => new errors.UserError("the thing is wrong; allowed: other things"));
    expect(result.code).toBe(1);
    expect(result.err).toBe("mail-platform: the thing is wrong; allowed: other things\n");
  });

  test("any other error is a bug (exit 70), even if its message looks like a user's problem", async () => {
    const result = await runWith(() => new Error("loopback block must look like 127.X.Y"));
    expect(result.code).toBe(70);
    expect(result.err).toContain("internal error");
    expect(result.err).toContain("This is a bug");
  });
});

describe("construct-time errors are UserErrors carrying the construct path", () => {
  function caught(action: () => unknown): UserError {
    try {
      action();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      return error as UserError;
    }
    throw new Error("expected a UserError, nothing was thrown");
  }

  test("two platforms of one name in a stack", () => {
    const stack = new TerraformStack(Testing.app(), "twice");
    new AwsProvider(stack, "aws", { region: "eu-central-1" });
    new MailPlatform(stack, "one", { platform: exampleInput() });
    expect(caught(() => new MailPlatform(stack, "two", { platform: exampleInput() })).path).toBe("twice/two");
  });

  test("a zone id asked of MailZones for a zone the platform does not have", () => {
    const stack = new TerraformStack(Testing.app(), "zones");
    new AwsProvider(stack, "aws", { region: "eu-central-1" });
    const spec = parsePlatform(exampleInput());
    const zones = new MailZones(stack, "zones", { dns: spec.dns!, platform: spec.name });
    expect(caught(() => zones.zoneId("elsewhere.example")).path).toBe("zones/zones");
  });

  test("an acknowledgement without a written reason", () => {
    const stack = new TerraformStack(Testing.app(), "ack");
    expect(caught(() => acknowledgeFinding(stack, "imdsv2-required", "because")).path).toBe("ack");
  });
});
