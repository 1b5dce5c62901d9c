/**
 * Sending limits (local.d/ratelimit.conf): rspamd's ratelimit module, whose buckets live in the
 * host's redis, keyed by selectors on the authenticated user (the login, i.e. the mailbox address:
 * the `{auth_authen}` macro Postfix's submission listeners hand the milter). Mail without a login
 * (port 25) yields no key and is never counted. Each limit is a leaky bucket holding `burst`
 * messages that drains at `rate`: N an hour is burst N, rate N per hour; over it the check sets
 * rspamd's "soft reject" action, which its milter answers with 451 4.7.1 and the bucket's message
 * (src/libserver/milter.c), and a refused message is not counted (the bucket is updated only for
 * accepted mail). The same text for rspamd 3.4 (Debian 12) and 3.12 (Debian 13); read against
 * src/plugins/lua/ratelimit.lua of both.
 *
 * Two quirks of the module shape the rules: its redis key is the selector's value alone (not the
 * rule's name), so each rule prepends its own tag; and a message counts its recipients unless the
 * bucket says `skip_recipients`, which the message buckets do (recipients per day is the one
 * bucket that counts recipients). A user belongs to the group that owns its login's domain: one
 * rule per group and limit, its selector matching only logins of the group's domains.
 *
 * Warm-up: one rule per day of the ramp (plan: the dates and caps, pure data), whose selector
 * yields a key only on that date (UTC, the connection's time), so the host picks the day's cap
 * at delivery time and the rendered file never changes with the clock.
 */
import type { ContentFilterPlan, GroupSendingLimitsPlan } from "../../plan/types";
import { UnsafeValueError } from "../rendered-file";

const FILE = "etc/rspamd/local.d/ratelimit.conf";

/**
 * A recipient no submitted message can reach: rspamd exempts a message from every limit when one
 * recipient is on this list (Debian's: postmaster and mailer-daemon, i.e. anyone's, which would let
 * a sender skip its limits by adding postmaster@ of any domain). A `.invalid` domain has no DNS,
 * so reject_unknown_recipient_domain refuses it at RCPT before the milter sees it.
 */
export const NO_EXEMPT_RECIPIENT = "nobody@rate-limits.invalid";

function groupKey(value: string): string {
  if (!/^[a-z0-9-]+$/.test(value)) throw new UnsafeValueError(FILE, "a group name", value, "lowercase letters, digits and hyphens");
  return value;
}

/** A domain in a regular expression: each dot a class of its own (no backslash to escape in UCL). */
function domainPattern(value: string): string {
  if (!/^[a-z0-9.-]+$/.test(value)) throw new UnsafeValueError(FILE, "a domain", value, "lowercase letters, digits, dots and hyphens");
  return value.replace(/\./g, "[.]");
}

function limit(value: number): string {
  if (!Number.isInteger(value) || value < 1) throw new UnsafeValueError(FILE, "a limit", String(value), "a whole number of at least 1");
  return String(value);
}

/** A rolling hour or day (a leaky bucket), or one calendar day (UTC) of a warm-up. */
type Period = "hour" | "day" | "calendar-day";
const PERIOD_UNIT: Record<Exclude<Period, "calendar-day">, string> = { hour: "1h", day: "1d" };

interface Rule {
  readonly name: string;
  readonly comment: string;
  readonly selector: string;
  readonly count: number;
  readonly period: Period;
  readonly recipients: boolean;
  readonly message: string;
}

