/** A failure of the local instance, explained for the user (no stack trace). */
export class LocalInstanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalInstanceError";
  }
}
