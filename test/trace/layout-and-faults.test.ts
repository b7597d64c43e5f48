import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/analysis/config/casefile-config.js";
import { ARCH_DEFAULTS } from "../../src/analysis/model/machine.js";
import { scanTraces, type TraceScanInput } from "../../src/analysis/trace/scan-traces.js";
import { artifactOf, noise, render, type StoryItem } from "./trace-fixture.js";

const MLX = "0001:01:00.0";
const WIFI = "0000:c2:00.0";
const devices = [
  { device: MLX, driver: "mlx5_core", source: "console.log:3" },
  { device: WIFI, driver: "ath12k_pci", source: "console.log:4" },
  { device: "0000:03:00.0", driver: "e1000e", source: "console.log:5" },
];

const ppcNoise = (seed = 3) => noise({ events: 20_000, pfnLo: 0x40000n, pfnHi: 0x80000n, t0: 150, t1: 260, pageShift: 16, seed });

/** ppc64le, 64K pages: frame 0x2b3c4 stays mapped while its memory block is migrated, isolated and hot-removed. */
function ppcLayoutStory(): StoryItem[] {
  const pfn = 0x2b3c4n;
  const phys = pfn << 16n;
  return [
    { kind: "alloc", ts: 199.9, pfn, task: "kworker/u16:3", pid: 310 },
    { kind: "map", ts: 200, cpu: 1, device: MLX, dmaAddr: 0x8000000n, phys, size: 65536 },
    // A decoy in the same block, mapped and unmapped properly.
    { kind: "map", ts: 200.2, cpu: 1, device: MLX, dmaAddr: 0x8010000n, phys: (pfn + 1n) << 16n, size: 65536 },
    { kind: "unmap", ts: 200.3, cpu: 1, device: MLX, dmaAddr: 0x8010000n, phys: (pfn + 1n) << 16n, size: 65536 },
    { kind: "migrate", ts: 200.9, cpu: 6, reason: "memory_hotplug" },
    { kind: "isolate", ts: 201, cpu: 6, startPfn: 0x2b000n, endPfn: 0x2c000n },
    { kind: "fault", ts: 202, cpu: 4, task: "java", pid: 999, address: 0x7fff9c120000n },
    { kind: "alloc", ts: 202.0004, cpu: 4, pfn, task: "java", pid: 999 },
  ];
}

function ppcInput(over: Partial<TraceScanInput> = {}): TraceScanInput {
  return {
    frames: [0x2b3c4n],
    machine: ARCH_DEFAULTS.ppc64le,
    rules: [],
    devices,
    layoutEvents: [{ ts: 201.2, event: "mem_offline", start: 0x2b0000000n, end: 0x2c0000000n, pfn: null, detail: "Offlined Pages 65536", source: "console.log:812" }],
    region: { start: 0x2b3c40000n, end: 0x2b3c40800n },
    crashTs: 203,
    ...over,
  };
}

describe("stale DMA after a memory layout change (ppc64le, 64K pages)", () => {
  for (const format of ["trace-cmd", "ftrace", "jsonl"] as const) {
    it(`proves it from ${format} (gzip) with the console's hot-remove on the same time base`, async () => {
      const text = await render([...ppcLayoutStory(), ...ppcNoise()], { format, pageShift: 16, drivers: { [MLX]: "mlx5_core" } });
      const kind = format === "jsonl" ? "jsonl-events" : format;
      const f = await scanTraces([artifactOf("trace.dat.txt.gz", kind, text, true)], ppcInput());
      const ev = f.evidence.find((e) => e.claim.includes("stale-dma-after-layout-change"));
      expect(ev?.verdict).toBe("stale-dma");
      expect(f.suspect).toMatchObject({ device: MLX, driver: "mlx5_core" });
      const steps = f.timeline.filter((t) => t.step !== undefined);
      expect(steps[0]).toMatchObject({ event: "dma_map", device: MLX, pfn: "0x2b3c4", ts: 200 });
      expect(["migrate", "mem_isolate", "mem_offline"]).toContain(steps[1].event);
      expect(steps[2]).toMatchObject({ event: "page_alloc", task: "java", pid: 999 });
      expect(f.evidence.some((e) => e.facet === "address-match")).toBe(true);
      expect(f.artifacts.get("trace.dat.txt.gz")!.warnings).toEqual([]);
    });
  }

  it("sees the hot-remove from the console alone when the trace has no isolation line", async () => {
    const story = ppcLayoutStory().filter((s) => s.kind !== "isolate" && s.kind !== "migrate");
    const text = await render([...story, ...ppcNoise()], { format: "ftrace", pageShift: 16 });
    const f = await scanTraces([artifactOf("trace.txt", "ftrace", text)], ppcInput());
    const steps = f.timeline.filter((t) => t.step !== undefined);
    expect(steps.map((s) => s.event)).toEqual(["dma_map", "mem_offline", "page_alloc"]);
    expect(steps[1].source).toBe("console.log:812");
  });
});

