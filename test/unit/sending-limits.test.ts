/**
 * Sending limits as modelled and rendered: defaults, validation (ranges, the content filter they
 * need, limits that could never be reached) and rspamd's ratelimit.conf. That rspamd accepts the
 * file is test/integration/rspamd-config.test.ts; that it limits,
 * test/integration/live/sending-limits.test.ts.
 */
import { SENDING_LIMIT_DEFAULTS } from "../../lib/model/sending-limits";
import { warmUpRamp } from "../../lib/plan/content-filter";
import { plan } from "../../lib/plan/plan";
import { RSPAMD_LOCAL_DIR } from "../../lib/render/rspamd/rspamd";
import { renderHost } from "../../lib/render/host-files";
import { exampleProblems, exampleSpec, firstHostFiles } from "../support/example";
import { spreadOverThreeHosts } from "../support/variants";

const RATELIMIT = `${RSPAMD_LOCAL_DIR}/ratelimit.conf`;

const files = firstHostFiles;
const problems = exampleProblems;

/** The `"name" { ... }` rule of ratelimit.conf (two lines: selector and bucket). */
function rule(conf: string, name: string): string {
  const lines = conf.split("\n");
  const start = lines.indexOf(`  "${name}" {`);
  return start < 0 ? "" : lines.slice(start, start + 4).join("\n");
}

describe("the model", () => {
  test("absent: on with the documented defaults when the content filter is on", () => {
    expect(exampleSpec().sendingLimits).toBeUndefined();
    const planned = plan(exampleSpec()).contentFilter;
    expect(planned.enabled && planned.sendingLimits).toEqual([
      { group: "business", domains: ["acme-corp.example", "acme-shop.example"], ...SENDING_LIMIT_DEFAULTS, warmUp: [] },
      { group: "private", domains: ["acme-home.example", "acme-family.example"], ...SENDING_LIMIT_DEFAULTS, warmUp: [] },
    ]);
    expect(SENDING_LIMIT_DEFAULTS).toEqual({
      perUser: { messagesPerHour: 200, messagesPerDay: 1000, recipientsPerDay: 2000 },
      perGroup: { messagesPerHour: 2000, messagesPerDay: 10000 },
    });
  });

  test("a group's own fields override the platform's, field by field", () => {
    const planned = plan(
      exampleSpec((i) => {
        i.sendingLimits = { perUser: { messagesPerHour: 50 }, perGroup: { messagesPerDay: 5000 } };
        i.groups[1]!.sendingLimits = { perUser: { recipientsPerDay: 300 }, perGroup: { messagesPerHour: 100 } };
      }),
    ).contentFilter;
    expect(planned.enabled && planned.sendingLimits.map(({ perUser, perGroup }) => ({ perUser, perGroup }))).toEqual([
      { perUser: { messagesPerHour: 50, messagesPerDay: 1000, recipientsPerDay: 2000 }, perGroup: { messagesPerHour: 2000, messagesPerDay: 5000 } },
      { perUser: { messagesPerHour: 50, messagesPerDay: 1000, recipientsPerDay: 300 }, perGroup: { messagesPerHour: 100, messagesPerDay: 5000 } },
    ]);
  });

  test("fails on limits out of range and unknown fields, every problem at once, with path, value and what is allowed", () => {
    const found = problems((i) => {
      i.sendingLimits = { perUser: { messagesPerHour: 0, recipientsPerDay: 2.5 }, perGroup: { messagesPerDay: 2_000_000 } };
      (i.groups[0] as Record<string, unknown>).sendingLimits = { perUser: { perMinute: 3 } };
    });
    expect(found.map((p) => [p.path, p.received])).toEqual([
      ["groups[0].sendingLimits.perUser.perMinute", "3"],
      ["sendingLimits.perGroup.messagesPerDay", "2000000"],
      ["sendingLimits.perUser.messagesPerHour", "0"],
      ["sendingLimits.perUser.recipientsPerDay", "2.5"],
    ]);
    expect(found.map((p) => p.message)).toEqual([
      "unknown field; allowed fields here: messagesPerHour, messagesPerDay, recipientsPerDay",
      "expected a number at most 1000000",
      "expected a number at least 1",
      "expected a whole number",
    ]);
  });

  test("fails on limits without the content filter that counts them, at the platform's and each group's field", () => {
    const found = problems((i) => {
      i.contentFilter = { enabled: false };
      i.sendingLimits = { perUser: { messagesPerHour: 10 } };
      i.groups[1]!.sendingLimits = { perGroup: { messagesPerDay: 50 } };
    });
    expect(found.map((p) => p.path)).toEqual(["groups[1].sendingLimits", "sendingLimits"]);
    expect(found.every((p) => /need contentFilter\.enabled/.test(p.message))).toBe(true);
  });

  test("the filter off: no limits (absent or switched off) is valid", () => {
    expect(problems((i) => (i.contentFilter = { enabled: false }))).toEqual([]);
    expect(problems((i) => ((i.contentFilter = { enabled: false }), (i.sendingLimits = { enabled: false })))).toEqual([]);
  });

  test("fails on a limit that is never reached: an hour's above the day's, a user's day above its group's", () => {
    const found = problems((i) => {
      i.sendingLimits = { perUser: { messagesPerHour: 2000 } };
      i.groups[1]!.sendingLimits = { perUser: { messagesPerDay: 20000 } };
    });
    expect(found.map((p) => [p.path, p.received])).toEqual([
      ["groups[1].sendingLimits.perUser.messagesPerDay", "20000"],
      ["sendingLimits.perUser.messagesPerHour", "2000"],
    ]);
    expect(found[0]!.message).toBe("expected at most the 10000 messages a day of group private as a whole: a user's limit above it is never reached");
    expect(found[1]!.message).toBe("expected at most the 1000 messages a day a user of group business may send");
  });
});

