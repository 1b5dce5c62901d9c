/**
 * The two kinds of failure, told apart by type and never by message: a {@link UserError} is
 * something the user can fix (the input, a limit, this machine's programs or addresses); any
 * other error that escapes is a defect of this library. Commands print the first plainly and
 * report the second as a bug.
 */

/** Options of a {@link UserError}. */
export interface UserErrorOptions {
  /** The error this one explains, kept for debugging. */
  readonly cause?: unknown;
  /**
   * Where the problem is: a field path of the model (`groups[1].domains[0].name`) or a
   * construct path (`stack/mail/host-mx1`). Default: none.
   */
  readonly path?: string;
}

/** A failure the user can fix; its message says what was wrong and what is allowed. */
export class UserError extends Error {
  /** Where the problem is, when one place can be named. */
  public readonly path?: string;

  constructor(message: string, options: UserErrorOptions = {}) {
    super(options.path === undefined ? message : `${options.path}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** Whether an error is one the user can fix (a {@link UserError} or a subclass), by type. */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