describe("device access after unmap caught by the IOMMU (dma-fault)", () => {
  for (const format of ["ftrace", "trace-cmd", "jsonl"] as const) {
    it(`matches map, unmap, io_page_fault of the same device in ${format}`, async () => {
      const pfn = 0x10ec80n;
      const story: StoryItem[] = [
        // Another device faults elsewhere: not this frame's story.
        { kind: "map", ts: 290, device: "0000:03:00.0", dmaAddr: 0xfe980000n, phys: 0x2000000n, size: 4096 },
        { kind: "map", ts: 300, cpu: 2, device: WIFI, dmaAddr: 0xfe980000n, phys: pfn << 12n, size: 4096, task: "kworker/2:1", pid: 88 },
        { kind: "unmap", ts: 301, cpu: 2, device: WIFI, dmaAddr: 0xfe980000n, phys: pfn << 12n, size: 4096, task: "kworker/2:1", pid: 88 },
        { kind: "iofault", ts: 301.5, cpu: 0, driver: "ath12k_pci", device: WIFI, iova: 0xfe980000n },
      ];
      const text = await render([...story, ...noise({ events: 20_000, pfnLo: 0x100000n, pfnHi: 0x10e000n, t0: 250, t1: 320, pageShift: 12, seed: 11 })], { format, pageShift: 12 });
      const kind = format === "jsonl" ? "jsonl-events" : format;
      const f = await scanTraces([artifactOf("trace", kind, text)], {
        frames: [pfn],
        machine: ARCH_DEFAULTS.x86_64,
        rules: [],
        devices,
        layoutEvents: [],
        region: null,
        crashTs: 302,
      });
      const ev = f.evidence.find((e) => e.verdict === "dma-fault");
      expect(ev?.claim).toContain("dma-fault-after-unmap");
      expect(f.suspect).toMatchObject({ device: WIFI, driver: "ath12k_pci" });
      expect(f.timeline.filter((t) => t.step !== undefined).map((t) => t.event)).toEqual(["dma_map", "dma_unmap", "iommu_fault"]);
      expect(f.evidence.some((e) => e.verdict === "stale-dma" && !e.counter)).toBe(false);
      // Without a known frame (an IOMMU fault corrupts nothing) the sweep still finds the story.
      const sweep = await scanTraces([artifactOf("trace", kind, text)], { frames: null, machine: ARCH_DEFAULTS.x86_64, rules: [], devices, layoutEvents: [], region: null, crashTs: 302 });
      expect(sweep.evidence.find((e) => e.verdict === "dma-fault")?.claim).toContain("dma-fault-after-unmap");
      expect(sweep.suspect).toMatchObject({ device: WIFI, driver: "ath12k_pci" });
      expect(sweep.frames).toContain(pfn);
    });
  }
});

