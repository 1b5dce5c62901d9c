/**
 * The mailboxes the rehearsal deploys: the example platform with users as data. Its mailbox
 * `tester@` logs in once its hash is in SSM; `nohash@` is declared but never gets one; the DMARC
 * and TLS-RPT report addresses and the role addresses deliver to `tester@`.
 */
import type { PlatformInput } from "../../../lib/model/schema";
import { withMailboxes as withTestMailboxes } from "../../support/mailbox-model";

/** The mailbox the probes log in to. */
export const TESTER = "tester@acme-corp.example";
/** A declared mailbox whose hash is never put into SSM: it receives mail and cannot log in. */
export const NO_HASH = "nohash@acme-corp.example";

/** Declare the rehearsal's mailboxes in the example's model (in place). */
export function withMailboxes(input: PlatformInput): void {
  // Only these two, in the business group's first domain: the example's own accounts are cleared.
  if (input.groups[0]?.name !== "business" || input.groups[0].domains[0]?.name !== "acme-corp.example")
    throw new Error("the example's first group is no longer business");
  withTestMailboxes(input, [{ local: "tester" }, { local: "nohash" }]);
}

/** The example's input with the rehearsal's mailboxes, optionally on another release. */
export function mailboxInput(exampleInput: PlatformInput, os?: "debian-12" | "debian-13"): PlatformInput {
  const input = { ...exampleInput, ...(os === undefined ? {} : { os }) };
  withMailboxes(input);
  return input;
}
