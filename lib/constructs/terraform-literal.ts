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
