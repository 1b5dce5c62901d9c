/**
 * The world's blocklist zones: each answers RFC 5782's test point (127.0.0.2 listed, 127.0.0.1
 * not), postscreen's zones list the listed client, and a requested listing lands in its zone
 * only; a listing in a zone the model does not use is refused. The zone texts are checked by
 * named-checkzone, as the world's named would load them.
 */
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { WORLD_ADDRESSES } from "../../../lib/rehearsal/network";
import { worldZones } from "../../../lib/rehearsal/world-dns";
import { examplePlan } from "../../support/example";

const LISTED = "203.0.113.7";
const plan = examplePlan((i) => (i.blocklistWatch = { enabled: true, zones: ["zen.spamhaus.org", "dnsbl.watch-only.example"] }));
const zones = worldZones(plan, WORLD_ADDRESSES, [], [{ zone: "bl.spamcop.net", address: LISTED }]);

/** The A records a zone text holds for a name (`name.` `ttl` IN A `value`). */
const aRecords = (zone: string, name: string) =>
  (zones.get(zone) ?? "")
    .split("\n")
    .filter((l) => l.startsWith(`${name} `) && / IN A /.test(l))
    .map((l) => l.split(/\s+/).pop());

test("every blocklist zone, postscreen's and the watch's, lists its test point 127.0.0.2 and not 127.0.0.1", () => {
  for (const zone of ["zen.spamhaus.org", "bl.spamcop.net", "dnsbl.watch-only.example"]) {
    expect({ zone, listed: aRecords(zone, `2.0.0.127.${zone}.`), unlisted: aRecords(zone, `1.0.0.127.${zone}.`) }).toEqual({
      zone,
      listed: ["127.0.0.2"],
      unlisted: [],
    });
  }
});

test("the requested listing is in its zone only; postscreen's zones list the listed client, the watch's own zone does not", () => {
  expect(aRecords("bl.spamcop.net", `7.113.0.203.bl.spamcop.net.`)).toEqual(["127.0.0.2"]);
  expect(aRecords("zen.spamhaus.org", `7.113.0.203.zen.spamhaus.org.`)).toEqual([]);
  const client = WORLD_ADDRESSES.listedClient.split(".").reverse().join(".");
  expect(aRecords("zen.spamhaus.org", `${client}.zen.spamhaus.org.`)).toEqual(["127.0.0.2"]);
  expect(aRecords("dnsbl.watch-only.example", `${client}.dnsbl.watch-only.example.`)).toEqual([]);
});

test("named-checkzone loads each blocklist zone", () => {
  const dir = mkdtempSync(join(tmpdir(), "world-blocklists-"));
  try {
    for (const zone of ["zen.spamhaus.org", "bl.spamcop.net", "dnsbl.watch-only.example"]) {
      const file = join(dir, `${zone}.zone`);
      writeFileSync(file, zones.get(zone)!);
      expect(execFileSync("named-checkzone", [zone, file], { encoding: "utf8" })).toMatch(/OK\s*$/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a listing in a zone the model does not use is refused, naming the zones", () => {
  expect(() => worldZones(plan, WORLD_ADDRESSES, [], [{ zone: "dnsbl.unknown.example", address: LISTED }])).toThrow(
    "cannot list 203.0.113.7 in dnsbl.unknown.example: the model uses no such blocklist (zones: zen.spamhaus.org, bl.spamcop.net, dnsbl.watch-only.example)",
  );
});
