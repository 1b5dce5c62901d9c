/**
 * Content filtering (rspamd from Debian, with Debian's redis-server, as a Postfix milter): the
 * platform's defaults, and the per-group overrides of what happens to inbound mail at which score.
 * Scores are rspamd's: the sum of the symbol weights of a message (rspamd's own defaults: reject
 * at 15, add a header at 6, greylist at 4).
 */
import { z } from "zod";

/** A score threshold of rspamd, 0.5..1000. */
const score = (what: string, defaultText?: string) =>
  z
    .number()
    .min(0.5)
    .max(1000)
    .describe(`${what}, 0.5..1000.${defaultText === undefined ? "" : ` Default: ${defaultText}.`}`);

/** The inbound thresholds a group may override (each absent one is the platform's). */
export const GroupContentFilterSchema = z
  .strictObject({
    /** Refuse inbound mail at this score (SMTP 554 at end of data). @default - contentFilter.inbound.rejectScore */
    rejectScore: score("Refuse inbound mail at this score (554)", "contentFilter.inbound.rejectScore").optional(),
    /** Accept inbound mail at this score but mark it (`X-Spam: Yes`). @default - contentFilter.inbound.addHeaderScore */
    addHeaderScore: score("Mark inbound mail at this score with X-Spam: Yes", "contentFilter.inbound.addHeaderScore").optional(),
    /**
     * Greylist inbound mail at this score (a first delivery attempt of a new sender, recipient and
     * network is deferred with 451), or `false` for no greylisting.
     * @default - contentFilter.inbound.greylistScore
     */
    greylistScore: z
      .union([score("Greylist inbound mail at this score"), z.literal(false)])
      .optional()
      .describe("Greylist inbound mail at this score (0.5..1000), or false for none. Default: contentFilter.inbound.greylistScore."),
  })
  .describe("The group's own inbound content filter thresholds.")
  .meta({ title: "GroupContentFilterInput" });

/** The platform's inbound thresholds. */
export const InboundContentFilterSchema = z
  .strictObject({
    /** Refuse inbound mail at this score (SMTP 554 at end of data, nothing is bounced later). @default 15 */
    rejectScore: score("Refuse inbound mail at this score (554)", "15").default(15),
    /** Accept inbound mail at this score but mark it with `X-Spam: Yes` (a mail client files it as junk). @default 6 */
    addHeaderScore: score("Mark inbound mail at this score with X-Spam: Yes", "6").default(6),
    /**
     * Greylist inbound mail at this score, or `false`. Off by default: a first contact of a new
     * correspondent would wait for the sender's retry (minutes to an hour).
     * @default false
     */
    greylistScore: z
      .union([score("Greylist inbound mail at this score"), z.literal(false)])
      .default(false)
      .describe("Greylist inbound mail at this score (0.5..1000), or false for none. Default: false (first contact is not delayed)."),
  })
  .describe("What happens to inbound mail (port 25) at which score.")
  .meta({ title: "InboundContentFilterInput" });

/** The platform's outbound threshold. */
export const OutboundContentFilterSchema = z
  .strictObject({
    /**
     * Hold submitted mail (587/465) at this score in Postfix's hold queue: the user gets 250, the
     * mail is neither sent nor bounced, and an alert line is logged (`postsuper -H` releases it,
     * `postsuper -d` deletes it).
     * @default 10
     */
    holdScore: score("Hold submitted mail at this score in Postfix's hold queue, with an alert in the log", "10").default(10),
  })
  .describe("What happens to submitted mail at which score.")
  .meta({ title: "OutboundContentFilterInput" });

/** Content filtering of the platform. */
export const ContentFilterSchema = z
  .strictObject({
    /** Scan mail with rspamd (inbound on port 25, outbound on 587/465). @default true */
    enabled: z.boolean().default(true).describe("Scan mail with rspamd (inbound on port 25, submitted mail on 587/465). Default: true."),
    /** What happens to inbound mail. @default reject at 15, header at 6, no greylisting */
    inbound: InboundContentFilterSchema.prefault({}).describe("What happens to inbound mail at which score."),
    /** What happens to submitted mail. @default hold at 10 */
    outbound: OutboundContentFilterSchema.prefault({}).describe("What happens to submitted mail at which score."),
    /**
     * Scan attachments with ClamAV (clamav-daemon, signatures from freshclam). clamd holds its whole
     * signature database in memory (about 1.5 GB, twice that while it reloads), so validation
     * refuses it on an instance type with less than 4 GiB.
     * @default false
     */
    antivirus: z.boolean().default(false).describe("Scan attachments with ClamAV; needs an instance type with at least 4 GiB of memory. Default: false."),
    /**
     * Messages larger than this many bytes get every check of rspamd except its text analysis:
     * SPF, DKIM, DMARC and ARC, the sending limits, greylisting, header, envelope and MIME rules and
     * ClamAV still run; the words of the text (stemming, language, text and body rules, GTUBE,
     * Bayes and neural) and URLs in the body are not looked at. rspamd 3.x analyses every word of a
     * message, about 200 ms of one core per MB of text, with one scan at a time per milter, so a
     * few large messages would hold up everyone's mail. Spam is rarely that large: SpamAssassin's
     * `spamc` skips messages over 500 KB by default. `false`: analyse the text of every message.
     * @default 524288 (512 KiB)
     */
    textAnalysisMaxBytes: z
      .union([z.int().min(65_536).max(1_073_741_824), z.literal(false)])
      .default(524_288)
      .describe(
        "Messages larger than this (bytes, 65536..1073741824) are checked without rspamd's text analysis (authentication, limits, header and MIME rules still run), or false to analyse every message's text. Default: 524288 (512 KiB).",
      ),
  })
  .describe("Content filtering with rspamd (a Postfix milter) and redis.")
  .meta({ title: "ContentFilterInput" });

/** The validated content filter settings. */
export type ContentFilterSpec = z.output<typeof ContentFilterSchema>;
/** A group's validated overrides. */
export type GroupContentFilterSpec = z.output<typeof GroupContentFilterSchema>;
