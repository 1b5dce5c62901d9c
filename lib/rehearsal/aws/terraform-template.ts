/**
 * Terraform reads every string of cdk.tf.json as a template. To know what Terraform would have
 * sent to AWS, a string is evaluated the same way: `$${` and `%%{` are literal `${` and `%{`
 * (see lib/constructs/terraform-literal.ts), every `${…}` is an interpolation the caller must
 * resolve, and `%{…}` directives are refused (nothing the constructs write uses them, so one
 * appearing is a change this reader must learn, not something to pass through).
 */

/** Evaluate `template`, replacing each interpolation by `resolve(expression)`. */
export function evaluateTemplate(template: string, resolve: (expression: string) => string): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    if (template.startsWith("$${", i)) {
      out += "${";
      i += 3;
    } else if (template.startsWith("%%{", i)) {
      out += "%{";
      i += 3;
    } else if (template.startsWith("${", i)) {
      const end = closingBrace(template, i + 2);
      out += resolve(template.slice(i + 2, end).trim());
      i = end + 1;
    } else if (template.startsWith("%{", i)) {
      throw new Error(`Terraform template directive ${JSON.stringify(template.slice(i, i + 40))} is not evaluated by the rehearsal`);
    } else {
      out += template[i];
      i += 1;
    }
  }
  return out;
}

/** Whether a string holds an interpolation or directive (after escapes). */
export function hasInterpolation(template: string): boolean {
  return /\$\{|%\{/.test(template.replace(/\$\$\{|%%\{/g, ""));
}

/** Index of the `}` closing an interpolation whose expression starts at `from` (quotes and nested braces skipped). */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth += 1;
    else if (c === "}") {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  throw new Error(`unterminated Terraform interpolation near ${JSON.stringify(text.slice(from - 2, from + 40))}`);
}
