/**
 * OpenDKIM on a platform of several hosts: a host signs the mail of the groups whose home it is,
 * and only theirs — a group's mail leaves from its home, a backup MX sends none of it. (Before,
 * every host listed every domain of the platform: 16 hosts of 1,000 domains carried 16 copies.)
 */
import { spreadPlatform } from "../../bench/spread-platform";
import { plan } from "../../lib/plan/plan";
import { renderHost } from "../../lib/render/host-files";
import { parsePlatform } from "../../lib/validation/validate";

/** The keys (first column) of a rendered table's rows. */
function keys(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.split(/\s+/)[0]!);
}

describe("OpenDKIM tables on hosts that are home to some groups and backup MX for others", () => {
  // GIVEN four hosts, group g at home on host g and backup on host g + 1, two domains each
  const planned = plan(parsePlatform(spreadPlatform(4, 4, 8), "spread"));

  test.each(planned.hosts.map((h) => [h.name, h] as const))("%s signs its home groups' domains only", (_name, host) => {
    const files = renderHost(planned, host).files;
    const table = (path: string) => files.find((f) => f.path === path)!.content;
    const homeDomains = planned.domains.filter((d) => host.homeGroups.includes(d.group)).map((d) => d.name);
    const backupDomains = host.forwards.flatMap((f) => f.domains);

    // THEN the key and signing tables list exactly the home groups' domains, none of the groups it backs up
    expect(homeDomains).toHaveLength(2);
    expect(backupDomains).toHaveLength(2);
    expect(keys(table("etc/opendkim/key.table"))).toEqual(homeDomains);
    // ... and the host name of its bounce group (one of its home groups here), for its notifications
    expect(host.homeGroups).toContain(host.bounce.group);
    expect(keys(table("etc/opendkim/signing.table"))).toEqual([...homeDomains.map((d) => `*@${d}`), `*@${host.bounce.hostName}`]);
  });
});
