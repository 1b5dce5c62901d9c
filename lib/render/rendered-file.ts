import { UserError } from "../errors";

/** A file produced by a renderer, with its path relative to the host's root directory. */
export interface RenderedFile {
  /** Path below the host root, without a leading slash, e.g. `etc/postfix/main.cf`. */
  readonly path: string;
  /** The whole file text, ending with a newline. */
  readonly content: string;
  /** File mode as octal text, e.g. `0644`. */
  readonly mode: string;
}

/**
 * Thrown when a renderer is handed a value that would break the syntax of its file: a value
 * of the model that validation let through, so the user can fix it by changing that value.
 */
export class UnsafeValueError extends UserError {
  constructor(file: string, what: string, value: string, rule: string) {
    super(`refusing to write ${what} = ${JSON.stringify(value)} to ${file}: ${rule}`);
    this.name = "UnsafeValueError";
  }
}
