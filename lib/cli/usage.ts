/** Help texts of `mail-platform` and its commands. */

/** Top-level help. */
export const MAIN_HELP = `Usage: mail-platform <command> [options]

Validate and render a mail platform model (platform.yaml or .json).

Commands:
  validate <file>            Check the model; list every problem with its path.
  render <file> --out <dir>  Write the Postfix and Dovecot files of every host.

Options:
  -h, --help                 Show help (also after a command: mail-platform render --help).

Exit codes: 0 success, 1 invalid model, 2 usage error.
`;

/** Help of each command. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  validate: `Usage: mail-platform validate <file> [--json]

Check a platform model (YAML or JSON) against the schema and the cross-field rules.
Every problem is listed with its field path, the value received and what is allowed.

Options:
  --json      Print the result as JSON on stdout: {"valid": true} or {"valid": false, "issues": [...]}.
  -h, --help  Show this help.

Exit codes: 0 valid, 1 invalid, 2 usage error (unknown option, missing or unreadable file).
`,
  render: `Usage: mail-platform render <file> --out <dir>

Render the configuration of every host: <dir>/<host>/etc/postfix/... and
<dir>/<host>/etc/dovecot/dovecot.conf. Nothing is written when the model is invalid.

Options:
  -o, --out <dir>  Output directory (created if missing).
  -h, --help       Show this help.

Exit codes: 0 written, 1 invalid model, 2 usage error.
`,
};
