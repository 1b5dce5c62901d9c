/**
 * Operator settings running live: a main.cf setting (the banner), a master.cf `-o` of one
 * listener (submission's size limit) and a Dovecot setting (the login greeting) take effect in
 * the real Postfix and Dovecot, with no "overriding earlier entry" warning; a dangerous override
 * (submission without required TLS) fails synthesis unless acknowledged.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { spawnSync } from "child_process";
import { Testing } from "cdktf";
import type { LocalState } from "../../../lib/local/state";
import { stateLayout } from "../../../lib/local/conventions";
import type { PlatformInput } from "../../../lib/model/schema";
import { exampleInput } from "../../support/example";
import { replies, replyTo, startInstance, stopInstance, swaks } from "../../support/live";
import { exampleStack } from "../../support/synth";
import { TextClient } from "../../support/text-client";

const BANNER = "$myhostname ESMTP operator-banner";
const SUBMISSION_SIZE = 2_000_000;
const GREETING = "Operator greeting ready";

function withOperatorSettings(input: PlatformInput): PlatformInput {
  return {
    ...input,
    postfix: { mainCf: { smtpd_banner: BANNER }, masterCf: { submission: { message_size_limit: SUBMISSION_SIZE } } },
    dovecot: { settings: { login_greeting: GREETING } },
  };
}

let state: LocalState;
let business: string;
const port = (service: keyof LocalState["ports"]) => String(state.ports[service]);

beforeAll(async () => {
  state = await startInstance(withOperatorSettings(exampleInput()), "operator-settings", "127.0.70");
  business = state.addresses.business!;
}, 120_000);

afterAll(async () => {
  await stopInstance(state);
}, 60_000);

describe("operator settings take effect", () => {
  test("postfix.mainCf.smtpd_banner is the greeting on port 25", () => {
    const greeting = replies(swaks(["-s", business, "-p", port("smtp"), "--quit-after", "CONNECT"]).transcript)[0];
    expect(greeting).toBe("220 mail.acme-corp.example ESMTP operator-banner");
  });

  test("postfix.masterCf.submission.message_size_limit is announced on 587 only", () => {
    const submission = replyTo(swaks(["-s", business, "-p", port("submission"), "--tls", "--quit-after", "EHLO"]).transcript, /^EHLO/);
    expect(submission).toContain(`250-SIZE ${SUBMISSION_SIZE}`);
    const mx = replyTo(swaks(["-s", business, "-p", port("smtp"), "--quit-after", "EHLO"]).transcript, /^EHLO/);
    expect(mx).toContain("250-SIZE 36700160");
  });

  test("dovecot.settings.login_greeting is Dovecot's greeting on 993", async () => {
    const imap = await TextClient.tls(business, state.ports.imaps!, "mail.acme-corp.example");
    const greeting = (await imap.readUntil((l) => l.startsWith("* OK"))).pop();
    imap.close();
    expect(greeting).toMatch(new RegExp(`^\\* OK .*${GREETING}`));
  });

  test("Postfix reads each name once: the platform's line was replaced, not repeated", () => {
    const config = stateLayout(state.stateDir).postfixConfig;
    const mainCf = readFileSync(join(config, "main.cf"), "utf8");
    expect(mainCf.match(/^smtpd_banner = .*$/gm)).toEqual([`smtpd_banner = ${BANNER}`]);
    const postconf = spawnSync("postconf", ["-c", config, "-h", "smtpd_banner"], { encoding: "utf8" });
    expect(postconf.stdout.trim()).toBe(BANNER);
    expect(postconf.stderr).not.toMatch(/overriding earlier entry/);
    const services = spawnSync("postconf", ["-c", config, "-P"], { encoding: "utf8" }).stdout;
    expect(services).toContain(`${business}:${port("submission")}/inet/message_size_limit = ${SUBMISSION_SIZE}`);
    expect(readFileSync(stateLayout(state.stateDir).postfixLog, "utf8")).not.toMatch(/overriding earlier entry/);
  });
});

describe("a dangerous override", () => {
  const open = (i: PlatformInput) => {
    i.postfix = { masterCf: { submission: { smtpd_tls_security_level: "none" } } };
  };

  test("fails synthesis, naming the rule, the host and the listener", () => {
    const { stack } = exampleStack(open);
    expect(() => Testing.fullSynth(stack)).toThrow(
      /\[postfix-submission-tls-required\] .*mx1 master\.cf 10\.0\.1\.11:587: AUTH with smtpd_tls_security_level = none/,
    );
  });

  test("passes once acknowledged with a written reason, reported with it", () => {
    const reason = "A test bench whose old clients cannot do STARTTLS; it never faces the internet.";
    const { stack, platform } = exampleStack((i) => {
      open(i);
      i.postfix!.acknowledgements = { "postfix-submission-tls-required": reason };
    });
    expect(() => Testing.fullSynth(stack)).not.toThrow();
    expect(platform.securityChecks!.findings).toEqual([expect.objectContaining({ ruleId: "postfix-submission-tls-required", acknowledged: reason })]);
  });
});
