/**
 * testssl.sh (Debian package `testssl.sh`, 3.0.8 on Debian 12) against one TLS port, bounded in
 * time, loopback only: `--ip` connects to the given address while SNI and the certificate check
 * use the host name, `--nodns none` makes no DNS query, `--add-ca` trusts the instance's test CA,
 * `--fast` skips the slow per-cipher scan. Findings come from its flat JSON file.
 */
import { spawn } from "child_process";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { join } from "path";
import { systemTmpdir } from "./run-temporary-directory";

/** One finding of testssl.sh. */
export interface TestsslFinding {
  readonly id: string;
  readonly severity: string;
  readonly finding: string;
}

/** Severities that count as problems here. */
export const PROBLEM_SEVERITIES = ["MEDIUM", "HIGH", "CRITICAL"] as const;

/**
 * Findings that come from the throwaway test certificate, not from the TLS configuration: the
 * local runner's CA issues certificates valid for two days (`expires < 30 days`) without CRL or
 * OCSP URI. A production certificate (Let's Encrypt) has neither problem. With `--add-ca` and the
 * host name, the chain and name checks pass and need no exclusion.
 */
export const TEST_CERTIFICATE_FINDINGS: Readonly<Record<string, string>> = {
  cert_expirationStatus: "the test CA issues certificates valid for two days",
  cert_notAfter: "the same two-day validity, reported as the date",
  cert_revocation: "the test CA publishes neither CRL nor OCSP",
};

/** What to probe. */
export interface TestsslTarget {
  /** Address to connect to. */
  readonly ip: string;
  readonly port: number;
  /** Host name for SNI and the certificate name check. */
  readonly name: string;
  /** `smtp`, `imap`, `pop3`: STARTTLS first. @default - TLS from the first byte */
  readonly starttls?: string;
  /** Extra CA file to trust (the instance's test CA). */
  readonly caFile: string;
}

/** Run testssl.sh on one target; every finding (all severities). */
export function testssl(target: TestsslTarget, timeoutSeconds = 300): Promise<TestsslFinding[]> {
  const dir = mkdtempSync(join(systemTmpdir(), "testssl-"));
  const json = join(dir, "findings.json");
  const args = [
    "--fast",
    "--quiet",
    "--color",
    "0",
    "--warnings",
    "off",
    "--nodns",
    "none",
    "--connect-timeout",
    "10",
    "--openssl-timeout",
    "10",
    "--add-ca",
    target.caFile,
    "--ip",
    target.ip,
    "--jsonfile",
    json,
    ...(target.starttls ? ["-t", target.starttls] : []),
    `${target.name}:${target.port}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("testssl", args, { stdio: ["ignore", "pipe", "pipe"], cwd: dir });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutSeconds * 1000);
    child.once("close", () => {
      clearTimeout(timer);
      try {
        const parsed = JSON.parse(readFileSync(json, "utf8")) as Array<{ id: string; severity: string; finding: string }>;
        resolve(parsed.map(({ id, severity, finding }) => ({ id, severity, finding })));
      } catch (error) {
        reject(new Error(`testssl ${args.join(" ")} left no findings (${String(error)}):\n${output.slice(-3000)}`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** The findings of MEDIUM or above that are not the test certificate's. */
export function problems(findings: readonly TestsslFinding[]): TestsslFinding[] {
  return findings.filter((f) => (PROBLEM_SEVERITIES as readonly string[]).includes(f.severity) && !(f.id in TEST_CERTIFICATE_FINDINGS));
}

/** Run several targets, at most `parallel` at a time (the machine's cores are shared). */
export async function testsslAll(targets: readonly TestsslTarget[], parallel = 2): Promise<Map<TestsslTarget, TestsslFinding[]>> {
  const results = new Map<TestsslTarget, TestsslFinding[]>();
  const queue = [...targets];
  const worker = async () => {
    for (let target = queue.shift(); target; target = queue.shift()) results.set(target, await testssl(target));
  };
  await Promise.all(Array.from({ length: Math.min(parallel, targets.length) }, worker));
  return results;
}
