/**
 * Operator settings against the rest of the model: overrides of a listener that is off, a
 * Dovecot name the host's Dovecot version does not know (2.3 and 2.4 renamed settings), and
 * acknowledgements with nothing to acknowledge.
 */
import { HOST_OS_FACTS } from "../catalogue/host-os";
import { issue, type PathSegment, type PlatformIssue } from "./issues";
import { MASTER_CF_SERVICES } from "./operator-settings";
import type { PlatformSpec } from "./schema";
import { MIN_ACKNOWLEDGEMENT_LETTERS, visibleLetters, type SemanticCheck } from "./semantic-checks";

/**
 * Settings the platform writes under another name in the other Dovecot version, 2.3's and 2.4's
 * (Dovecot's "Upgrading Dovecot 2.3 to 2.4"; the renderers in lib/render/dovecot/ write both).
 */
const DOVECOT_RENAMED: ReadonlyArray<{ readonly v23: string; readonly v24: readonly string[]; readonly note?: string }> = [
  { v23: "disable_plaintext_auth", v24: ["auth_allow_cleartext"], note: " (with the opposite meaning)" },
  { v23: "ssl_cert", v24: ["ssl_server_cert_file"], note: " (a path, without '<')" },
  { v23: "ssl_key", v24: ["ssl_server_key_file"], note: " (a path, without '<')" },
  { v23: "ssl_dh", v24: ["ssl_server_dh_file"], note: " (a path, without '<')" },
  { v23: "ssl_prefer_server_ciphers", v24: ["ssl_server_prefer_ciphers"], note: " (server or client)" },
  { v23: "mail_location", v24: ["mail_driver", "mail_path"] },
];

/** Dovecot settings brute-force protection relies on: the rendered value or Dovecot's default. */
const BRUTE_FORCE_DOVECOT_SETTINGS = ["auth_verbose", "auth_username_chars"] as const;

function hostsOn(spec: Pick<PlatformSpec, "os" | "hosts">, dovecot: "2.3" | "2.4"): string {
  return spec.hosts
    .filter((h) => HOST_OS_FACTS[h.os ?? spec.os].dovecot === dovecot)
    .map((h) => `${h.name} (${h.os ?? spec.os})`)
    .join(", ");
}

function dovecotVersionIssues(spec: Pick<PlatformSpec, "os" | "hosts" | "dovecot">): PlatformIssue[] {
  const on24 = hostsOn(spec, "2.4");
  const on23 = hostsOn(spec, "2.3");
  return Object.keys(spec.dovecot?.settings ?? {}).flatMap((name) =>
    DOVECOT_RENAMED.flatMap(({ v23, v24, note = "" }) => {
      const path = ["dovecot", "settings", name];
      if (name === v23 && on24 !== "") return [issue(path, name, `Dovecot 2.4 on ${on24} does not know ${v23}; it calls it ${v24.join(" and ")}${note}`)];
      if (v24.includes(name) && on23 !== "") return [issue(path, name, `Dovecot 2.3 on ${on23} does not know ${name}; it calls it ${v23}`)];
      return [];
    }),
  );
}

function acknowledgementIssues(
  path: PathSegment[],
  acknowledgements: Readonly<Record<string, string | undefined>> | undefined,
  settingsGiven: boolean,
  settingsNames: string,
): PlatformIssue[] {
  return Object.entries(acknowledgements ?? {}).flatMap(([rule, reason]) => {
    if (reason === undefined) return [];
    if (!settingsGiven)
      return [
        issue(
          [...path, rule],
          reason,
          `only operator settings (${settingsNames}) can cause a finding to acknowledge here, and none is set; remove the acknowledgement`,
        ),
      ];
    const letters = visibleLetters(reason);
    return letters >= MIN_ACKNOWLEDGEMENT_LETTERS
      ? []
      : [
          issue(
            [...path, rule],
            reason,
            `expected a written reason with at least ${MIN_ACKNOWLEDGEMENT_LETTERS} visible letters or digits; this one has ${letters}`,
          ),
        ];
  });
}

const nonEmpty = (map: Readonly<Record<string, unknown>> | undefined) => map !== undefined && Object.keys(map).length > 0;

/** The checks of this module, in the shape cross-checks.ts runs. */
export const OPERATOR_SETTINGS_CHECKS: readonly SemanticCheck[] = [
  {
    sections: ["postfix", "services"],
    run: ({ postfix, services }) =>
      MASTER_CF_SERVICES.filter((s) => postfix?.masterCf?.[s] !== undefined && !services[s]).map((s) =>
        issue(
          ["postfix", "masterCf", s],
          postfix!.masterCf![s],
          `the ${s} service is off (services.${s}), so no master.cf entry carries these overrides; switch it on or remove them`,
        ),
      ),
  },
  { sections: ["os", "hosts", "dovecot"], run: dovecotVersionIssues },
  {
    // Brute-force protection counts the lines auth_verbose writes, and reads the client's address
    // safely only because auth_username_chars keeps commas, parentheses and blanks out of user names.
    sections: ["bruteForce", "dovecot"],
    run: ({ bruteForce, dovecot }) =>
      !bruteForce.enabled
        ? []
        : BRUTE_FORCE_DOVECOT_SETTINGS.filter((name) => dovecot?.settings?.[name] !== undefined).map((name) =>
            issue(
              ["dovecot", "settings", name],
              dovecot!.settings![name],
              `brute-force protection (bruteForce) needs Dovecot's own ${name}: fail2ban counts the failures auth_verbose logs, and auth_username_chars keeps user names from carrying another address into those lines; remove the setting or set bruteForce.enabled to false`,
            ),
          ),
  },
  {
    sections: ["postfix"],
    run: ({ postfix }) =>
      acknowledgementIssues(
        ["postfix", "acknowledgements"],
        postfix?.acknowledgements,
        nonEmpty(postfix?.mainCf) || Object.values(postfix?.masterCf ?? {}).some(nonEmpty),
        "postfix.mainCf, postfix.masterCf",
      ),
  },
  {
    sections: ["dovecot"],
    run: ({ dovecot }) => acknowledgementIssues(["dovecot", "acknowledgements"], dovecot?.acknowledgements, nonEmpty(dovecot?.settings), "dovecot.settings"),
  },
];
