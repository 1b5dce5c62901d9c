/**
 * The inverse of the escaping MailPlatform applies to text that must reach a host byte for byte
 * (rendered files, bundles): what Terraform makes of such a string.
 */

/**
 * The text Terraform makes of a string that must hold no interpolation: `$${` and `%%{` become
 * `${` and `%{`.
 * @throws Error on an unescaped `${` or `%{` (Terraform would evaluate it: a bug worth a test)
 */
export function terraformLiteralValue(template: string): string {
  const unescaped = /(^|[^$])\$\{|(^|[^%])%\{/.exec(template.replace(/\$\$\{|%%\{/g, ""));
  if (unescaped) {
    throw new Error(`unescaped template sequence near ${JSON.stringify(template.slice(Math.max(0, unescaped.index - 40), unescaped.index + 40))}`);
  }
  return template.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
