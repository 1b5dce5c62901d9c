/**
 * Sending limits on submitted mail (587/465), enforced by rspamd's ratelimit module in the
 * submission milter (redis holds the buckets): per authenticated user and per group, each a
 * leaky bucket that holds the limit and drains at the limit's rate. Over a limit the submission
 * is refused with 451 4.7.1 (temporary): the mail client keeps the message and retries.
 *
 * Defaults: mox allows an account 1000 messages a day (MaxOutgoingMessagesPerDay) and 200
 * first-time recipients a day; mailcow sets no limit unless the operator adds one (its limits are
 * rspamd ratelimit rules too). Ours: a person sends at most 1000 messages or 2000 recipients a day,
 * 200 messages in an hour; a group 2000 an hour and 10000 a day, so one compromised account hits
 * its own limit long before its group's.
 */
import { z } from "zod";

/** Largest limit accepted: rspamd keeps a bucket as a float in redis; beyond this a limit means none. */
export const MAX_SENDING_LIMIT = 1_000_000;

/** A limit: a whole number 1..MAX_SENDING_LIMIT. */
const count = (what: string, defaultText: string) =>
  z.int().min(1).max(MAX_SENDING_LIMIT).describe(`${what}, 1..${MAX_SENDING_LIMIT}. Default: ${defaultText}.`);

/** The documented defaults (README, tests). */
export const SENDING_LIMIT_DEFAULTS = {
  perUser: { messagesPerHour: 200, messagesPerDay: 1000, recipientsPerDay: 2000 },
  perGroup: { messagesPerHour: 2000, messagesPerDay: 10000 },
} as const;

const U = SENDING_LIMIT_DEFAULTS.perUser;
const G = SENDING_LIMIT_DEFAULTS.perGroup;

/** Limits of each authenticated user (its login). */
export const PerUserLimitsSchema = z
  .strictObject({
    /** Messages a user may submit in an hour. @default 200 */
    messagesPerHour: count("Messages a user may submit in an hour", String(U.messagesPerHour)).default(U.messagesPerHour),
    /** Messages a user may submit in a day. @default 1000 */
    messagesPerDay: count("Messages a user may submit in a day", String(U.messagesPerDay)).default(U.messagesPerDay),
    /** Recipients (envelope, each RCPT TO) a user may address in a day. @default 2000 */
    recipientsPerDay: count("Recipients (each RCPT TO) a user may address in a day", String(U.recipientsPerDay)).default(U.recipientsPerDay),
  })
  .describe("Limits of each authenticated user.")
  .meta({ title: "PerUserLimitsInput" });

/** Limits of all users of a group together. */
export const PerGroupLimitsSchema = z
  .strictObject({
    /** Messages all users of a group may submit in an hour. @default 2000 */
    messagesPerHour: count("Messages all users of a group may submit together in an hour", String(G.messagesPerHour)).default(G.messagesPerHour),
    /** Messages all users of a group may submit in a day. @default 10000 */
    messagesPerDay: count("Messages all users of a group may submit together in a day", String(G.messagesPerDay)).default(G.messagesPerDay),
  })
  .describe("Limits of all users of a group together.")
  .meta({ title: "PerGroupLimitsInput" });

/** The platform's sending limits. */
export const SendingLimitsSchema = z
  .strictObject({
    /** Enforce the limits (needs contentFilter.enabled: rspamd counts). @default true */
    enabled: z.boolean().default(true).describe("Enforce the sending limits (rspamd counts: needs contentFilter.enabled). Default: true."),
    /** Limits of each user. @default 200 an hour, 1000 a day, 2000 recipients a day */
    perUser: PerUserLimitsSchema.prefault({}).describe("Limits of each authenticated user. Default: 200 an hour, 1000 a day, 2000 recipients a day."),
    /** Limits of each group. @default 2000 an hour, 10000 a day */
    perGroup: PerGroupLimitsSchema.prefault({}).describe("Limits of all users of a group together. Default: 2000 an hour, 10000 a day."),
  })
  .describe("Sending limits on submitted mail, per user and per group (rspamd's ratelimit module).")
  .meta({ title: "SendingLimitsInput" });

