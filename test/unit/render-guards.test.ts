import { formatDovecotConf, fileSetting, setting } from "../../lib/render/dovecot/conf-format";
import { formatMainCf } from "../../lib/render/postfix/main-cf-format";
import { formatMasterCf } from "../../lib/render/postfix/master-cf-format";
import { formatTable } from "../../lib/render/postfix/table-format";
import { UnsafeValueError } from "../../lib/render/rendered-file";

const HEADER = "# test";

describe("renderers refuse values that would change a file's meaning", () => {
  test.each(["yes\nrelayhost = [evil.example]", " leading-blank", "tab\tinside-is-fine-but-\u0000-is-not", "ü"])("main.cf refuses %j", (value) => {
    expect(() => formatMainCf(HEADER, [{ title: "t", settings: [{ name: "myhostname", value }] }])).toThrow(UnsafeValueError);
  });

  test("main.cf refuses a setting written twice", () => {
    expect(() =>
      formatMainCf(HEADER, [
        {
          title: "t",
          settings: [
            { name: "mynetworks", value: "127.0.0.0/8" },
            { name: "mynetworks", value: "0.0.0.0/0" },
          ],
        },
      ]),
    ).toThrow(/set twice/);
  });

  test.each(["a b", "x}", "{ y"])("master.cf refuses the override value %j", (value) => {
    expect(() => formatMasterCf(HEADER, [{ service: "s", type: "unix", chroot: "y", command: "smtp", options: [["smtp_helo_name", value]] }])).toThrow(
      UnsafeValueError,
    );
  });

  test("master.cf refuses a service name with blanks", () => {
    expect(() => formatMasterCf(HEADER, [{ service: "a b", type: "unix", chroot: "y", command: "smtp" }])).toThrow(UnsafeValueError);
  });

  test.each(["a}\nssl = no", "%{extra}", "$var", "<inject", "# comment"])("dovecot.conf refuses the plain value %j", (value) => {
    expect(() => formatDovecotConf(HEADER, [{ title: "t", nodes: [setting("listen", value)] }])).toThrow(UnsafeValueError);
  });

  test("dovecot.conf refuses a file reference with syntax in the path", () => {
    expect(() => fileSetting("ssl_cert", "/etc/x}\nssl = no")).toThrow(UnsafeValueError);
  });

  test.each([
    ["texthash", "two words", "OK"],
    ["texthash", "#comment", "OK"],
    ["texthash", "domain.example", "OK\nevil.example OK"],
    ["pcre", "no-slashes", "IGNORE"],
  ] as const)("a %s table refuses key %j / value %j", (type, key, value) => {
    expect(() => formatTable("t", type, HEADER, [{ rows: [[key, value]] }])).toThrow(UnsafeValueError);
  });
});
