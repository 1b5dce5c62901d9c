/**
 * Readers of the client autoconfiguration documents for tests: a real XML parser (xmldom, every
 * warning and error fatal), then the structure each client expects, checked element by element,
 * down to the endpoints (protocol, host, port, TLS mode) that tests compare with the SRV records.
 */
import { DOMParser, type Element } from "@xmldom/xmldom";
import type { DnsRecord } from "../../lib/catalogue/dns-record-types";
import { SERVICES, type ServiceInfo, type TlsMode } from "../../lib/catalogue/services";

/** Where a client is told to connect. */
export interface Endpoint {
  readonly protocol: "imap" | "pop3" | "smtp";
  readonly hostName: string;
  readonly port: number;
  readonly tls: TlsMode;
}

function parse(xml: string): Element {
  const document = new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(xml, "text/xml");
  if (!document.documentElement) throw new Error("no document element");
  return document.documentElement;
}

function children(parent: Element, name?: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE && (name === undefined || (node as Element).localName === name)) found.push(node as Element);
  }
  return found;
}

function only(parent: Element, name: string): Element {
  const found = children(parent, name);
  if (found.length !== 1) throw new Error(`<${parent.localName}> has ${found.length} <${name}>, expected exactly one`);
  return found[0]!;
}

function text(parent: Element, name: string): string {
  const element = only(parent, name);
  if (children(element).length > 0) throw new Error(`<${name}> holds elements, expected text`);
  return element.textContent ?? "";
}

function port(value: string): number {
  if (!/^[1-9][0-9]{0,4}$/.test(value)) throw new Error(`port ${JSON.stringify(value)} is not a number`);
  return Number(value);
}

function expectNames(parent: Element, allowed: readonly string[]): void {
  for (const child of children(parent)) {
    if (!allowed.includes(child.localName!)) throw new Error(`unexpected <${child.localName}> in <${parent.localName}>`);
  }
}

/** Thunderbird's clientConfig 1.1, read. */
export interface ThunderbirdConfig {
  readonly id: string;
  readonly domains: readonly string[];
  readonly displayName: string;
  readonly incoming: readonly Endpoint[];
  readonly outgoing: readonly Endpoint[];
  /** Every server's username and authentication, as `username/authentication`. */
  readonly logins: readonly string[];
}

const SOCKET_TYPES: Readonly<Record<string, TlsMode>> = { SSL: "implicit", STARTTLS: "starttls" };

/** Read a Thunderbird autoconfig document; throws on anything out of structure. */
export function readThunderbirdConfig(xml: string): ThunderbirdConfig {
  const root = parse(xml);
  if (root.localName !== "clientConfig" || root.namespaceURI !== null) throw new Error(`root is <${root.localName}>, expected <clientConfig>`);
  if (root.getAttribute("version") !== "1.1") throw new Error(`clientConfig version ${root.getAttribute("version")}, expected 1.1`);
  const provider = only(root, "emailProvider");
  expectNames(provider, ["domain", "displayName", "displayShortName", "incomingServer", "outgoingServer"]);
  const logins: string[] = [];
  const servers = (element: string, types: readonly string[]) =>
    children(provider, element).map((server): Endpoint => {
      expectNames(server, ["hostname", "port", "socketType", "username", "authentication"]);
      const type = server.getAttribute("type") ?? "";
      if (!types.includes(type)) throw new Error(`<${element} type="${type}">, expected one of ${types.join(", ")}`);
      const socketType = text(server, "socketType");
      const tls = SOCKET_TYPES[socketType];
      if (!tls) throw new Error(`socketType ${socketType}: not TLS`);
      logins.push(`${text(server, "username")}/${text(server, "authentication")}`);
      return { protocol: type as Endpoint["protocol"], hostName: text(server, "hostname"), port: port(text(server, "port")), tls };
    });
  return {
    id: provider.getAttribute("id") ?? "",
    domains: children(provider, "domain").map((d) => d.textContent ?? ""),
    displayName: text(provider, "displayName"),
    incoming: servers("incomingServer", ["imap", "pop3"]),
    outgoing: servers("outgoingServer", ["smtp"]),
    logins,
  };
}

