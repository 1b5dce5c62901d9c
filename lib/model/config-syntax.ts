/**
 * The syntax of Postfix's and Dovecot's configuration files, as one set of guards: the
 * renderers refuse a value that breaks its file with them (a bug guard), and the model judges
 * operator settings (`postfix.mainCf`, `postfix.masterCf`, `dovecot.settings`) with the same
 * ones, so what validation lets through is exactly what the renderers write.
 */

/** A main.cf value before formatting: booleans become yes/no, lists are joined with ", ". */
export type PostconfValue = string | number | boolean | readonly string[];

/** A postconf(5) parameter name, or `<service>_<parameter>`. */
const POSTCONF_NAME = /^[a-z0-9][A-Za-z0-9_-]*$/;
/** What {@link postconfNameProblem} allows. */
export const POSTCONF_NAME_RULE = "names are letters, digits, '_' and '-'";

/** One line of printable ASCII, without leading or trailing blanks. */
const POSTCONF_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
/** What {@link postconfValueProblem} allows. */
export const POSTCONF_VALUE_RULE = "values must be one line of printable ASCII without leading or trailing blanks";
/** What {@link masterOptionProblem} allows. */
export const MASTER_OPTION_RULE = "override values contain no blanks or braces";

/** Why a main.cf parameter name is unusable, or undefined. */
export function postconfNameProblem(name: string): string | undefined {
  return POSTCONF_NAME.test(name) ? undefined : POSTCONF_NAME_RULE;
}

/** A value as main.cf text: yes/no, plain numbers, lists joined with ", ". */
export function postconfText(value: PostconfValue): string {
  return typeof value === "boolean" ? (value ? "yes" : "no") : typeof value === "number" ? String(value) : typeof value === "string" ? value : value.join(", ");
}

/** Why main.cf text breaks main.cf (a line break starts a new setting, a leading blank continues the last), or undefined. */
export function postconfValueProblem(text: string): string | undefined {
  return text === "" || POSTCONF_VALUE.test(text) ? undefined : POSTCONF_VALUE_RULE;
}

/** A value as the text of a master.cf `-o name=value` (lists joined with "," and no blank). */
export function masterOptionText(value: PostconfValue): string {
  return postconfText(value).replace(/, /g, ",");
}

/**
 * Why the text of a master.cf `-o` value breaks master.cf, or undefined: fields are split on
 * whitespace (a blank starts a new argument) and braces open Postfix's grouping syntax.
 */
export function masterOptionProblem(text: string): string | undefined {
  return /[\s{}]/.test(text) ? MASTER_OPTION_RULE : undefined;
}

/** A dovecot.conf setting or block name. */
const DOVECOT_NAME = /^[a-z_][a-z0-9_-]*$/;
/** What {@link dovecotNameProblem} allows. */
export const DOVECOT_NAME_RULE = "names are lowercase words";
/** What {@link dovecotValueProblem} allows. */
export const DOVECOT_VALUE_RULE = "plain values contain no line breaks, braces, '#', '%', '$', no leading '<' and no outer blanks";

/** Why a dovecot.conf name is unusable, or undefined. */
export function dovecotNameProblem(name: string): string | undefined {
  return DOVECOT_NAME.test(name) ? undefined : DOVECOT_NAME_RULE;
}

/** A value as dovecot.conf text: yes/no, plain numbers, strings as they are. */
export function dovecotText(value: string | number | boolean): string {
  return typeof value === "boolean" ? (value ? "yes" : "no") : String(value);
}

/**
 * Why a plain dovecot.conf value breaks the file, or undefined: braces open and close blocks,
 * `#` starts a comment, `%` and `$` expand variables, a leading `<` reads a file.
 */
export function dovecotValueProblem(text: string): string | undefined {
  return /[\r\n{}#%$]/.test(text) || text.startsWith("<") || text !== text.trim() ? DOVECOT_VALUE_RULE : undefined;
}
