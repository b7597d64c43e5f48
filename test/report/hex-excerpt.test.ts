import { describe, expect, it } from "vitest";
import { renderHexExcerpt } from "../../src/analysis/report/hex-excerpt.js";

describe("renderHexExcerpt", () => {
  const bytes = Uint8Array.from({ length: 48 }, (_, i) => (i < 20 ? 0xaa : 0x41 + (i % 26)));

  it("brackets the region and marks its lines", () => {
    const text = renderHexExcerpt({ base: 0x54d6fff0n, bytes, start: 0x54d70004n, end: 0x54d70010n });
    const lines = text.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0].startsWith("  54d6fff0 ")).toBe(true);
    expect(lines[1]).toBe("> 54d70000  aa aa aa aa[55 56 57 58  59 5a 41 42 43 44 45 46] |....UVWXYZABCDEF|");
    expect(lines[2].startsWith("  54d70010 ")).toBe(true);
  });

  it("opens the bracket at the middle column and closes it mid-line", () => {
    const text = renderHexExcerpt({ base: 0n, bytes: bytes.subarray(0, 16), start: 8n, end: 10n });
    expect(text).toBe("> 00000000  aa aa aa aa aa aa aa aa [aa aa]aa aa aa aa aa aa  |................|");
  });
});
