/**
 * `mail-platform rehearse <file>`: boot one host of the platform (or several at once) the way
 * `cdktf deploy` would create it, against local stand-ins for AWS, ACME and Debian's mirror, and
 * report whether it serves. Needs root (network namespaces, systemd-nspawn, port 443 and 80 stand-ins).
 */
import { parseArgs } from "util";
import { parsePlatformText } from "../validation/load";
import type { PlatformInput } from "../model/schema";
import { FirstBootError } from "../rehearsal/first-boot";
import { Rehearsal } from "../rehearsal/rehearsal";
import { smokeChecks } from "../rehearsal/smoke-checks";
import { EXIT, UsageError, type CliIo } from "./io";
import { loadPlatformFile, readPlatformFile } from "./read-platform";

/** `mail-platform rehearse <file> [--host NAME | --hosts A,B | --hosts all] [--region R] [--timeout S] [--keep]`. */
export async function rehearseCommand(args: string[], io: CliIo, help: string): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        help: { type: "boolean", short: "h" },
        host: { type: "string" },
        hosts: { type: "string" },
        region: { type: "string" },
        timeout: { type: "string" },
        keep: { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message, "rehearse");
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(help);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? "missing <file>" : `expected one <file>, got ${positionals.length}`, "rehearse");
  const timeoutSeconds = Number(values.timeout ?? 1200);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 60)
    throw new UsageError(`--timeout must be a whole number of seconds, at least 60, got ${JSON.stringify(values.timeout)}`, "rehearse");
  const file = positionals[0]!;
  const spec = loadPlatformFile(io, file, "rehearse");
  if (!spec) return EXIT.invalid;
  if (values.host !== undefined && values.hosts !== undefined) throw new UsageError("give either --host or --hosts, not both", "rehearse");
  const hostList =
    values.hosts === undefined ? undefined : values.hosts === "all" ? spec.hosts.map((h) => h.name) : values.hosts.split(",").map((h) => h.trim());
  if (hostList !== undefined && (hostList.length === 0 || hostList.some((h) => h === "") || new Set(hostList).size !== hostList.length))
    throw new UsageError(`--hosts takes host names separated by commas, each once, or "all"; got ${JSON.stringify(values.hosts)}`, "rehearse");
  for (const host of hostList ?? (values.host === undefined ? [] : [values.host])) {
    if (!spec.hosts.some((h) => h.name === host)) {
      io.err(`mail-platform rehearse: ${file} has no host ${JSON.stringify(host)} (hosts: ${spec.hosts.map((h) => h.name).join(", ")})\n`);
      return EXIT.invalid;
    }
  }
  if (!spec.aws || !spec.dns) {
    io.err(`mail-platform rehearse: ${file} has no ${spec.aws ? "dns" : "aws"} section: there is no deployment to rehearse\n`);
    return EXIT.invalid;
  }
  if (process.getuid?.() !== 0) {
    io.err("mail-platform rehearse: needs root (network namespaces, systemd-nspawn, the stand-ins' ports)\n");
    return EXIT.invalid;
  }
  // The same reading as validation's (strict UTF-8, the same YAML options), which just accepted this file.
  const text = parsePlatformText(readPlatformFile(file, "rehearse").toString("utf8"));
  if (!text.ok) return EXIT.invalid;
  const input = text.value as PlatformInput;

  const log = (line: string) => io.err(`rehearse: ${line}\n`);
  const rehearsal = await Rehearsal.start({
    input,
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(hostList === undefined ? {} : { hosts: hostList }),
    ...(values.region === undefined ? {} : { region: values.region }),
    log,
  });
  let stopping = false;
  const stop = async (keepFiles: boolean) => {
    if (stopping) return;
    stopping = true;
    await rehearsal.stop({ keepFiles });
  };
  try {
    log(`first boot of ${rehearsal.hostNames.join(", ")} (log: /var/log/mail-platform-setup.log in each host)`);
    const outcome = await rehearsal.waitForFirstBoot({ timeoutMs: timeoutSeconds * 1000, maxFailures: 1 });
    const root = await rehearsal.acme.issuingRoot(rehearsal.ca.pem);
    const calls = rehearsal.world.calls.filter((c) => c.service !== "imds");
    const common = {
      timings: rehearsal.timings,
      substitutions: { acmeServer: rehearsal.substitutions.acmeServer, dkimTestKeysFor: [...rehearsal.substitutions.dkimPrivateKeys.keys()] },
      awsCalls: {
        allowed: calls.filter((c) => c.decision === "allowed").length,
        denied: calls.filter((c) => c.decision === "denied").map((c) => `${c.action} on ${c.resource}`),
      },
    };
    // One host: its fields at the top, as ever; several: one entry per host, each with its checks.
    const perHost = [];
    for (const machine of rehearsal.machines) {
      perHost.push({
        host: machine.name,
        os: machine.plan.os,
        release: machine.image.recipe.release,
        attempts: (machine.outcome?.failures.length ?? 0) + 1,
        checks: await smokeChecks(machine.plan, root),
      });
    }
    const checks = perHost.flatMap((h) => h.checks);
    const report = perHost.length === 1 ? { ...perHost[0]!, ...common, attempts: outcome.failures.length + 1 } : { hosts: perHost, ...common };
    io.out(`${JSON.stringify(report, null, 2)}\n`);
    const ok = checks.every((c) => c.ok);
    if (values.keep) {
      for (const machine of rehearsal.machines)
        log(`${machine.name} keeps running: nsenter --target ${machine.container.leader} --all /bin/bash   (Ctrl-C stops it)`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
    }
    await stop(false);
    return ok ? EXIT.ok : EXIT.invalid;
  } catch (error) {
    if (error instanceof FirstBootError) {
      io.err(`mail-platform rehearse: ${error.message}\nThe run's files stay in ${rehearsal.runDir}\n`);
      await stop(true);
      return EXIT.invalid;
    }
    await stop(true);
    throw error;
  }
}
