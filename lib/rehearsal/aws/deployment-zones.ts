/**
 * The Route53 hosted zones of a synthesized platform, with the ids they would have: created zones
 * (one `aws_route53_zone` iterating over zone names) get a made-up id, given zones keep the id the
 * model names (the map MailZones writes into `locals`). The expressions are checked to be exactly
 * the ones MailZones and MailDns write, so a change of shape fails here instead of being misread.
 */
import { fakeZoneId } from "./fake-ids";
import { literalString, TerraformDocument } from "./terraform-document";

/** A hosted zone as the rehearsal's Route53 holds it. */
export interface DeployedZone {
  /** Zone name, without trailing dot. */
  readonly name: string;
  /** Hosted zone id without the `/hostedzone/` prefix. */
  readonly id: string;
  /** Created by this stack (id made up) or given in the model (id kept). */
  readonly created: boolean;
  /** The zone's comment, when created here. */
  readonly comment?: string;
  /** The `aws_route53_zone` logical name and instance key that created it. */
  readonly resource?: { readonly name: string; readonly key?: string };
}

const RECORD_ZONE_ID = /^\$\{local\.([\w-]+)\[each\.value\.zone\]\}$/;
const MERGED_ZONE_IDS = /^\$\{merge\(local\.([\w-]+), \{ for key, val in aws_route53_zone\.([\w-]+): key => val\.zone_id \}\)\}$/;

function createdZones(document: TerraformDocument): DeployedZone[] {
  return document.all("aws_route53_zone").flatMap(([logical, body]) => {
    const where = `aws_route53_zone.${logical}`;
    const comment = body.comment === undefined ? {} : { comment: literalString(body.comment, `${where}.comment`) };
    if (body.for_each === undefined) {
      const name = literalString(body.name, `${where}.name`).replace(/\.$/, "");
      return [{ name, id: fakeZoneId(name), created: true, ...comment, resource: { name: logical } }];
    }
    if (typeof body.for_each !== "object" || body.for_each === null)
      throw new Error(`${where}.for_each: expected a map of zones (received: ${JSON.stringify(body.for_each)})`);
    return Object.entries(body.for_each as Record<string, { name?: unknown }>).map(([key, each]) => {
      const name =
        body.name === "${each.key}" ? key : body.name === "${each.value.name}" ? literalString(each.name, `${where}.for_each["${key}"].name`) : undefined;
      if (name === undefined) throw new Error(`${where}.name: ${JSON.stringify(body.name)} is not a zone name this reader understands`);
      return { name: name.replace(/\.$/, ""), id: fakeZoneId(name.replace(/\.$/, "")), created: true, ...comment, resource: { name: logical, key } };
    });
  });
}

/** The local holding zone name → id for the records (MailDns reads every zone id from it). */
function givenZones(document: TerraformDocument): DeployedZone[] {
  const mapLocals = new Set(
    document.all("aws_route53_record").map(([logical, body]) => {
      const m = RECORD_ZONE_ID.exec(String(body.zone_id));
      if (!m) throw new Error(`aws_route53_record.${logical}.zone_id: ${JSON.stringify(body.zone_id)} is not the zone id lookup MailDns writes`);
      return m[1]!;
    }),
  );
  return [...mapLocals].flatMap((name) => {
    const value = document.locals[name];
    const merged = typeof value === "string" ? MERGED_ZONE_IDS.exec(value) : undefined;
    const given = merged ? document.locals[merged[1]!] : value;
    if (typeof given !== "object" || given === null) throw new Error(`local.${name}: ${JSON.stringify(value)} is not the zone id map MailZones writes`);
    return Object.entries(given as Record<string, unknown>).map(([zone, id]) => ({
      name: zone,
      id: literalString(id, `local.${name}["${zone}"]`),
      created: false,
    }));
  });
}

/** Every hosted zone of the document, sorted by name. */
export function readZones(document: TerraformDocument): DeployedZone[] {
  const zones = [...createdZones(document), ...givenZones(document)];
  const seen = new Set<string>();
  for (const zone of zones) {
    if (seen.has(zone.name)) throw new Error(`zone ${zone.name} is both given and created`);
    seen.add(zone.name);
  }
  return zones.sort((a, b) => a.name.localeCompare(b.name));
}