function rules(group: GroupSendingLimitsPlan): Rule[] {
  const name = groupKey(group.group);
  const domains = `(?:${group.domains.map(domainPattern).join("|")})`;
  // The login itself (the whole match) when it is one of the group's; the group's tag otherwise.
  const user = (tag: string) => `user.lower.regexp("^.+@${domains}$").prepend("${tag}:")`;
  const wholeGroup = (tag: string) => `user.lower.regexp("@${domains}$").id("${tag}:${name}")`;
  const u = group.perUser;
  const g = group.perGroup;
  return [
    {
      name: `user-hour-${name}`,
      comment: `Each user of ${name}: messages an hour.`,
      selector: user("uh"),
      count: u.messagesPerHour,
      period: "hour",
      recipients: false,
      message: `Sending limit reached: ${u.messagesPerHour} messages an hour for each user; try again later`,
    },
    {
      name: `user-day-${name}`,
      comment: `Each user of ${name}: messages a day.`,
      selector: user("ud"),
      count: u.messagesPerDay,
      period: "day",
      recipients: false,
      message: `Sending limit reached: ${u.messagesPerDay} messages a day for each user; try again later`,
    },
    {
      name: `user-recipients-day-${name}`,
      comment: `Each user of ${name}: recipients a day (each message counts its envelope recipients).`,
      selector: user("ur"),
      count: u.recipientsPerDay,
      period: "day",
      recipients: true,
      message: `Sending limit reached: ${u.recipientsPerDay} recipients a day for each user; try again later`,
    },
    {
      name: `group-hour-${name}`,
      comment: `All users of ${name} together: messages an hour.`,
      selector: wholeGroup("gh"),
      count: g.messagesPerHour,
      period: "hour",
      recipients: false,
      message: `Sending limit reached: ${g.messagesPerHour} messages an hour for this group; try again later`,
    },
    {
      name: `group-day-${name}`,
      comment: `All users of ${name} together: messages a day.`,
      selector: wholeGroup("gd"),
      count: g.messagesPerDay,
      period: "day",
      recipients: false,
      message: `Sending limit reached: ${g.messagesPerDay} messages a day for this group; try again later`,
    },
    ...group.warmUp.map((day, k): Rule => ({
      name: `group-warmup-${name}-${k + 1}`,
      comment: `Warm-up of ${name}, day ${k + 1} of ${group.warmUp.length}: its users together on ${day.date} (UTC), messages that day.`,
      // A key only on that day (the connection's time, not the user's Date: header).
      selector: `${wholeGroup("gw")};time("connect", "!%Y-%m-%d").equal("${isoDate(day.date)}")`,
      count: day.messages,
      period: "calendar-day",
      recipients: false,
      message: `Sending limit reached: ${day.messages} messages today for this group (warm-up day ${k + 1} of ${group.warmUp.length}); try again later`,
    })),
  ];
}

function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UnsafeValueError(FILE, "a date", value, "YYYY-MM-DD");
  return value;
}

function ruleLines(rule: Rule): string[] {
  const n = limit(rule.count);
  // A calendar day's bucket lives one day (its key has the date): it barely drains, so it holds the day's cap.
  const rate = rule.period === "calendar-day" ? "1 / 1d" : `${n} / ${PERIOD_UNIT[rule.period]}`;
  return [
    `  # ${rule.comment}`,
    `  "${rule.name}" {`,
    `    selector = '${rule.selector}';`,
    `    bucket { burst = ${n}; rate = "${rate}";${rule.recipients ? "" : " skip_recipients = true;"} message = "${rule.message}"; }`,
    "  }",
  ];
}

/** local.d/ratelimit.conf, or nothing when the limits are off (the filter off, or `sendingLimits.enabled: false`). */
export function ratelimitConf(header: string, filter: Extract<ContentFilterPlan, { enabled: true }>): string | undefined {
  if (filter.sendingLimits.length === 0) return undefined;
  return `${[
    header,
    "# Sending limits on submitted mail (sendingLimits): per user and per group, counted in redis.",
    "# The limits are what the model says: no growth for ham nor shrinking for spam (rspamd 3.4 changes a",
    "# bucket by the verdict unless the multipliers are 1; 3.12 only with dynamic_rate_limit).",
    "dynamic_rate_limit = false;",
    "ham_factor_rate = 1.0;",
    "spam_factor_rate = 1.0;",
    "ham_factor_burst = 1.0;",
    "spam_factor_burst = 1.0;",
    "max_rate_mult = 1;",
    "max_bucket_mult = 1;",
    "# No recipient exempts a message (Debian's list, postmaster and mailer-daemon of any domain, would).",
    `whitelisted_rcpts = ["${NO_EXEMPT_RECIPIENT}"];`,
    "rates {",
    ...filter.sendingLimits.flatMap((group) => rules(group).flatMap(ruleLines)),
    "}",
  ].join("\n")}\n`;
}
