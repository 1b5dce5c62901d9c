import { UserError } from "../errors";

/** A failure of the local instance, explained for the user (no stack trace). */
export class LocalInstanceError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "LocalInstanceError";
  }
}
