/**
 * A throwaway certificate authority for a local instance: one CA, one certificate per host
 * name in certbot's layout (`<dir>/<name>/fullchain.pem`, `privkey.pem`). Made with openssl.
 */
import { execFileSync } from "child_process";
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** Create the CA (if missing) and a certificate for each name; returns the CA file. */
export function issueTestCertificates(directory: string, names: readonly string[]): string {
  mkdirSync(directory, { recursive: true });
  const caKey = join(directory, "ca.key");
  const caFile = join(directory, "ca.pem");
  openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=mail-platform local test CA", "-keyout", caKey, "-out", caFile],
    directory,
  );
  for (const name of names) {
    const dir = join(directory, name);
    mkdirSync(dir, { recursive: true });
    const key = join(dir, "privkey.pem");
    const csr = join(dir, "request.csr");
    const cert = join(dir, "cert.pem");
    const extensions = join(dir, "extensions.cnf");
    writeFileSync(extensions, `subjectAltName = DNS:${name}\nextendedKeyUsage = serverAuth\n`);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", key, "-out", csr], dir);
    openssl(["x509", "-req", "-in", csr, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", cert], dir);
    writeFileSync(join(dir, "fullchain.pem"), readFileSync(cert, "utf8") + readFileSync(caFile, "utf8"));
  }
  return caFile;
}
