/**
 * Client autoconfiguration running live: the instance's nginx serves Thunderbird's autoconfig and
 * Outlook's autodiscover over HTTPS with certificates for autoconfig.<domain> and
 * autodiscover.<domain> (verified against the test CA, SNI set); the documents parse, have the
 * structure each client expects, and name per group exactly the hosts, ports and TLS modes the
 * SRV records served by the instance's DNS name; each named endpoint then answers in that TLS
 * mode with a certificate for its host name. nginx -t accepts the running configuration.
 */
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import { request } from "https";
import { join } from "path";
import { stateLayout } from "../../../lib/local/conventions";
import type { LocalState } from "../../../lib/local/state";
import type { PlatformInput } from "../../../lib/model/schema";
import { DISCOVERABLE_SERVICES, readAutodiscover, readThunderbirdConfig, type Endpoint } from "../../support/client-config-xml";
import { exampleInput } from "../../support/example";
import { stopInstance } from "../../support/live";
import { requirePrograms } from "../../support/programs";
import { systemTmpdir } from "../../support/run-temporary-directory";
import { existsSync } from "fs";
import { readLocalState } from "../../../lib/local/state";
import { localDown } from "../../../lib/local/stop";
import { localUp } from "../../../lib/local/up";
import { parsePlatform } from "../../../lib/validation/validate";
import { dig } from "../../support/named";
import { presentedCertificate } from "../../support/probes";

const DISPLAY_NAME = "Acme <Mail> & Co";

function withAutoconfig(input: PlatformInput): PlatformInput {
  // imap and pop3 on as well, so that both TLS modes of each protocol are listed and probed.
  return { ...input, services: { ...input.services, imap: true, pop3: true }, dns: { ...input.dns!, clientAutoconfig: { displayName: DISPLAY_NAME } } };
}

let state: LocalState;
let ca: Buffer;
const groups = () => {
  const input = exampleInput();
  return input.groups.map((g) => ({ name: g.name, domains: g.domains.map((d) => d.name), hostName: g.addresses[0]!.hostName }));
};

beforeAll(async () => {
  requirePrograms("postfix", "dovecot", "named", "openssl", "opendkim", "nginx", "dig");
  // This suite's own state directory (outside the run's temporary directory: a later run stops what an aborted one left).
  const stateDir = join(systemTmpdir(), "autoconfig-live");
  if (existsSync(stateLayout(stateDir).stateFile)) await localDown(stateDir).catch(() => undefined);
  await localUp(parsePlatform(withAutoconfig(exampleInput())), { stateDir, loopbackBlock: "127.0.93" });
  state = readLocalState(stateDir);
  ca = readFileSync(state.caFile);
}, 180_000);