/** One `Protocol` of an autodiscover answer, read. */
export interface AutodiscoverProtocol extends Endpoint {
  readonly spa: string;
  readonly authRequired: string;
  readonly ssl: string;
  readonly loginName?: string;
}

const AUTODISCOVER_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
const OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
const TYPES: Readonly<Record<string, Endpoint["protocol"]>> = { IMAP: "imap", POP3: "pop3", SMTP: "smtp" };
const ENCRYPTIONS: Readonly<Record<string, TlsMode>> = { SSL: "implicit", TLS: "starttls" };

/** Read an Outlook autodiscover (POX) answer; throws on anything out of structure. */
export function readAutodiscover(xml: string): { accountType: string; action: string; protocols: AutodiscoverProtocol[] } {
  const root = parse(xml);
  if (root.localName !== "Autodiscover" || root.namespaceURI !== AUTODISCOVER_NS) {
    throw new Error(`root is {${root.namespaceURI}}${root.localName}, expected {${AUTODISCOVER_NS}}Autodiscover`);
  }
  const response = only(root, "Response");
  if (response.namespaceURI !== OUTLOOK_NS) throw new Error(`Response in namespace ${response.namespaceURI}, expected ${OUTLOOK_NS}`);
  const account = only(response, "Account");
  expectNames(account, ["AccountType", "Action", "Protocol"]);
  for (const element of [account, ...children(account)]) {
    if (element.namespaceURI !== OUTLOOK_NS) throw new Error(`<${element.localName}> in namespace ${element.namespaceURI}`);
  }
  const protocols = children(account, "Protocol").map((p): AutodiscoverProtocol => {
    expectNames(p, ["Type", "Server", "Port", "DomainRequired", "LoginName", "SPA", "SSL", "Encryption", "AuthRequired"]);
    const type = TYPES[text(p, "Type")];
    const tls = ENCRYPTIONS[text(p, "Encryption")];
    if (!type || !tls) throw new Error(`Protocol ${text(p, "Type")} with Encryption ${text(p, "Encryption")}`);
    const login = children(p, "LoginName");
    return {
      protocol: type,
      hostName: text(p, "Server"),
      port: port(text(p, "Port")),
      tls,
      spa: text(p, "SPA"),
      authRequired: text(p, "AuthRequired"),
      ssl: text(p, "SSL"),
      ...(login.length > 0 ? { loginName: text(p, "LoginName") } : {}),
    };
  });
  return { accountType: text(account, "AccountType"), action: text(account, "Action"), protocols };
}

/** The services mail clients discover by SRV (reading and sending; not ManageSieve). */
export const DISCOVERABLE_SERVICES = SERVICES.filter(
  (s): s is ServiceInfo & { srvLabel: string; protocol: Endpoint["protocol"] } => s.srvLabel !== undefined && s.protocol !== "managesieve",
);

/** The endpoints a domain's client SRV records name (none for a `0 0 0 .` service), SRV priority order within each. */
export function srvEndpoints(records: readonly DnsRecord[], domain: string): Endpoint[] {
  return DISCOVERABLE_SERVICES.flatMap((service) => {
    const record = records.find((r) => r.type === "SRV" && r.name === `${service.srvLabel}.${domain}`);
    if (!record) throw new Error(`no SRV record ${service.srvLabel}.${domain}`);
    return record.values
      .map((v) => v.join("").split(" "))
      .filter(([, , p, target]) => !(p === "0" && target === "."))
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([, , p, target]) => ({ protocol: service.protocol, hostName: target!.replace(/\.$/, ""), port: Number(p), tls: service.tls }));
  });
}
