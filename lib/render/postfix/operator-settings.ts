/**
 * The operator's Postfix settings (`postfix.mainCf`, `postfix.masterCf` in the model), written
 * last: in main.cf as a titled section, in master.cf as the last `-o` lines of each listener's
 * entry. Each replaces the platform's setting of the same name instead of repeating it: Postfix
 * reads the last of two equal names, but every daemon then logs "overriding earlier entry" on
 * each start. The comment over each line says where it comes from and what it replaced.
 */
import type { ServiceName } from "../../model/schema";
import type { PostconfValue } from "../../model/config-syntax";
import { formatPostconfValue, type PostconfSection } from "./main-cf-format";
import type { MasterEntry } from "./master-cf-format";

/** Title of the operator section of main.cf. */
export const OPERATOR_MAIN_CF_TITLE = "Operator settings (postfix.mainCf in the model; each replaces the platform's value of the same name)";

type Settings = Readonly<Record<string, PostconfValue>>;

const given = (settings: Settings | undefined): settings is Settings => settings !== undefined && Object.keys(settings).length > 0;

function replaced(was: string | undefined): string {
  return was === undefined ? "" : `, replacing the platform's value: ${was === "" ? "(empty)" : was}`;
}

/** main.cf sections with the operator's settings last; the platform's lines of those names are left out. */
export function withOperatorMainCf(sections: readonly PostconfSection[], mainCf: Settings | undefined): readonly PostconfSection[] {
  if (!given(mainCf)) return sections;
  const platform = new Map(sections.flatMap((s) => s.settings.map((setting) => [setting.name, formatPostconfValue(setting.name, setting.value)] as const)));
  return [
    ...sections.map((section) => ({ ...section, settings: section.settings.filter((s) => !Object.hasOwn(mainCf, s.name)) })),
    {
      title: OPERATOR_MAIN_CF_TITLE,
      settings: Object.entries(mainCf).map(([name, value]) => ({ name, value, why: `postfix.mainCf.${name} in the model${replaced(platform.get(name))}` })),
    },
  ];
}

/** A listener's master.cf entry with the operator's `-o` settings last; the platform's `-o` of those names are left out. */
export function withOperatorOptions(entry: MasterEntry, service: ServiceName, options: Settings | undefined): MasterEntry {
  if (!given(options)) return entry;
  const platform = new Map((entry.options ?? []).map(([name, value]) => [name, formatPostconfValue(name, value).replace(/, /g, ",")] as const));
  return {
    ...entry,
    options: (entry.options ?? []).filter(([name]) => !Object.hasOwn(options, name)),
    operatorOptions: Object.entries(options).map(([name, value]) => ({
      name,
      value,
      why: `postfix.masterCf.${service}.${name} in the model${replaced(platform.get(name))}`,
    })),
  };
}
