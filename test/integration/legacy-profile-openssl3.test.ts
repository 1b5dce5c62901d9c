/**
 * The legacy-2015 profile is documented to negotiate TLS 1.0 on Debian 12's OpenSSL 3, and only
 * because its cipher string lowers the security level. Real handshakes prove both halves.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { INTERMEDIATE, LEGACY_2015 } from "../../lib/tls/profiles";
import { requirePrograms } from "../support/programs";

let dir: string;
beforeAll(() => {
  requirePrograms("openssl");
  dir = mkdtempSync(join(tmpdir(), "mail-platform-tls-"));
  const made = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=mail.acme-corp.example",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { encoding: "utf8" },
  );
  if (made.status !== 0) throw new Error(made.stderr);
});

// Ports away from the mail services and other suites; one per server.
let nextPort = 24000 + (process.pid % 1000);

/** Start `openssl s_server` with a cipher string and minimum protocol; resolve once it accepts. */
function server(cipherList: string, minProtocol: string): Promise<{ port: number; process: ChildProcess }> {
  const port = nextPort++;
  const child = spawn(
    "openssl",
    [
      "s_server",
      "-accept",
      `127.0.0.1:${port}`,
      "-cert",
      join(dir, "cert.pem"),
      "-key",
      join(dir, "key.pem"),
      "-cipher",
      cipherList,
      "-min_protocol",
      minProtocol,
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("openssl s_server did not start")), 5000);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ACCEPT")) {
        clearTimeout(timer);
        resolve({ port, process: child });
      }
    });
  });
}

/**
 * A TLS 1.0 client handshake; the negotiated protocol, or undefined when it fails. (A failed
 * handshake still prints "Protocol : TLSv1" in its session block; "Cipher is (NONE)" tells.)
 */
function tls10Handshake(port: number): string | undefined {
  const result = spawnSync("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"], {
    input: "",
    encoding: "utf8",
    timeout: 10000,
  });
  const match = /New, (\S+), Cipher is (\S+)/.exec(result.stdout);
  return match && match[2] !== "(NONE)" ? match[1] : undefined;
}

async function handshakeWith(cipherList: string, minProtocol: string): Promise<string | undefined> {
  const { port, process } = await server(cipherList, minProtocol);
  try {
    return tls10Handshake(port);
  } finally {
    process.kill();
  }
}

test("legacy-2015 negotiates TLS 1.0 on OpenSSL 3", async () => {
  expect(await handshakeWith(LEGACY_2015.cipherList, "TLSv1")).toBe("TLSv1.0");
});

test("the same list without @SECLEVEL=0 refuses TLS 1.0 (why the profile lowers it)", async () => {
  const withoutSeclevel = LEGACY_2015.cipherList.replace(":@SECLEVEL=0", "");
  expect(await handshakeWith(withoutSeclevel, "TLSv1")).toBeUndefined();
});

test("the intermediate profile refuses TLS 1.0", async () => {
  expect(await handshakeWith(INTERMEDIATE.cipherList, INTERMEDIATE.minProtocol)).toBeUndefined();
});
