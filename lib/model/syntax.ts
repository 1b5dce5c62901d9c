/**
 * Field-level validators shared by the model schema.
 *
 * Every string that can reach main.cf, master.cf, a lookup table, dovecot.conf or a DNS
 * record is constrained here to a character set that is inert in all of those syntaxes:
 * no whitespace, `$`, `#`, `,`, `{`, `}`, `<`, `%`, quotes or newlines unless a validator
 * says otherwise. The renderers additionally refuse structurally unsafe values (a bug
 * guard), but this module is where user input is judged and explained.
 */
import { domainToASCII, domainToUnicode } from "url";
import { z } from "zod";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why a DNS name is invalid, or undefined when it is valid. */
export function dnsNameProblem(value: string): string | undefined {
  if (value.length > 253) return "at most 253 characters";
  if (value.endsWith(".")) return "no trailing dot";
  if (value !== value.toLowerCase()) return "lowercase only";
  const labels = value.split(".");
  if (labels.length < 2) return "at least two labels, such as example.com";
  for (const label of labels) {
    if (label.length === 0) return "no empty labels (two dots in a row)";
    if (label.length > 63) return "labels of at most 63 characters";
    if (!LABEL.test(label)) {
      return "labels of letters a-z, digits and inner hyphens only";
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return "a top-level label that is not all digits (an IP address is not a name)";
  }
  return undefined;
}

/**
 * An internationalised name converted to A-labels (`bücher.example` → `xn--bcher-kva.example`),
 * the form DNS, Postfix and certificates use; the same name, spelled for the wire. ASCII input
 * is returned unchanged (and must already be lowercase).
 */
export function toALabels(value: string): string {
  if (!/[^\x00-\x7f]/.test(value)) return value;
  // Only names made of letters, marks, digits, dots and hyphens are converted: the URL parser
  // behind domainToASCII would otherwise cut "a.ü?b" at the "?" and return a different name.
  if (!/^[\p{L}\p{M}\p{N}.-]+$/u.test(value)) return value;
  const ascii = domainToASCII(value);
  if (ascii === "" || ascii.split(".").length !== value.split(".").length) return value;
  return ascii;
}

/**
 * Why a name with non-ASCII characters is not written the way IDNA writes it, or undefined.
 * IDNA maps compatibility characters (fullwidth `ａ`, mathematical `𝐚`, long `ſ`, capitals) onto
 * others; a name that only becomes valid through that mapping would be judged unique in one
 * spelling and then land on the same DNS name as another, so it must be written canonically.
 */
export function unicodeNameProblem(value: string): string | undefined {
  if (!/[^\x00-\x7f]/.test(value)) return undefined;
  const ascii = toALabels(value);
  if (ascii === value) return undefined; // not convertible: the DNS syntax check explains why
  const canonical = domainToUnicode(ascii);
  if (canonical === value) return undefined;
  return ascii.split(".").some((label) => label.startsWith("xn--"))
    ? `written as IDNA writes it: ${canonical} (in A-labels ${ascii}); this spelling maps onto that name`
    : `written in plain ASCII: this spelling uses look-alike characters for ${ascii}; write ${ascii}`;
}

/**
 * A fully qualified DNS name in lowercase ASCII without a trailing dot. Internationalised
 * names are accepted and converted to A-labels.
 */
export const dnsName = (what: string) =>
  z
    .string()
    .check((ctx) => {
      const problem = unicodeNameProblem(ctx.value);
      if (problem) ctx.issues.push({ code: "custom", input: ctx.value, message: `expected ${what} ${problem}` });
    })
    .transform(toALabels)
    .check((ctx) => {
      const problem = dnsNameProblem(ctx.value);
      if (problem) {
        ctx.issues.push({
          code: "custom",
          input: ctx.value,
          message: `expected ${what}: a fully qualified DNS name (${problem})`,
        });
      }
    });

/** RFC 1918 private IPv4 ranges: the addresses a VPC network interface carries. */
const PRIVATE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [ipv4ToNumber("10.0.0.0"), 8],
  [ipv4ToNumber("172.16.0.0"), 12],
  [ipv4ToNumber("192.168.0.0"), 16],
];

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

