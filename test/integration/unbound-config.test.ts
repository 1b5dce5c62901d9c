/**
 * The rendered unbound.conf is accepted by the real unbound-checkconf of each host OS (Debian 13's
 * and Debian 12's unbound 1.17), for one host and for each host of a spread platform. The
 * one change to the production text: the root trust anchor is dns-root-data's file, because
 * /var/lib/unbound/root.key only exists once unbound's unit (or the first-boot setup) copied it.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parsePlatform } from "../../lib/validation/validate";
import { plan } from "../../lib/plan/plan";
import { renderHost } from "../../lib/render/host-files";
import { HOST_RESOLVER, renderUnboundConf, UNBOUND_CONF } from "../../lib/render/unbound/unbound-conf";
import { exampleInput } from "../support/example";
import { everyOs } from "../support/os-programs";
import { spreadOverThreeHosts } from "../support/variants";

const DNS_ROOT_KEY = "/usr/share/dns/root.key";

function models() {
  const spread = exampleInput();
  spreadOverThreeHosts(spread);
  return [
    ["example", exampleInput()],
    ["spread over three hosts", spread],
  ] as const;
}

describe.each(everyOs().map((p) => [p.os, p] as const))("%s: unbound-checkconf", (os, programs) => {
  test.each(models())("accepts the rendered unbound.conf of every host (%s)", (_name, input) => {
    const planned = plan(parsePlatform({ ...structuredClone(input), os }));
    const dir = mkdtempSync(join(tmpdir(), "mail-platform-unbound-"));
    for (const host of planned.hosts) {
      const production = renderHost(planned, host).files.find((f) => f.path === UNBOUND_CONF)!;
      const checked = renderUnboundConf(planned, host, { ...HOST_RESOLVER, rootTrustAnchorFile: DNS_ROOT_KEY });
      // Only the anchor's path differs from what the host gets.
      expect(checked.content).toBe(production.content.replace(HOST_RESOLVER.rootTrustAnchorFile, DNS_ROOT_KEY));
      const file = join(dir, `${host.name}.conf`);
      writeFileSync(file, checked.content);
      const result = programs.run("unbound-checkconf", [file]);
      expect({ host: host.name, status: result.status, out: `${result.stdout}${result.stderr}`.trim() }).toEqual({
        host: host.name,
        status: 0,
        out: `unbound-checkconf: no errors in ${file}`,
      });
    }
  });

  test("rejects a broken file (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "mail-platform-unbound-"));
    const file = join(dir, "broken.conf");
    writeFileSync(file, "server:\n    interface: 127.0.0.1\n    qname-minimisation: maybe\n");
    expect(programs.run("unbound-checkconf", [file]).status).not.toBe(0);
  });
});
