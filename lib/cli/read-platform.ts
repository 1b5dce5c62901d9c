/** Reading and validating a platform file for CLI commands. */
import { readFileSync } from "fs";
import { validatePlatformText } from "../validation/load";
import { formatIssues, type PlatformIssue } from "../model/issues";
import type { PlatformSpec } from "../model/schema";
import { UsageError, type CliIo } from "./io";

/** Read the file's bytes (decoded, strictly as UTF-8, by validation) or raise a usage error naming it. */
export function readPlatformFile(file: string, command: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : "cannot be read";
    throw new UsageError(`${file}: ${reason}`, command);
  }
}

/** Print every problem of an invalid file. */
export function reportIssues(io: CliIo, file: string, issues: readonly PlatformIssue[]): void {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  io.err(`${file} is invalid (${count}):\n${formatIssues(issues)}\n`);
}

/** Read and validate; `undefined` after printing the problems when invalid. */
export function loadPlatformFile(io: CliIo, file: string, command: string): PlatformSpec | undefined {
  const result = validatePlatformText(readPlatformFile(file, command));
  if (result.ok) return result.spec;
  reportIssues(io, file, result.issues);
  return undefined;
}
