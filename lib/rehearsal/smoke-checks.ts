/**
 * What `mail-platform rehearse` checks after a first boot, from the test side over the veth:
 * every listener of the host's bundle answers, SMTP greets with the group's host name, and every
 * implicit-TLS mail port presents a certificate for the group's host name that verifies against
 * the ACME server's root. (The test suite probes far more; this is the command's quick verdict.)
 */
import { connect as tcpConnect, type Socket } from "net";
import { connect as tlsConnect } from "tls";
import type { HostPlan } from "../plan/types";

/** One check's result. */
export interface SmokeCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms))]);
}

function open(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: address, port });
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** The SMTP greeting's last line (postscreen may send a multi-line greeting first). */
function greeting(address: string, port: number): Promise<string> {
  return open(address, port).then(
    (socket) =>
      new Promise((resolve, reject) => {
        let text = "";
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => {
          text += chunk;
          const last = text.split("\r\n").find((l) => /^\d{3} /.test(l));
          if (last) {
            socket.end("QUIT\r\n");
            resolve(last);
          }
        });
        socket.once("error", reject);
      }),
  );
}

function certificateFor(address: string, port: number, name: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: address, port, servername: name, ca }, () => {
      const subject = socket.getPeerCertificate().subjectaltname ?? "";
      socket.end();
      resolve(subject);
    });
    socket.once("error", reject);
  });
}

/** Run the checks against a booted host; `issuingRoot` is the ACME server's root (PEM). */
export async function smokeChecks(host: HostPlan, issuingRoot: string): Promise<SmokeCheck[]> {
  const results: SmokeCheck[] = [];
  const record = async (check: string, work: () => Promise<string>) => {
    try {
      results.push({ check, ok: true, detail: await withTimeout(work(), 15_000, check) });
    } catch (error) {
      results.push({ check, ok: false, detail: (error as Error).message });
    }
  };
  for (const [address, port] of host.expectedListeners) {
    await record(`listener ${address}:${port} answers`, async () => ((await open(address, port)).destroy(), "connected"));
  }
  for (const { privateIp, hostName } of host.addresses) {
    for (const listener of host.listeners.filter((l) => l.address.privateIp === privateIp)) {
      if (listener.port === 25 || listener.port === 587) {
        await record(`${privateIp}:${listener.port} greets as ${hostName}`, async () => {
          const line = await greeting(privateIp, listener.port);
          if (line !== `220 ${hostName} ESMTP`) throw new Error(`greeting was ${JSON.stringify(line)}`);
          return line;
        });
      }
      if ([465, 993, 995].includes(listener.port)) {
        await record(`${privateIp}:${listener.port} presents a verified certificate for ${hostName}`, () =>
          certificateFor(privateIp, listener.port, hostName, issuingRoot),
        );
      }
    }
  }
  return results;
}