describe("ratelimit.conf", () => {
  test("five rules per group, each keyed by its own tag on the login, limited to the group's domains", () => {
    const conf = files().get(RATELIMIT)!;
    expect(rule(conf, "user-hour-business")).toContain(`selector = 'user.lower.regexp("^.+@(?:acme-corp[.]example|acme-shop[.]example)$").prepend("uh:")';`);
    expect(rule(conf, "user-hour-business")).toContain(
      'bucket { burst = 200; rate = "200 / 1h"; skip_recipients = true; message = "Sending limit reached: 200 messages an hour for each user; try again later"; }',
    );
    expect(rule(conf, "user-day-private")).toContain('.prepend("ud:")');
    // recipients: the one bucket that counts each recipient
    expect(rule(conf, "user-recipients-day-business")).toContain('bucket { burst = 2000; rate = "2000 / 1d"; message = ');
    expect(rule(conf, "group-hour-private")).toContain(`selector = 'user.lower.regexp("@(?:acme-home[.]example|acme-family[.]example)$").id("gh:private")';`);
    expect(rule(conf, "group-day-private")).toContain('burst = 10000; rate = "10000 / 1d"; skip_recipients = true;');
    expect(conf.match(/^ {2}"[a-z-]+" \{$/gm)).toHaveLength(10);
    // limits as modelled: no dynamic multipliers, no exempt recipient of Debian's list
    expect(conf).toMatch(/^max_rate_mult = 1;$/m);
    expect(conf).toMatch(/^max_bucket_mult = 1;$/m);
    expect(conf).toContain('whitelisted_rcpts = ["nobody@rate-limits.invalid"];');
  });

  test("a group's own numbers in its rules only", () => {
    const conf = files((i) => (i.groups[1]!.sendingLimits = { perUser: { messagesPerHour: 7 } })).get(RATELIMIT)!;
    expect(rule(conf, "user-hour-private")).toContain('burst = 7; rate = "7 / 1h";');
    expect(rule(conf, "user-hour-business")).toContain('burst = 200; rate = "200 / 1h";');
  });

  test("on each host, the rules of the groups whose home it is (where their users submit); none on a backup MX only", () => {
    const p = plan(exampleSpec(spreadOverThreeHosts));
    const conf = (host: string) =>
      renderHost(
        p,
        p.hosts.find((h) => h.name === host)!,
      ).files.find((f) => f.path === RATELIMIT)?.content;
    const groupsOf = (text: string | undefined) => [...(text ?? "").matchAll(/^ {2}"user-hour-([a-z0-9-]+)" \{$/gm)].map((m) => m[1]);
    expect(groupsOf(conf("mx1"))).toEqual(["business"]);
    expect(conf("mx2")).toBeUndefined();
    expect(groupsOf(conf("mx3"))).toEqual(["private"]);
  });

  test("not rendered when the limits are off or the filter is", () => {
    expect(files((i) => (i.sendingLimits = { enabled: false })).has(RATELIMIT)).toBe(false);
    expect(files((i) => (i.contentFilter = { enabled: false })).has(RATELIMIT)).toBe(false);
    expect(files().has(RATELIMIT)).toBe(true);
  });
});

describe("warm-up", () => {
  test("the ramp as data: from the start date, the first day's cap doubling while below the group's daily cap", () => {
    expect(warmUpRamp({ startDate: "2026-12-30", firstDayMessages: 50 }, 1000)).toEqual([
      { date: "2026-12-30", messages: 50 },
      { date: "2026-12-31", messages: 100 },
      { date: "2027-01-01", messages: 200 },
      { date: "2027-01-02", messages: 400 },
      { date: "2027-01-03", messages: 800 },
    ]);
    expect(warmUpRamp({ startDate: "2028-02-28", firstDayMessages: 600 }, 1000)).toEqual([{ date: "2028-02-28", messages: 600 }]);
    expect(warmUpRamp({ startDate: "2028-02-28", firstDayMessages: 1000 }, 1000)).toEqual([]);
    expect(warmUpRamp(undefined, 1000)).toEqual([]);
  });

  test("defaults to 50 on the first day; the group's normal daily cap ends the ramp", () => {
    const planned = plan(
      exampleSpec((i) => (i.groups[1]!.sendingLimits = { perGroup: { messagesPerHour: 100, messagesPerDay: 1000 }, warmUp: { startDate: "2027-03-01" } })),
    ).contentFilter;
    expect(planned.enabled && planned.sendingLimits[1]!.warmUp).toEqual([
      { date: "2027-03-01", messages: 50 },
      { date: "2027-03-02", messages: 100 },
      { date: "2027-03-03", messages: 200 },
      { date: "2027-03-04", messages: 400 },
      { date: "2027-03-05", messages: 800 },
    ]);
    expect(planned.enabled && planned.sendingLimits[0]!.warmUp).toEqual([]);
  });

  test("one rule per ramp day, keyed on the group and that day's date (the connection's time), holding the day's cap", () => {
    const conf = files((i) => (i.groups[1]!.sendingLimits = { warmUp: { startDate: "2027-03-01", firstDayMessages: 5000 } })).get(RATELIMIT)!;
    expect(rule(conf, "group-warmup-private-1")).toContain(
      `selector = 'user.lower.regexp("@(?:acme-home[.]example|acme-family[.]example)$").id("gw:private");time("connect", "!%Y-%m-%d").equal("2027-03-01")';`,
    );
    expect(rule(conf, "group-warmup-private-1")).toContain(
      'bucket { burst = 5000; rate = "1 / 1d"; skip_recipients = true; message = "Sending limit reached: 5000 messages today for this group (warm-up day 1 of 1); try again later"; }',
    );
    expect(conf).not.toContain("group-warmup-private-2");
    expect(conf).not.toContain("group-warmup-business");
  });

  test("fails on a date that is not a calendar date, and on a warm-up with the limits off, at the field", () => {
    expect(problems((i) => (i.groups[1]!.sendingLimits = { warmUp: { startDate: "2027-02-30" } }))).toEqual([
      { path: "groups[1].sendingLimits.warmUp.startDate", received: '"2027-02-30"', message: "expected a calendar date as YYYY-MM-DD" },
    ]);
    expect(problems((i) => (i.groups[1]!.sendingLimits = { warmUp: { startDate: "1.3.2027" } })).map((p) => p.message)).toEqual([
      "expected a date as YYYY-MM-DD",
    ]);
    const off = problems((i) => {
      i.sendingLimits = { enabled: false };
      i.groups[1]!.sendingLimits = { warmUp: { startDate: "2027-03-01" } };
    });
    expect(off.map((p) => [p.path, p.message])).toEqual([
      ["groups[1].sendingLimits.warmUp", "a warm-up is a sending limit: it needs sendingLimits.enabled; enable the limits or remove the warm-up"],
    ]);
  });
});
