/**
 * Operator settings: the escape hatch for a Postfix or Dovecot setting the model has no field
 * for. Freeform maps of parameter → value, judged by the same syntax guards the renderers use
 * (config-syntax.ts), rendered last in a titled section of main.cf, of each listener's master.cf
 * entry and of dovecot.conf, where each replaces the platform's own value of that name. What
 * they weaken is judged by the security rule pack at synth; a finding is acknowledged here, with
 * a written reason, or synthesis fails.
 */
import { z } from "zod";
import {
  dovecotNameProblem,
  dovecotText,
  dovecotValueProblem,
  masterOptionProblem,
  masterOptionText,
  postconfNameProblem,
  postconfText,
  postconfValueProblem,
  type PostconfValue,
} from "./config-syntax";
import { acknowledgement } from "./syntax";

/** The services of `postfix.masterCf`: the Postfix listeners of the model (`services`). */
export const MASTER_CF_SERVICES = ["smtp", "submission", "submissions"] as const;

/** Dovecot settings the platform must write itself, where it writes them. */
const FIXED_DOVECOT_SETTINGS: Readonly<Record<string, string>> = {
  dovecot_config_version: "Dovecot 2.4 requires it as the first setting of the file, and the platform writes the version its settings are written for",
  dovecot_storage_version: "it says which Dovecot must read the index files, and the platform writes it next to dovecot_config_version",
};

/** Security rules that judge rendered Postfix settings, by id (acknowledged in `postfix.acknowledgements`). */
export const POSTFIX_SETTING_RULES = [
  "postfix-relay-restricted",
  "postfix-tls-auth-only",
  "postfix-loopback-mynetworks",
  "postfix-submission-tls-required",
  "postfix-compatibility-level",
] as const;
/** Security rules that judge rendered Dovecot settings, by id (acknowledged in `dovecot.acknowledgements`). */
export const DOVECOT_SETTING_RULES = ["dovecot-tls-before-login"] as const;

const postconfValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

function postconfProblems(ctx: z.core.ParsePayload<Record<string, PostconfValue>>, inMasterCf: boolean): void {
  for (const [name, value] of Object.entries(ctx.value)) {
    const nameProblem = postconfNameProblem(name);
    if (nameProblem)
      ctx.issues.push({
        code: "custom",
        input: name,
        path: [name],
        message: `expected a Postfix parameter name (postconf(5)): ${nameProblem}, starting with a lowercase letter or digit`,
      });
    const text = postconfText(value);
    const problem = postconfValueProblem(text) ?? (inMasterCf ? masterOptionProblem(masterOptionText(value)) : undefined);
    if (problem) {
      ctx.issues.push({
        code: "custom",
        input: value,
        path: [name],
        message: inMasterCf
          ? `expected a master.cf -o value: ${problem} (a value with blanks belongs in postfix.mainCf)`
          : `expected a main.cf value: ${problem}`,
      });
    }
  }
}

/** Parameters of one listener's master.cf entries (`-o name=value`). */
const masterOverrides = z
  .record(z.string(), postconfValue)
  .check((ctx) => postconfProblems(ctx, true))
  .describe("Parameter → value, written as -o name=value on every entry of this service (last, replacing the platform's -o of that name).");

/** Written reasons by rule id, for the rules that judge one daemon's operator settings. */
function acknowledgementsOf<Rule extends string>(rules: readonly Rule[]) {
  return z
    .strictObject(
      Object.fromEntries(rules.map((id) => [id, acknowledgement.optional().describe(`Written reason for the findings of ${id}.`)])) as Record<
        Rule,
        z.ZodOptional<typeof acknowledgement>
      >,
    )
    .optional()
    .describe("Written reason per security rule id for a finding the operator settings cause. Default: none.");
}

