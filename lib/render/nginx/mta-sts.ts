/**
 * MTA-STS policy hosting (RFC 8461): nginx (Debian package nginx-light) serves each group's
 * policy at https://mta-sts.<domain>/.well-known/mta-sts.txt on the group's own address, with a
 * certificate for that name. Nothing else is served.
 */
import { mtaStsPolicy } from "../../plan/dns-records";
import type { HostPlan, Plan } from "../../plan/types";
import { homeDomains } from "../../plan/host-scope";
import { generatedHeader } from "../header";
import type { HostPaths } from "../host-paths";
import type { RenderedFile } from "../rendered-file";
import { httpsServer } from "./https-server";

/** Where the server block file goes. */
export const MTA_STS_NGINX_CONF = "etc/nginx/conf.d/mail-platform-mta-sts.conf";

/** The nginx server blocks and the policy files of a host (nothing without MTA-STS). */
export function renderMtaSts(plan: Plan, host: HostPlan, paths: HostPaths): RenderedFile[] {
  if (!plan.mtaSts.served) return [];
  const header = generatedHeader(plan.spec.name, host.name);
  // Policy fetchers are mail servers: the MX profile applies, as on port 25.
  const tls = plan.mxTls;
  // Each policy is served by its group's home (its mta-sts.<domain> name points there).
  const blocks = homeDomains(plan, host).map((domain) => {
    const address = host.addresses.find((a) => a.group === domain.group)!;
    return httpsServer(plan, host, paths, { address: address.privateIp, name: `mta-sts.${domain.name}`, tls }, [
      "    location = /.well-known/mta-sts.txt {",
      "        default_type text/plain;",
      `        alias ${paths.mtaStsRoot}/${domain.group}.txt;`,
      "    }",
      "    location / {",
      "        return 404;",
      "    }",
    ]);
  });
  const root = paths.mtaStsRoot.replace(/^\//, "");
  return [
    {
      path: MTA_STS_NGINX_CONF,
      content: `${header}\n# MTA-STS policies, one server per domain of the groups whose home this host is, on the group's own address.\n${blocks.map((b) => `${b}\n`).join("\n")}`,
      mode: "0644",
    },
    ...host.homeGroups.map((group) => ({ path: `${root}/${group}.txt`, content: mtaStsPolicy(plan, group)!, mode: "0644" })),
  ];
}
