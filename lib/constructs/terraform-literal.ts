/**
 * Terraform reads every string of cdk.tf.json as a template: `${…}` is an interpolation and
 * `%{…}` a directive. Rendered configuration is full of both (Postfix's `${data_directory}`,
 * shell `${VAR}`), so text that must arrive byte for byte is escaped the way Terraform documents:
 * `$${` and `%%{` stand for a literal `${` and `%{`.
 */

/** Text that Terraform turns back into exactly `text`. */
export function terraformLiteral(text: string): string {
  // Replacement functions: in a replacement string, "$$" would itself mean one "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/**
 * The inverse: the text Terraform makes of a string written by {@link terraformLiteral}, i.e.
 * `$${` and `%%{` become `${` and `%{`.
 * @throws Error on an unescaped `${` or `%{` (Terraform would evaluate it: a bug worth a test)
 */
export function terraformLiteralValue(template: string): string {
  const unescaped = /(^|[^$])\$\{|(^|[^%])%\{/.exec(template.replace(/\$\$\{|%%\{/g, ""));
  if (unescaped) {
    throw new Error(`unescaped template sequence near ${JSON.stringify(template.slice(Math.max(0, unescaped.index - 40), unescaped.index + 40))}`);
  }
  return template.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