describe("page-level use-after-free (no DMA)", () => {
  const pfn = 0x7777n;
  const story = (): StoryItem[] => [
    { kind: "alloc", ts: 400, cpu: 1, pfn, task: "db", pid: 500 },
    { kind: "free", ts: 401, cpu: 1, pfn, task: "db", pid: 500 },
    { kind: "alloc", ts: 402, cpu: 5, pfn, task: "cc1", pid: 600 },
  ];
  const noiseUaf = () => noise({ events: 20_000, pfnLo: 0x100000n, pfnHi: 0x200000n, t0: 350, t1: 420, pageShift: 12, seed: 5 });
  const base = { frames: [pfn], machine: ARCH_DEFAULTS.x86_64, rules: [], devices, layoutEvents: [], region: null };

  it("JSONL: written by the old owner after re-allocation", async () => {
    const write: StoryItem = { kind: "jsonl", ts: 403, event: { ts: 403, cpu: 1, task: "db", pid: 500, event: "page_write", pfn } };
    const text = await render([...story(), write, ...noiseUaf()], { format: "jsonl", pageShift: 12 });
    const f = await scanTraces([artifactOf("events.jsonl", "jsonl-events", text)], { ...base, crashTs: null });
    const ev = f.evidence.find((e) => e.verdict === "use-after-free");
    expect(ev?.claim).toContain("page-use-after-free");
    expect(f.timeline.filter((t) => t.step !== undefined).map((t) => [t.event, t.pid])).toEqual([
      ["page_alloc", 500],
      ["page_free", 500],
      ["page_alloc", 600],
      ["page_write", 500],
    ]);
    expect(f.suspect).toBeNull();
  });

  it("ftrace: the crashing task is the frame's previous owner", async () => {
    const text = await render([...story(), ...noiseUaf()], { format: "ftrace", pageShift: 12 });
    const f = await scanTraces([artifactOf("trace.txt", "ftrace", text)], { ...base, crashTs: 404, crashTask: { task: "db", pid: 500, cpu: 1 } });
    expect(f.evidence.find((e) => e.verdict === "use-after-free")).toBeDefined();
    // The same trace with another task crashing proves nothing.
    const g = await scanTraces([artifactOf("trace.txt", "ftrace", text)], { ...base, crashTs: 404, crashTask: { task: "cc1", pid: 600, cpu: 5 } });
    expect(g.evidence.find((e) => e.verdict === "use-after-free")).toBeUndefined();
  });

  it("a DMA mapping in between means it is not a plain use-after-free", async () => {
    const dma: StoryItem = { kind: "map", ts: 401.5, device: MLX, dmaAddr: 0x1000n, phys: pfn << 12n, size: 4096 };
    const text = await render([...story(), dma, ...noiseUaf()], { format: "ftrace", pageShift: 12 });
    const f = await scanTraces([artifactOf("trace.txt", "ftrace", text)], { ...base, crashTs: 404, crashTask: { task: "db", pid: 500, cpu: 1 } });
    expect(f.evidence.find((e) => e.verdict === "use-after-free")).toBeUndefined();
  });
});

describe("repository rules from the config file", () => {
  it("a rule naming a platform tracepoint changes the outcome", async () => {
    const config = parseConfig(readFileSync(new URL("./fixtures/casefile-dr.yml", import.meta.url), "utf8"));
    const pfn = 0x2b3c4n;
    const story: StoryItem[] = [
      { kind: "map", ts: 200, device: MLX, dmaAddr: 0x8000000n, phys: pfn << 16n, size: 65536 },
      { kind: "alloc", ts: 202, pfn, task: "java", pid: 999 },
    ];
    const text0 = await render([...story, ...ppcNoise(9)], { format: "ftrace", pageShift: 16 });
    // The platform's own tracepoint, as its kernel prints it.
    const lines = text0.split("\n");
    const at = lines.findIndex((l) => l.includes(" 202.000000: mm_page_alloc"));
    lines.splice(at, 0, "    drmgr-7001    [006] .....   201.000000: lpar_dr_remove: drc_index=0x80000012 pfn=0x2b000 order=12");
    const text = lines.join("\n");
    const input: TraceScanInput = { frames: [pfn], machine: ARCH_DEFAULTS.ppc64le, rules: [], devices, layoutEvents: [], region: null, crashTs: 203 };
    const without = await scanTraces([artifactOf("trace.txt", "ftrace", text)], input);
    expect(without.evidence.filter((e) => e.verdict === "stale-dma" && e.facet === "trace" && !e.counter)).toEqual([]);
    const withRule = await scanTraces([artifactOf("trace.txt", "ftrace", text)], { ...input, rules: config.rules });
    const ev = withRule.evidence.find((e) => e.claim.includes("stale-dma-after-dr"));
    expect(ev?.verdict).toBe("stale-dma");
    expect(withRule.suspect).toMatchObject({ device: MLX, driver: "mlx5_core" });
    expect(withRule.timeline.filter((t) => t.step !== undefined).map((t) => t.event)).toEqual(["dma_map", "lpar_dr_remove", "page_alloc"]);
  });
});