/** The 32-bit value of a dotted-quad IPv4 address (the caller has validated it). */
export function ipv4ToNumber(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function inRange(ip: string, [base, bits]: readonly [number, number]): boolean {
  const size = 2 ** (32 - bits);
  const value = ipv4ToNumber(ip);
  return value >= base && value < base + size;
}

/** A private (RFC 1918) IPv4 address in dotted-quad form. */
export const privateIpv4 = z
  .ipv4({ error: "expected an IPv4 address in dotted-quad form, such as 10.0.1.11" })
  // A malformed address has its own message already; judge the range of well-formed ones only.
  .refine((ip) => !isIpv4(ip) || PRIVATE_RANGES.some((range) => inRange(ip, range)), {
    error: "expected a private IPv4 address (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)",
  });

/** A public IPv4 address (not private, loopback, link-local, multicast or reserved). */
export const publicIpv4 = z.ipv4({ error: "expected an IPv4 address in dotted-quad form, such as 203.0.113.10" }).refine(
  (ip) => {
    if (!isIpv4(ip)) return true;
    const first = Number(ip.split(".")[0]);
    const nonPublic: ReadonlyArray<readonly [number, number]> = [
      ...PRIVATE_RANGES,
      [ipv4ToNumber("0.0.0.0"), 8],
      [ipv4ToNumber("100.64.0.0"), 10],
      [ipv4ToNumber("127.0.0.0"), 8],
      [ipv4ToNumber("169.254.0.0"), 16],
    ];
    return first < 224 && !nonPublic.some((range) => inRange(ip, range));
  },
  { error: "expected a public IPv4 address (not private, shared, loopback, link-local or multicast)" },
);

/**
 * A short identifier used inside Postfix service and transport names, syslog names and
 * cloud resource names: lowercase letter first, then letters, digits and single hyphens.
 */
export const identifier = (what: string, maxLength: number) =>
  z
    .string()
    .regex(/^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/, {
      error: `expected ${what}: a lowercase letter, then lowercase letters, digits or single inner hyphens`,
    })
    .max(maxLength, { error: `expected ${what} of at most ${maxLength} characters` });

/** An RFC 5322 header field name, restricted to letters, digits and hyphens. */
export const headerName = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/, {
  error: "expected a header field name of letters, digits and inner hyphens (such as X-Originating-IP), without the colon",
});

/**
 * Text sent to SMTP peers. Printable ASCII only; `$` and `\` are excluded because Postfix
 * expands or escapes them in reply footers.
 */
export const smtpReplyText = z
  .string()
  .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, {
    error: "expected printable ASCII text without leading or trailing blanks",
  })
  .max(200, { error: "expected at most 200 characters (long replies are cut by peers)" })
  .refine((text) => !/[$\\]/.test(text), { error: "expected text without `$` or `\\`" });

/** An absolute file-system path of safe characters (no spaces, `..`, `$` or quotes). */
export const absolutePath = z
  .string()
  .regex(/^(?:\/[A-Za-z0-9._-]+)+\/?$/, {
    error: "expected an absolute path of letters, digits, '.', '_', '-' and '/' (such as /etc/letsencrypt/live)",
  })
  .refine((path) => !path.split("/").includes(".."), { error: "expected a path without '..'" });

/**
 * A written reason an operator gives to acknowledge a weakened setting. It is shown in
 * the rendered file as a comment, so it is one line of printable text.
 */
export const acknowledgement = z
  .string()
  .regex(/^[^\p{Cc}\p{Zl}\p{Zp}]*$/u, { error: "expected one line of text without control characters" })
  .refine((text) => text.trim().length >= 10, { error: "expected a written reason of at least 10 characters" })
  .refine((text) => text.length <= 300, { error: "expected a reason of at most 300 characters" });

/** Characters a URL path may use here: those the host's setup script passes to certbot unquoted-safe. */
const URL_PATH = /^(?:\/[A-Za-z0-9._+=-]*)*$/;

/**
 * An ACME directory URL: `https://<DNS name>[:port]/<path>`. No credentials (they would be copied
 * into the instance's user data, readable by anything on the host), no query or fragment, no
 * IP literal, and nothing the URL parser would drop or rewrite silently (blanks, tabs, newlines,
 * backslashes, capitals in the host): what is written is what certbot is given.
 */
export const acmeDirectoryUrl = z.string().check((ctx) => {
  const problem = acmeDirectoryUrlProblem(ctx.value);
  if (problem)
    ctx.issues.push({
      code: "custom",
      input: ctx.value,
      message: `expected an ACME directory URL such as https://acme-v02.api.letsencrypt.org/directory: ${problem}`,
    });
});

