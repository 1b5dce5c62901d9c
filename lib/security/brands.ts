/**
 * How the rule pack recognises the platform's own constructs without importing them: the
 * constructs apply the rule pack, so an `instanceof` here would make the two import each other.
 * Each construct marks itself with a well-known symbol instead, and the rules ask for the mark
 * through a type guard, as cdktf does for `TerraformStack.isStack` and aws-cdk-lib for
 * `Stack.isStack`. `Symbol.for` gives the same symbol to every copy of the library loaded into
 * one process, so a platform built with one copy is recognised by the rules of another.
 */
import type { IConstruct } from "constructs";
import type { HostFiles } from "../render/host-files";

const MAIL_PLATFORM = Symbol.for("cdktf-mail-platform/MailPlatform");
const MAIL_FIREWALL = Symbol.for("cdktf-mail-platform/MailFirewall");

/** What the rule pack reads of a `MailPlatform`. */
export interface BrandedMailPlatform extends IConstruct {
  /** Rendered files of every host. */
  readonly renderedFiles: readonly HostFiles[];
}

/** What the rule pack reads of a `MailFirewall`. */
export interface BrandedMailFirewall extends IConstruct {
  /** Ports the firewall may open: the enabled services and the configured extra ingress. */
  readonly allowedIngressPorts: ReadonlySet<number>;
}

function brand(construct: IConstruct, mark: symbol): void {
  Object.defineProperty(construct, mark, { value: true });
}

function hasBrand(x: unknown, mark: symbol): boolean {
  return x !== null && typeof x === "object" && mark in x;
}

/** Mark a construct as a `MailPlatform` (called by its constructor). */
export function brandMailPlatform(construct: BrandedMailPlatform): void {
  brand(construct, MAIL_PLATFORM);
}

/** Whether `x` is a `MailPlatform` (of any copy of the library). */
export function isMailPlatform(x: unknown): x is BrandedMailPlatform {
  return hasBrand(x, MAIL_PLATFORM);
}

/** Mark a construct as a `MailFirewall` (called by its constructor). */
export function brandMailFirewall(construct: BrandedMailFirewall): void {
  brand(construct, MAIL_FIREWALL);
}

/** Whether `x` is a `MailFirewall` (of any copy of the library). */
export function isMailFirewall(x: unknown): x is BrandedMailFirewall {
  return hasBrand(x, MAIL_FIREWALL);
}
