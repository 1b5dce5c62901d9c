/**
 * Values written into the autoconfiguration documents: text is escaped, and names that must be
 * DNS names are checked to be exactly that, so no value can open an element or an attribute.
 */
import { UnsafeValueError } from "../rendered-file";

/** Characters XML 1.0 does not allow in a document at all (escaping cannot help). */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/u;

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text content or attribute value, escaped (all five predefined entities, so it is safe in both). */
export function xmlText(file: string, what: string, value: string): string {
  if (NOT_XML.test(value)) throw new UnsafeValueError(file, what, value, "XML 1.0 cannot carry control characters");
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const DNS_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`, "i");

/** A host or domain name (letters, digits, hyphens, dots; A-labels), unchanged. */
export function xmlDnsName(file: string, what: string, value: string): string {
  if (!DNS_NAME.test(value)) throw new UnsafeValueError(file, what, value, "expected a DNS name (letters, digits, hyphens and dots)");
  return value;
}