afterAll(async () => {
  await stopInstance(state);
}, 60_000);

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** An HTTPS request to the instance: TCP to the group's address, SNI and Host the name, verified against the test CA. */
function https(address: string, name: string, path: string, method = "GET", body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: name };
    if (body !== undefined) Object.assign(headers, { "content-type": "text/xml", "content-length": String(Buffer.byteLength(body)) });
    const req = request({ host: address, port: 443, path, method, servername: name, headers, ca }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The SRV records the instance's DNS serves for a domain, as endpoints (`0 0 0 .` left out). */
function servedSrv(domain: string): Endpoint[] {
  return DISCOVERABLE_SERVICES.flatMap((service) =>
    dig(state.dnsServer, "SRV", `${service.srvLabel}.${domain}`)
      .map((line) => line.split(" "))
      .filter(([, , port, target]) => !(port === "0" && target === "."))
      .map(([, , port, target]) => ({ protocol: service.protocol, hostName: target!.replace(/\.$/, ""), port: Number(port), tls: service.tls })),
  );
}

const key = (e: Endpoint) => `${e.protocol} ${e.hostName}:${e.port} ${e.tls}`;

const OUTLOOK_REQUEST = (address: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>\n`;

describe("Thunderbird autoconfig over HTTPS", () => {
  test("autoconfig.<domain> serves clientConfig 1.1 at both paths, naming what the SRV records name", async () => {
    for (const group of groups()) {
      for (const domain of group.domains) {
        const address = state.addresses[group.name]!;
        const name = `autoconfig.${domain}`;
        expect(dig(state.dnsServer, "A", name)).toEqual([address]);
        const reply = await https(address, name, `/mail/config-v1.1.xml?emailaddress=someone%40${domain}`);
        expect({ status: reply.status, contentType: reply.contentType }).toEqual({ status: 200, contentType: "application/xml" });
        expect((await https(address, name, "/.well-known/autoconfig/mail/config-v1.1.xml")).body).toBe(reply.body);
        const config = readThunderbirdConfig(reply.body);
        expect({ id: config.id, domains: config.domains, displayName: config.displayName }).toEqual({
          id: domain,
          domains: [domain],
          displayName: DISPLAY_NAME,
        });
        const listed = [...config.incoming, ...config.outgoing];
        expect(listed.map(key).sort()).toEqual(servedSrv(domain).map(key).sort());
        expect(new Set(listed.map((e) => e.hostName))).toEqual(new Set([group.hostName]));
        expect(listed.map(key)).toEqual([
          `imap ${group.hostName}:993 implicit`,
          `imap ${group.hostName}:143 starttls`,
          `pop3 ${group.hostName}:995 implicit`,
          `pop3 ${group.hostName}:110 starttls`,
          `smtp ${group.hostName}:465 implicit`,
          `smtp ${group.hostName}:587 starttls`,
        ]);
      }
    }
  });

  test("nothing else is served on autoconfig.<domain>, and only GET", async () => {
    const address = state.addresses.business!;
    expect((await https(address, "autoconfig.acme-corp.example", "/")).status).toBe(404);
    expect((await https(address, "autoconfig.acme-corp.example", "/mail/config-v1.1.xml", "POST", "x")).status).toBe(403);
  });
});

describe("Outlook autodiscover over HTTPS", () => {
  test("autodiscover.<domain> answers Outlook's POST and a GET with the same settings, naming what the SRV records name", async () => {
    for (const group of groups()) {
      for (const domain of group.domains) {
        const address = state.addresses[group.name]!;
        const name = `autodiscover.${domain}`;
        expect(dig(state.dnsServer, "A", name)).toEqual([address]);
        const posted = await https(address, name, "/autodiscover/autodiscover.xml", "POST", OUTLOOK_REQUEST(`someone@${domain}`));
        expect({ status: posted.status, contentType: posted.contentType }).toEqual({ status: 200, contentType: "application/xml" });
        expect((await https(address, name, "/autodiscover/autodiscover.xml")).body).toBe(posted.body);
        expect((await https(address, name, "/Autodiscover/Autodiscover.xml", "POST", OUTLOOK_REQUEST(`someone@${domain}`))).body).toBe(posted.body);
        const answer = readAutodiscover(posted.body);
        expect({ accountType: answer.accountType, action: answer.action }).toEqual({ accountType: "email", action: "settings" });
        expect(answer.protocols.map(key).sort()).toEqual(servedSrv(domain).map(key).sort());
        for (const p of answer.protocols) {
          expect({ spa: p.spa, authRequired: p.authRequired, ssl: p.ssl, loginName: p.loginName }).toEqual({
            spa: "off",
            authRequired: "on",
            ssl: p.tls === "implicit" ? "on" : "off",
            loginName: undefined,
          });
        }
      }
    }
  });

  test("other methods are refused", async () => {
    expect((await https(state.addresses.private!, "autodiscover.acme-home.example", "/autodiscover/autodiscover.xml", "PUT", "x")).status).toBe(403);
  });
});

describe("the endpoints the documents name answer as they say", () => {
  const STARTTLS = { smtp: "smtp", imap: "imap", pop3: "pop3" } as const;

  test("each endpoint speaks its TLS mode with a certificate for its host name (a STARTTLS port not TLS first)", async () => {
    for (const group of groups()) {
      const address = state.addresses[group.name]!;
      const config = readThunderbirdConfig((await https(address, `autoconfig.${group.domains[0]}`, "/mail/config-v1.1.xml")).body);
      for (const endpoint of [...config.incoming, ...config.outgoing]) {
        // The documents name the standard ports; the instance may listen on moved ones.
        const service = DISCOVERABLE_SERVICES.find((s) => s.port === endpoint.port)!;
        const target = `${dig(state.dnsServer, "A", endpoint.hostName)[0]}:${state.ports[service.name]}`;
        const starttls = endpoint.tls === "starttls" ? STARTTLS[endpoint.protocol] : undefined;
        const right = presentedCertificate(target, endpoint.hostName, state.caFile, starttls);
        expect({ endpoint: key(endpoint), verified: right.verified, names: right.names }).toEqual({
          endpoint: key(endpoint),
          verified: true,
          names: expect.arrayContaining([endpoint.hostName]),
        });
        // A STARTTLS port is plaintext first: a TLS handshake from the first byte gets no certificate.
        // (An implicit-TLS port is proven by the handshake above: a plaintext-first server fails it.)
        if (starttls) {
          const wrong = presentedCertificate(target, endpoint.hostName, state.caFile);
          expect({ endpoint: key(endpoint), names: wrong.names }).toEqual({ endpoint: key(endpoint), names: [] });
        }
      }
    }
  });
});

test("nginx -t accepts the running configuration without a warning", () => {
  const result = spawnSync("nginx", ["-t", "-c", join(stateLayout(state.stateDir).nginx, "nginx.conf")], { encoding: "utf8" });
  expect(result.status).toBe(0);
  expect(result.stderr).toMatch(/test is successful/);
  expect(result.stderr).not.toMatch(/\[warn\]|\[emerg\]/);
});
