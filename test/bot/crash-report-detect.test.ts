import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { looksLikeKernelCrash } from "../../src/bot/crash-report-detect.js";

const CORPUS = fileURLToPath(new URL("../../../shared/corpus/syzkaller/linux-report", import.meta.url));

describe("looksLikeKernelCrash", () => {
  it("recognises the crash reports of the syzkaller corpus", () => {
    const files = readdirSync(CORPUS).filter((f) => /^\d+$/.test(f));
    let reports = 0;
    let found = 0;
    for (const f of files) {
      const text = readFileSync(join(CORPUS, f), "utf8");
      // Files with an empty TITLE hold no crash: the corpus's own negatives.
      if (/^TITLE: *$/m.test(text) || !/^TITLE:/m.test(text)) continue;
      reports++;
      if (looksLikeKernelCrash(text)) found++;
    }
    expect(reports).toBeGreaterThan(100);
    expect(found / reports).toBeGreaterThan(0.9);
  });

  it("does not fire on ordinary issue text", () => {
    expect(looksLikeKernelCrash("The build fails with gcc 14: error: implicit declaration")).toBe(false);
    expect(looksLikeKernelCrash("Please add support for the new NIC. It works on 6.1.")).toBe(false);
  });

  it("answers quickly on huge hostile bodies", () => {
    expect(looksLikeKernelCrash("BUG: ".repeat(500_000))).toBe(false);
  });
});