function acmeDirectoryUrlProblem(value: string): string | undefined {
  if (/[^\x21-\x7e]/.test(value)) return "printable ASCII without blanks, tabs or newlines (a URL parser drops them silently)";
  const match = /^https:\/\/([^/?#]*)(\/[^?#]*)?([?#].*)?$/.exec(value);
  if (!match) return "it must start with https://";
  const [, authority = "", path = "", rest] = match;
  if (authority.includes("@")) return "no user name or password in the URL (they would be copied into the host's user data)";
  if (rest !== undefined) return "no query string or fragment";
  // certbot checks the server's certificate against a name: an IP literal has none to offer.
  if (authority.startsWith("[") || IPV4.test(authority.replace(/:\d+$/, ""))) return "the host must be a DNS name, not an IP address";
  const hostPort = /^([^:]*)(?::(\d{1,5}))?$/.exec(authority);
  if (!hostPort) return "a host name, optionally followed by :port";
  const [, host = "", port] = hostPort;
  const hostProblem = dnsNameProblem(host);
  if (hostProblem) return `the host must be a DNS name (${hostProblem})`;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || port.startsWith("0"))) return "a port of 1..65535";
  if (!URL_PATH.test(path)) return "a path of letters, digits and . _ + = - between slashes";
  if (path.split("/").some((segment) => segment === "." || segment === "..")) return "a path without . or .. segments";
  return undefined;
}

/**
 * Why an address is not letters, digits and `. _ + = -` before the `@` and a DNS name after it, or
 * undefined. `domainForm` gives the domain as it will be used (as written, or in A-labels).
 */
function plainAddressProblem(value: string, domainForm: (domain: string) => string): string | undefined {
  const at = value.lastIndexOf("@");
  const local = value.slice(0, at);
  const domain = domainForm(value.slice(at + 1));
  if (at <= 0) return "a local part, @ and a domain";
  if (local.length > 64 || !/^[A-Za-z0-9_+=-]+(?:\.[A-Za-z0-9_+=-]+)*$/.test(local)) {
    return "a local part of at most 64 letters, digits and . _ + = - (no quotes, blanks or apostrophes)";
  }
  const problem = dnsNameProblem(domain);
  return problem && `a domain that is a DNS name (${problem})`;
}

/**
 * An e-mail address for an account or notices, kept to the characters every consumer (shell,
 * certbot, DNS TXT) takes as they are: letters, digits and `. _ + = -` before the `@`, a DNS
 * name after it.
 */
export const plainEmailAddress = (what: string) =>
  z.string().check((ctx) => {
    const problem = plainAddressProblem(ctx.value, (domain) => domain);
    if (problem) ctx.issues.push({ code: "custom", input: ctx.value, message: `expected ${what}: ${problem}` });
  });

/** An address with its domain in A-labels (the local part as it is). */
function withALabelDomain(address: string): string {
  const at = address.lastIndexOf("@");
  return `${address.slice(0, at)}@${toALabels(address.slice(at + 1))}`;
}

/** Why the local part of one of the platform's own addresses is invalid, or undefined. */
function ownLocalPartProblem(local: string): string | undefined {
  if (local.length === 0 || local.length > 64) return "a local part of 1 to 64 characters";
  if (local !== local.toLowerCase()) return "a lowercase local part (addresses are compared in lowercase)";
  if (local.includes("+")) return "no + in the local part: + is the sub-address delimiter (alice+news@ reaches alice@)";
  if (!/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/.test(local)) return "a local part of letters a-z, digits and . _ - (no dot at either end, no two in a row)";
  return undefined;
}

/**
 * One of the platform's own addresses (a mailbox, an alias, a role target): lowercase letters,
 * digits and `. _ -` before the `@`, a DNS name after it (internationalised names are converted
 * to A-labels). The characters are inert in Postfix tables, Dovecot's passwd-file and SSM
 * parameter names, which is where these addresses go.
 */
export const ownMailAddress = (what: string) =>
  z
    .string()
    .check((ctx) => {
      const at = ctx.value.lastIndexOf("@");
      const domain = toALabels(ctx.value.slice(at + 1));
      const problem =
        at <= 0
          ? "a local part, @ and a domain"
          : (ownLocalPartProblem(ctx.value.slice(0, at)) ?? (dnsNameProblem(domain) && `a domain that is a DNS name (${dnsNameProblem(domain)})`));
      if (problem) ctx.issues.push({ code: "custom", input: ctx.value, message: `expected ${what}: ${problem}` });
    })
    .transform(withALabelDomain);

/**
 * Where mail to an alias or a forward goes: one of the platform's own addresses or a foreign one.
 * Letters, digits and `. _ + = -` before the `@` (a foreign local part keeps its case), a DNS name
 * after it; inert in Postfix's virtual alias table.
 */
export const mailTarget = (what: string) =>
  z
    .string()
    .check((ctx) => {
      const problem = plainAddressProblem(ctx.value, toALabels);
      if (problem) ctx.issues.push({ code: "custom", input: ctx.value, message: `expected ${what}: ${problem}` });
    })
    .transform(withALabelDomain);
