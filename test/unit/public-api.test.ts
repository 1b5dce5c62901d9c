/**
 * The public surface is closed: every type a public member of an exported class, function,
 * interface or constant shows is itself exported from the package root (lib/index.ts), read off
 * the declaration output as a user's compiler sees it.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as root from "../../lib";
import { emitDeclarations, unexportedTypes } from "../support/public-api";

const LIB = join(__dirname, "..", "..", "lib");

test("every type shown by the root's exports is exported from the root", () => {
  expect(unexportedTypes(emitDeclarations(join(LIB, "index.ts"), LIB))).toEqual([]);
}, 300_000);

test("the classes public members used to show without exporting are exported", () => {
  expect([root.MailConfigStore, root.DataSnapshots, root.MailDataVolume, root.UnsafeValueError, root.UserError].map((c) => typeof c)).toEqual(
    Array(5).fill("function"),
  );
  expect(root.BUNDLE_FORMAT).toBe("mail-platform-bundle/1");
});

test("the check finds a type a public member shows but the root does not export (and ignores private members)", () => {
  const dir = mkdtempSync(join(tmpdir(), "public-api-fixture-"));
  writeFileSync(
    join(dir, "hidden.ts"),
    "export interface Hidden { readonly x: number }\nexport interface Secret { readonly y: number }\nexport interface Shown { readonly z: number }\n",
  );
  writeFileSync(
    join(dir, "index.ts"),
    [
      'import type { Hidden, Secret, Shown } from "./hidden";',
      'export type { Shown } from "./hidden";',
      "export class Box {",
      "  private readonly secret: Secret = { y: 1 };",
      "  constructor(readonly shown: Shown) {}",
      "  get hidden(): Hidden { return { x: this.secret.y }; }",
      "  open() { return this.hidden; }",
      "}",
      "",
    ].join("\n"),
  );
  expect(unexportedTypes(emitDeclarations(join(dir, "index.ts"), dir))).toEqual([
    { shownBy: "Box.hidden", type: "Hidden", declaredIn: "hidden.d.ts" },
    { shownBy: "Box.open", type: "Hidden", declaredIn: "hidden.d.ts" },
  ]);
});
