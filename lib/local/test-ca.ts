/**
 * A throwaway certificate authority for a local instance: one CA, one certificate per host
 * name in certbot's layout (`<dir>/<name>/fullchain.pem`, `privkey.pem`). Made with openssl.
 * The instances of one platform share the first instance's CA, so each trusts the others'
 * certificates (a backup MX verifies its group's home channel).
 */
import { execFileSync } from "child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** An existing test CA: its certificate and private key. */
export interface TestAuthority {
  readonly certFile: string;
  readonly keyFile: string;
}

/** The CA files of an instance's certificate directory. */
export function testAuthority(directory: string): TestAuthority {
  return { certFile: join(directory, "ca.pem"), keyFile: join(directory, "ca.key") };
}

/**
 * Create a certificate for each name in `directory`; returns the CA file (`<directory>/ca.pem`).
 * @param authority the CA to sign with (its certificate is copied to `<directory>/ca.pem`; its key
 *   stays where it is). @default - a new CA in `directory`
 */
export function issueTestCertificates(directory: string, names: readonly string[], authority?: TestAuthority): string {
  mkdirSync(directory, { recursive: true });
  const own = testAuthority(directory);
  if (authority === undefined) {
    openssl(
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=mail-platform local test CA", "-keyout", own.keyFile, "-out", own.certFile],
      directory,
    );
  } else {
    copyFileSync(authority.certFile, own.certFile);
  }
  const ca = authority ?? own;
  for (const name of names) {
    const dir = join(directory, name);
    mkdirSync(dir, { recursive: true });
    const key = join(dir, "privkey.pem");
    const csr = join(dir, "request.csr");
    const cert = join(dir, "cert.pem");
    const extensions = join(dir, "extensions.cnf");
    writeFileSync(extensions, `subjectAltName = DNS:${name}\nextendedKeyUsage = serverAuth\n`);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", key, "-out", csr], dir);
    // -CAserial in the instance's own directory: the shared CA's directory is never written.
    openssl(
      [
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        ca.certFile,
        "-CAkey",
        ca.keyFile,
        "-CAserial",
        join(directory, "ca.srl"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        extensions,
        "-out",
        cert,
      ],
      dir,
    );
    writeFileSync(join(dir, "fullchain.pem"), readFileSync(cert, "utf8") + readFileSync(ca.certFile, "utf8"));
  }
  return own.certFile;
}
