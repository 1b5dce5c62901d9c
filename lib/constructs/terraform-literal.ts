/**
 * Terraform reads every string of cdk.tf.json as a template: `${…}` is an interpolation and
 * `%{…}` a directive. Rendered configuration is full of both (Postfix's `${data_directory}`,
 * shell `${VAR}`), so text that must arrive byte for byte is escaped the way Terraform documents:
 * `$${` and `%%{` stand for a literal `${` and `%{`.
 */

/** Text that Terraform turns back into exactly `text`. */
export function terraformLiteral(text: string): string {
  // One pass over a bundle of a few hundred kilobytes, not two: no escape makes a new `${` or `%{`.
  // A replacement function: in a replacement string, "$$" would itself mean one "$".
  return text.replace(/([$%])\{/g, (_, sign: string) => `${sign}${sign}{`);
}

/**
 * The inverse: the text Terraform makes of a string written by {@link terraformLiteral}, i.e.
 * `$${` and `%%{` become `${` and `%{`.
 * @throws Error on an unescaped `${` or `%{` (Terraform would evaluate it: a bug worth a test)
 */
export function terraformLiteralValue(template: string): string {
  // Each escape becomes one character that cannot begin or end a sequence: removing it would join
  // what stood around it (`%%%{{` is a literal `%` and an escaped `%{`, not `%` + `{`).
  const unescaped = /(^|[^$])\$\{|(^|[^%])%\{/.exec(template.replace(/\$\$\{|%%\{/g, "\u0000"));
  if (unescaped) {
    throw new Error(`unescaped template sequence near ${JSON.stringify(template.slice(Math.max(0, unescaped.index - 40), unescaped.index + 40))}`);
  }
  return template.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
