import { UserError } from "../errors";

/** Where the CLI writes; tests pass collectors, the binary passes the process streams. */
export interface CliIo {
  /** Normal output. */
  out(text: string): void;
  /** Errors and diagnostics. */
  err(text: string): void;
}

/** Exit codes of `mail-platform`. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The platform file is invalid (every problem was printed), or another failure the user can fix. */
  invalid: 1,
  /** Wrong usage: unknown command or option, missing argument, unreadable file. */
  usage: 2,
  /** A bug in mail-platform itself. */
  internal: 70,
} as const;

/** A usage problem: printed with the command's help hint, exit code 2. */
export class UsageError extends UserError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}
