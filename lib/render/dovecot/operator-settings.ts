/**
 * The operator's Dovecot settings (`dovecot.settings` in the model), written last in dovecot.conf
 * as a titled section. Each replaces the platform's top-level setting of the same name instead of
 * repeating it, so the file says each top-level name once; settings inside blocks (`local`,
 * `service`, `namespace`) are the platform's and still apply there.
 */
import { setting, type DovecotNode } from "./conf-format";

/** Title of the operator section of dovecot.conf. */
export const OPERATOR_DOVECOT_TITLE = "Operator settings (dovecot.settings in the model; each replaces the platform's top-level setting of the same name)";

interface Section {
  readonly title: string;
  readonly nodes: readonly DovecotNode[];
}

/** dovecot.conf sections with the operator's settings last; the platform's top-level settings of those names are left out. */
export function withOperatorSettings(
  settings: Readonly<Record<string, string | number | boolean>> | undefined,
  sections: readonly Section[],
): readonly Section[] {
  if (settings === undefined || Object.keys(settings).length === 0) return sections;
  const platform = new Map(sections.flatMap((s) => s.nodes.flatMap((n) => (n.kind === "setting" ? [[n.name, n.value] as const] : []))));
  const replaced = (name: string) => {
    const was = platform.get(name);
    return was === undefined ? "" : `, replacing the platform's value: ${was === "" ? "(empty)" : was}`;
  };
  return [
    ...sections.map((section) => ({ ...section, nodes: section.nodes.filter((n) => n.kind !== "setting" || !Object.hasOwn(settings, n.name)) })),
    {
      title: OPERATOR_DOVECOT_TITLE,
      nodes: Object.entries(settings).map(([name, value]) => setting(name, value, `dovecot.settings.${name} in the model${replaced(name)}`)),
    },
  ];
}
