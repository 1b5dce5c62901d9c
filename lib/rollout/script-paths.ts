/** Where the host-side scripts are installed (by the user data; run by rollouts and at boot). */

/** The apply script: stages, validates and swaps in a bundle. */
export const APPLY_SCRIPT_PATH = "/usr/local/sbin/mail-platform-apply";

/** The certificates script: issues every certificate a list names. */
export const CERTIFICATES_SCRIPT_PATH = "/usr/local/sbin/mail-platform-certificates";