/** Postfix operator settings. */
export const PostfixSchema = z
  .strictObject({
    /**
     * main.cf parameters (postconf(5)) → value, rendered last in main.cf under "Operator settings",
     * each replacing the platform's line of that name. Lists are joined with ", ", booleans are
     * yes/no. A listener's master.cf `-o` of the same name still wins for that listener.
     * @default - none
     */
    mainCf: z
      .record(z.string(), postconfValue)
      .check((ctx) => postconfProblems(ctx, false))
      .optional()
      .describe("main.cf parameter → value, rendered last and replacing the platform's value. Default: none."),
    /**
     * master.cf `-o` overrides per listener service (`smtp`: port 25's smtpd, behind postscreen when
     * DNSBLs are on; `submission`: 587; `submissions`: 465), on the entry of every group address.
     * Values must be one word (no blanks or braces).
     * @default - none
     */
    masterCf: z
      .strictObject({
        /** `-o` overrides of port 25's smtpd (behind postscreen when DNSBLs are on). @default - none */
        smtp: masterOverrides.optional().describe("-o overrides of port 25's smtpd (the one behind postscreen when DNSBLs are on). Default: none."),
        /** `-o` overrides of submission (587). @default - none */
        submission: masterOverrides.optional().describe("-o overrides of submission (587). Default: none."),
        /** `-o` overrides of submissions (465, implicit TLS; `smtps` in older master.cf files). @default - none */
        submissions: masterOverrides.optional().describe("-o overrides of submissions (465, implicit TLS; smtps in older master.cf files). Default: none."),
      } satisfies Record<(typeof MASTER_CF_SERVICES)[number], unknown>)
      .optional()
      .describe("master.cf -o overrides per listener: smtp (25), submission (587), submissions (465). Default: none."),
    /**
     * Written reasons for the security findings the settings above cause, by rule id. Without
     * one, a finding fails synthesis; with one, it is reported (as information, with the reason)
     * at every synth.
     * @default - none
     */
    acknowledgements: acknowledgementsOf(POSTFIX_SETTING_RULES),
  })
  .describe("Postfix operator settings: main.cf and master.cf parameters the model has no field for.")
  .meta({ title: "PostfixInput" });

/** Dovecot operator settings. */
export const DovecotSchema = z
  .strictObject({
    /**
     * Top-level dovecot.conf settings → value, in the language of the host's Dovecot (2.4 on
     * Debian 13, 2.3 on Debian 12: names differ, e.g. `auth_allow_cleartext` and
     * `disable_plaintext_auth`). Rendered last under "Operator settings", each replacing the
     * platform's top-level setting of that name; settings inside blocks (`local`, `service`,
     * `protocol`) still win there. Plain values only: no `%`/`$` variables, braces or `#`.
     * @default - none
     */
    settings: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .check((ctx) => {
        for (const [name, value] of Object.entries(ctx.value)) {
          const nameProblem = dovecotNameProblem(name);
          const fixed = FIXED_DOVECOT_SETTINGS[name];
          if (nameProblem)
            ctx.issues.push({
              code: "custom",
              input: name,
              path: [name],
              message: `expected a Dovecot setting name: ${nameProblem} (a-z, digits, '_' and '-', not starting with a digit)`,
            });
          else if (fixed) ctx.issues.push({ code: "custom", input: name, path: [name], message: `${name} is set by the platform: ${fixed}` });
          const problem = dovecotValueProblem(dovecotText(value));
          if (problem) ctx.issues.push({ code: "custom", input: value, path: [name], message: `expected a dovecot.conf value: ${problem}` });
        }
      })
      .optional()
      .describe("Top-level dovecot.conf setting → value for the host's Dovecot version, rendered last and replacing the platform's value. Default: none."),
    /**
     * Written reasons for the security findings the settings above cause, by rule id.
     * @default - none
     */
    acknowledgements: acknowledgementsOf(DOVECOT_SETTING_RULES),
  })
  .describe("Dovecot operator settings: dovecot.conf settings the model has no field for.")
  .meta({ title: "DovecotInput" });