/** The warm-up ramp's default first-day cap (messages of the whole group). */
export const WARM_UP_FIRST_DAY_MESSAGES = 50;

/**
 * Warm-up of a new group address: the group's daily cap starts at `firstDayMessages` on
 * `startDate` and doubles each day (UTC) until it reaches `perGroup.messagesPerDay`.
 */
export const WarmUpSchema = z
  .strictObject({
    /** The first day of the ramp (UTC), YYYY-MM-DD. */
    startDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected a date as YYYY-MM-DD", abort: true })
      .refine((v) => {
        const d = new Date(`${v}T00:00:00Z`);
        return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
      }, "expected a calendar date as YYYY-MM-DD")
      .describe("The first day of the ramp (UTC), as YYYY-MM-DD."),
    /** The group's cap on the first day; it doubles each day. @default 50 */
    firstDayMessages: z
      .int()
      .min(1)
      .max(MAX_SENDING_LIMIT)
      .default(WARM_UP_FIRST_DAY_MESSAGES)
      .describe(
        `Messages the whole group may send on the first day; the cap doubles each day, 1..${MAX_SENDING_LIMIT}. Default: ${WARM_UP_FIRST_DAY_MESSAGES}.`,
      ),
  })
  .describe("Warm-up of a new group address: a daily group cap doubling from firstDayMessages to perGroup.messagesPerDay.")
  .meta({ title: "WarmUpInput" });

/** A group's own limits: each absent field is the platform's. */
export const GroupSendingLimitsSchema = z
  .strictObject({
    /** Limits of each user of this group. @default - sendingLimits.perUser */
    perUser: z
      .strictObject({
        /** Messages a user of this group may submit in an hour. @default - sendingLimits.perUser.messagesPerHour */
        messagesPerHour: count("Messages a user of this group may submit in an hour", "sendingLimits.perUser.messagesPerHour").optional(),
        /** Messages a user of this group may submit in a day. @default - sendingLimits.perUser.messagesPerDay */
        messagesPerDay: count("Messages a user of this group may submit in a day", "sendingLimits.perUser.messagesPerDay").optional(),
        /** Recipients a user of this group may address in a day. @default - sendingLimits.perUser.recipientsPerDay */
        recipientsPerDay: count("Recipients a user of this group may address in a day", "sendingLimits.perUser.recipientsPerDay").optional(),
      })
      .optional()
      .describe("Limits of each user of this group. Default: sendingLimits.perUser."),
    /** Limits of this group's users together. @default - sendingLimits.perGroup */
    perGroup: z
      .strictObject({
        /** Messages this group's users may submit together in an hour. @default - sendingLimits.perGroup.messagesPerHour */
        messagesPerHour: count("Messages this group's users may submit together in an hour", "sendingLimits.perGroup.messagesPerHour").optional(),
        /** Messages this group's users may submit together in a day. @default - sendingLimits.perGroup.messagesPerDay */
        messagesPerDay: count("Messages this group's users may submit together in a day", "sendingLimits.perGroup.messagesPerDay").optional(),
      })
      .optional()
      .describe("Limits of this group's users together. Default: sendingLimits.perGroup."),
    /** Warm-up of a new group address (a daily cap that doubles from the start date). @default - none */
    warmUp: WarmUpSchema.optional().describe("Warm-up of a new group address: a daily group cap doubling from the start date. Default: none."),
  })
  .describe("The group's own sending limits.")
  .meta({ title: "GroupSendingLimitsInput" });

/** The platform's limits when the model sets none (on, with the defaults above). */
export const DEFAULT_SENDING_LIMITS: SendingLimitsSpec = SendingLimitsSchema.parse({});

/** The validated platform limits. */
export type SendingLimitsSpec = z.output<typeof SendingLimitsSchema>;
/** A validated warm-up. */
export type WarmUpSpec = z.output<typeof WarmUpSchema>;
/** A group's validated overrides. */
export type GroupSendingLimitsSpec = z.output<typeof GroupSendingLimitsSchema>;
