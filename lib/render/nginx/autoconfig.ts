/**
 * Client autoconfiguration hosting: nginx serves, on each group's own address and with a
 * certificate for each name,
 * - Thunderbird's autoconfig at https://autoconfig.<domain>/mail/config-v1.1.xml (and at
 *   /.well-known/autoconfig/mail/config-v1.1.xml), one document per domain;
 * - Outlook's autodiscover at https://autodiscover.<domain>/autodiscover/autodiscover.xml, one
 *   document per group, answering Outlook's POST as well as GET.
 * Nothing else is served on those names.
 */
import type { HostPlan, Plan } from "../../plan/types";
import { homeDomains } from "../../plan/host-scope";
import { outlookAutodiscover } from "../autoconfig/outlook";
import { thunderbirdConfig } from "../autoconfig/thunderbird";
import { generatedHeader } from "../header";
import type { HostPaths } from "../host-paths";
import type { RenderedFile } from "../rendered-file";
import { httpsServer } from "./https-server";

/** Where the server block file goes. */
export const AUTOCONFIG_NGINX_CONF = "etc/nginx/conf.d/mail-platform-autoconfig.conf";

/** Where a domain's autoconfig document lies below the autoconfig root. */
export function autoconfigFile(root: string, domain: string): string {
  return `${root}/autoconfig/${domain}.xml`;
}

/** Where a group's autodiscover document lies below the autoconfig root. */
export function autodiscoverFile(root: string, group: string): string {
  return `${root}/autodiscover/${group}.xml`;
}

/** The paths Thunderbird asks for (the second is the well-known form it tries on other hosts). */
export const AUTOCONFIG_PATHS = ["/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"] as const;

/** The paths Outlook asks for (it has been seen to capitalise them). */
export const AUTODISCOVER_PATHS = ["/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"] as const;

/** The nginx server blocks and the documents of a host (nothing without client autoconfiguration). */
export function renderClientAutoconfig(plan: Plan, host: HostPlan, paths: HostPaths): RenderedFile[] {
  if (!plan.autoconfig.served) return [];
  const header = generatedHeader(plan.spec.name, host.name);
  const root = paths.autoconfigRoot;
  // Mail clients fetch these: the client profile applies, as on 465/587/993.
  const tls = plan.clientTls;
  // Served by each group's home: its autoconfig and autodiscover names point there.
  const domains = homeDomains(plan, host);
  const blocks = domains.flatMap((domain) => {
    const address = host.addresses.find((a) => a.group === domain.group)!;
    const server = (name: string, locations: readonly string[]) =>
      httpsServer(plan, host, paths, { address: address.privateIp, name, tls }, [...locations, "    location / {", "        return 404;", "    }"]);
    return [
      server(
        `autoconfig.${domain.name}`,
        AUTOCONFIG_PATHS.flatMap((path) => [
          `    location = ${path} {`,
          "        limit_except GET { deny all; }",
          "        default_type application/xml;",
          `        alias ${autoconfigFile(root, domain.name)};`,
          "    }",
        ]),
      ),
      server(
        `autodiscover.${domain.name}`,
        AUTODISCOVER_PATHS.flatMap((path) => [
          `    location = ${path} {`,
          "        limit_except GET POST { deny all; }",
          "        default_type application/xml;",
          `        alias ${autodiscoverFile(root, domain.group)};`,
          // nginx serves files to GET only; Outlook POSTs its request. The answer does not depend
          // on the request, so the refusal is turned into the file (error_page redirects as GET).
          "        error_page 405 =200 $uri;",
          "    }",
        ]),
      ),
    ];
  });
  const relative = root.replace(/^\//, "");
  return [
    {
      path: AUTOCONFIG_NGINX_CONF,
      content: `${header}\n# Mail client autoconfiguration, one autoconfig and one autodiscover server per domain of the groups whose home this host is, on the group's own address.\n${blocks.map((b) => `${b}\n`).join("\n")}`,
      mode: "0644",
    },
    ...domains.map((domain) => ({ path: autoconfigFile(relative, domain.name), content: thunderbirdConfig(plan, domain), mode: "0644" })),
    ...host.homeGroups.map((group) => ({ path: autodiscoverFile(relative, group), content: outlookAutodiscover(plan, group), mode: "0644" })),
  ];
}
