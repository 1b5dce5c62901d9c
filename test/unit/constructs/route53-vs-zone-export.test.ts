/**
 * The Route53 records and the zone export come from the same record model: for the example and
 * the DNS-rich variant, every Route53 record set equals the exported zone's, once the Elastic IP
 * references are replaced by the export's placeholders.
 */
import { exportZones, publicIpPlaceholders } from "../../../lib/render/dns/zone-export";
import { synthExample, route53Records } from "../../support/synth";
import { variants } from "../../support/variants";

/** name type → {ttl, values} from zone-file text (TXT strings unquoted and joined). */
function zoneRecords(text: string): Map<string, { ttl: number; values: string[] }> {
  const records = new Map<string, { ttl: number; values: string[] }>();
  for (const line of text.split("\n")) {
    const match = /^(\S+)\. (\d+) IN (A|MX|SRV|TXT|TLSA) (.*)$/.exec(line);
    if (!match) continue;
    const [, name, ttl, type, rest] = match;
    const value = type === "TXT" ? [...rest!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1")).join("") : rest!;
    const key = `${name} ${type}`;
    const entry = records.get(key) ?? { ttl: Number(ttl), values: [] };
    entry.values.push(value);
    records.set(key, entry);
  }
  return records;
}

describe.each(
  variants()
    .filter((v) => v.name === "example" || v.name.startsWith("DNS:"))
    .map((v) => [v.name, v] as const),
)("variant %s", (_name, variant) => {
  test("Route53 records = exported zone records", () => {
    const { json, platform } = synthExample((input) => Object.assign(input, structuredClone(variant.input)));
    const placeholders = publicIpPlaceholders(platform.plan);
    // Each new Elastic IP is tagged <platform>-<host>-<group>; its synthesized reference maps to the placeholder.
    const tokens = new Map<string, string>();
    for (const [logicalId, eip] of Object.entries(json.resource.aws_eip ?? {})) {
      const name = (eip.tags as Record<string, string>).Name;
      for (const [key, placeholder] of placeholders) {
        const [host, group] = key.split("/");
        if (name === `${platform.spec.name}-${host}-${group}`) tokens.set(`\${aws_eip.${logicalId}.public_ip}`, placeholder.ip);
      }
    }
    expect(tokens.size).toBe(placeholders.size);
    const substitute = (value: string) => [...tokens].reduce((text, [token, ip]) => text.split(token).join(ip), value);

    const route53 = new Map<string, { ttl: number; values: string[] }>();
    for (const record of route53Records(json)) {
      // Route53 takes long TXT values as strings joined by "" (it adds the outer quotes).
      const values = (record.records as string[]).map((v) => substitute(record.type === "TXT" ? v.split('""').join("") : v));
      route53.set(`${record.name} ${record.type}`, { ttl: Number(record.ttl), values });
    }
    const exported = new Map(exportZones(platform.plan).flatMap((zone) => [...zoneRecords(zone.content)]));
    expect(new Map([...route53].sort())).toEqual(new Map([...exported].sort()));
    expect(route53.size).toBeGreaterThan(40);
  });
});
