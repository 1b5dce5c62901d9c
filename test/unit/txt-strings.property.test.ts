/**
 * Property tests of TXT character-strings: whatever the value, the chunks join back to it
 * exactly and none exceeds 255 bytes (RFC 1035 3.3.14; Route53 rejects longer strings).
 */
import fc from "fast-check";
import { chunkTxtParts, formatTxt, quoteTxt, splitTxt } from "../../lib/render/dns/txt-strings";
import { propertyRuns } from "../support/property-runs";

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** Undo zone-file quoting of a sequence of "…" "…" strings. */
function unquote(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));
}

describe("TXT splitting", () => {
  test("any string round-trips and no chunk exceeds 255 bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 2000 }), (value) => {
        const chunks = splitTxt(value);
        expect(chunks.join("")).toBe(value);
        for (const chunk of chunks) expect(bytes(chunk)).toBeLessThanOrEqual(255);
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  test("long ASCII values are split into full 255-byte strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "b", "=", ";", " "), minLength: 256, maxLength: 3000 }), (value) => {
        const chunks = splitTxt(value);
        expect(chunks.slice(0, -1).every((c) => c.length === 255)).toBe(true);
        expect(chunks.join("")).toBe(value);
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  test("quoting round-trips through zone-file syntax", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'abc ;="\\\u00e9\u4e2d\ud83d\ude00'.split("")), maxLength: 800 }), (value) => {
        expect(unquote(formatTxt(value)).join("")).toBe(value);
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  test("control characters are refused rather than written", () => {
    expect(() => quoteTxt("a\nb")).toThrow(/control characters/);
  });

  test("values with deploy-time references: no reference is cut, joined chunks give the value back, none exceeds 255 bytes when resolved", () => {
    const part = fc.oneof(fc.string({ unit: "grapheme", maxLength: 400 }), fc.record({ ref: fc.integer({ min: 0, max: 9 }) }));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 40 }), fc.ipV4(), (parts, ip) => {
        const resolve = (p: string | { ref: number }) => (typeof p === "string" ? p : ip);
        const chunks = chunkTxtParts(parts);
        expect(chunks.flat().map(resolve).join("")).toBe(parts.map(resolve).join(""));
        expect(chunks.flat().filter((p) => typeof p !== "string")).toEqual(parts.filter((p) => typeof p !== "string"));
        for (const chunk of chunks) expect(bytes(chunk.map(resolve).join(""))).toBeLessThanOrEqual(255);
      }),
      { numRuns: propertyRuns(2000) },
    );
  });
});
