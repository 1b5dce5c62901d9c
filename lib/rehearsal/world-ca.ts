/**
 * The throwaway CA of the rehearsal's stand-ins: the host trusts it (added to its CA store before
 * boot), so the stand-ins can answer under AWS's and the ACME server's real names over TLS.
 */
import { execFileSync } from "child_process";
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";

/** A CA and a way to issue server certificates from it. */
export class WorldCa {
  readonly caFile: string;
  private readonly caKey: string;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.caFile = join(dir, "ca.pem");
    this.caKey = join(dir, "ca.key");
    openssl(
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=mail-platform rehearsal stand-in CA",
        "-keyout",
        this.caKey,
        "-out",
        this.caFile,
      ],
      dir,
    );
  }

  /** The CA certificate (PEM). */
  get pem(): string {
    return readFileSync(this.caFile, "utf8");
  }

  /** A key and certificate (PEM) for the names (wildcards allowed); the first is the subject. */
  issue(label: string, names: readonly string[]): { key: string; cert: string } {
    const dir = join(this.dir, label);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "extensions.cnf"), `subjectAltName = ${names.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage = serverAuth\n`);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${names[0]}`, "-keyout", "key.pem", "-out", "request.csr"], dir);
    openssl(
      [
        "x509",
        "-req",
        "-in",
        "request.csr",
        "-CA",
        this.caFile,
        "-CAkey",
        this.caKey,
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "extensions.cnf",
        "-out",
        "cert.pem",
      ],
      dir,
    );
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  }
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}
