/**
 * One HTTP exchange with a stand-in, independent of node's server objects: the request as it
 * arrived (wire path and raw headers, which signatures are computed over) and the reply to send.
 */
import { randomUUID } from "crypto";
import type { IncomingMessage } from "http";
import type { HttpRequestParts } from "./sigv4";

/** A request to a stand-in endpoint. */
export interface AwsRequest extends HttpRequestParts {
  /** Host header, lower case, without port. */
  readonly host: string;
  /** TLS server name the client asked for, when it sent one. */
  readonly serverName?: string;
  readonly remoteAddress: string;
  /** Whether it came over TLS (`aws:SecureTransport`). */
  readonly secure: boolean;
  readonly received: Date;
}

/** A reply. */
export interface AwsReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

/** Largest request body accepted (the APIs emulated take small documents). */
const MAX_BODY_BYTES = 1024 * 1024;

/** Read a node request into an {@link AwsRequest}. */
export async function readRequest(message: IncomingMessage, received: Date): Promise<AwsRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const target = message.url ?? "/";
  const q = target.indexOf("?");
  const headers: [string, string][] = [];
  for (let i = 0; i < message.rawHeaders.length; i += 2) headers.push([message.rawHeaders[i]!, message.rawHeaders[i + 1]!]);
  // TLS sockets carry the server name the client sent (SNI) and `encrypted`.
  const socket = message.socket as { encrypted?: boolean; servername?: string | false };
  const hostHeader = message.headers.host ?? (typeof socket.servername === "string" ? socket.servername : "");
  return {
    method: message.method ?? "GET",
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? "" : target.slice(q + 1),
    headers,
    body: Buffer.concat(chunks),
    host: hostHeader.replace(/:\d+$/, "").toLowerCase(),
    ...(typeof socket.servername === "string" && socket.servername ? { serverName: socket.servername } : {}),
    remoteAddress: message.socket.remoteAddress ?? "",
    secure: socket.encrypted === true,
    received,
  };
}

/** A header of a request (case-insensitive; the first occurrence). */
export function headerOf(request: HttpRequestParts, name: string): string | undefined {
  return request.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

/** Parameters of a query string or form body (`a=1&b=2`), decoded. */
export function formParameters(text: string): Map<string, string> {
  const params = new URLSearchParams(text);
  return new Map([...params.entries()]);
}

/** An AWS request id. */
export function requestId(): string {
  return randomUUID();
}

/** Text escaped for an XML element or attribute. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** `2024-01-02T03:04:05.000Z` → `2024-01-02T03:04:05Z` (EC2 and IMDS drop the milliseconds). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
