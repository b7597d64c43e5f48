import { describe, expect, it } from "vitest";
import type { CrashReport } from "../../src/analysis/model/crash.js";
import { crashEvidence } from "../../src/analysis/verdict/crash-evidence.js";

const crash = (over: Partial<CrashReport>): CrashReport => ({
  title: "t", kind: "kasan", frame: "f", address: null, access: "write", size: 4, task: null, pid: null, cpu: null,
  modules: [], stack: [], arch: null, kernel: null, bugType: null, object: null, corrupted: null, pfn: null,
  device: null, dmaAddress: null, files: [], source: "console.log:3", text: "", ...over,
});

const verdicts = (c: Partial<CrashReport>) => crashEvidence(crash(c)).map((e) => e.verdict);

describe("crashEvidence", () => {
  it("reads the KASAN bug class", () => {
    expect(verdicts({ bugType: "slab-use-after-free" })).toEqual(["use-after-free"]);
    expect(verdicts({ bugType: "slab-out-of-bounds" })).toEqual(["out-of-bounds"]);
    expect(verdicts({ bugType: "invalid-free" })).toEqual(["double-free"]);
    expect(verdicts({ bugType: "null-ptr-deref" })).toEqual([]);
  });

  it("reads SLUB debug reports", () => {
    expect(verdicts({ kind: "slub-poison", bugType: "object already free" })).toEqual(["double-free"]);
    expect(verdicts({ kind: "slub-poison", bugType: "poison overwritten" })).toEqual(["use-after-free"]);
    expect(verdicts({ kind: "slub-poison", bugType: "right redzone overwritten" })).toEqual(["out-of-bounds"]);
  });

  it("reads page poisoning: a single bit is failing memory, anything else a write after free", () => {
    expect(verdicts({ kind: "page-poison", title: "pagealloc: single bit error" })).toEqual(["bit-flip"]);
    expect(verdicts({ kind: "page-poison", title: "pagealloc: memory corruption" })).toEqual(["use-after-free"]);
  });

  it("takes IOMMU faults and DMA-API warnings, also inside a WARNING, as DMA faults", () => {
    expect(verdicts({ kind: "iommu-fault", device: "0000:05:00.0", dmaAddress: 0x69974000n })).toEqual(["dma-fault"]);
    const [e] = crashEvidence(crash({ kind: "warning", bugType: "dma-api", device: "0000:05:00.0", dmaAddress: 0xf0278000n }));
    expect(e).toMatchObject({ verdict: "dma-fault", facet: "crash-report", source: "console.log:3" });
    expect(e.claim).toContain("0000:05:00.0 at 0xf0278000");
  });

  it("says nothing without a crash report", () => {
    expect(crashEvidence(null)).toEqual([]);
  });
});
