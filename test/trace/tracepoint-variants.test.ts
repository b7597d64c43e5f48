import { describe, expect, it } from "vitest";
import { ARCH_DEFAULTS } from "../../src/analysis/model/machine.js";
import { scanTraces, type TraceScanInput } from "../../src/analysis/trace/scan-traces.js";
import * as tp from "../../src/simulator/writers/tracepoint-fields.js";
import { artifactOf, noise, render } from "./trace-fixture.js";
import { FtraceWriter, type TraceEvent } from "../../src/simulator/writers/ftrace-writer.js";
import { PassThrough } from "node:stream";

const DEV = "0000:c2:00.0";
const base: TraceScanInput = {
  frames: null,
  machine: ARCH_DEFAULTS.x86_64,
  rules: [],
  devices: [{ device: DEV, driver: "ath12k_pci", source: "console.log:7" }],
  layoutEvents: [],
  region: null,
  crashTs: null,
};

async function ftrace(events: TraceEvent[], withNoise = true): Promise<string> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on("data", (d: Buffer) => parts.push(d));
  const w = new FtraceWriter(out, { flagColumns: 5 });
  for (const e of events) await w.write(e);
  await w.end();
  const story = Buffer.concat(parts).toString("utf8");
  if (!withNoise) return story;
  const n = await render(noise({ events: 10_000, pfnLo: 0x200000n, pfnHi: 0x300000n, t0: 1, t1: 9, pageShift: 12 }), { format: "ftrace", pageShift: 12, header: false });
  return n + story.split("\n").filter((l) => !l.startsWith("#")).join("\n");
}

const ev = (ts: number, event: string, fields: TraceEvent["fields"], extra: Partial<TraceEvent> = {}): TraceEvent => ({ ts, cpu: 1, task: "kworker/1:2", pid: 55, event, fields, ...extra });

describe("tracepoint variants", () => {
  it("keeps stacktrace lines with their event and reads the fault handler from them", async () => {
    const text = await ftrace([
      ev(10, "dma_map_page", tp.dmaMapPage({ device: DEV, dir: "FROM_DEVICE", dmaAddr: 0xfe000000n, size: 4096, physAddr: 0x1234000n })),
      ev(11, "mm_page_free", tp.mmPageFree({ pfn: 0x1234n, order: 0 })),
      ev(12, "mm_page_alloc", tp.mmPageAlloc({ pfn: 0x1234n, order: 0 }), { task: "java", pid: 4242, stack: ["__alloc_pages", "alloc_pages_mpol", "do_anonymous_page", "handle_mm_fault", "exc_page_fault"] }),
    ]);
    const f = await scanTraces([artifactOf("t", "ftrace", text)], { ...base, frames: [0x1234n] });
    const alloc = f.timeline.find((t) => t.event === "page_alloc")!;
    expect(alloc.detail).toContain("page-fault handler");
    expect(f.staleMappings[0].reuse).toContain("page-fault handler");
  });

  it("reads scatter-gather maps, including a truncated list, and joins their unmaps", async () => {
    const phys = [0x5000000n, 0x5001000n, 0x5002000n];
    const text = await ftrace([
      ev(10, "dma_map_sg", tp.dmaMapSg({ device: DEV, dir: "TO_DEVICE", dmaAddrs: [0xffffe000n], sizes: [0x3000], physAddrs: phys, truncated: true })),
      ev(10.5, "dma_unmap_sg", tp.dmaUnmapSg({ device: DEV, dir: "TO_DEVICE", physAddrs: phys.slice(0, 2) })),
      ev(11, "mm_page_free", tp.mmPageFree({ pfn: 0x5002n, order: 0 })),
      ev(12, "mm_page_alloc", tp.mmPageAlloc({ pfn: 0x5000n, order: 2 }), { task: "java", pid: 4242 }),
    ]);
    const f = await scanTraces([artifactOf("t", "ftrace", text)], base);
    // Entries 1 and 2 were unmapped; entry 3 stayed mapped through the free and the order-2 reuse.
    expect(f.staleMappings.map((s) => s.pfn)).toEqual(["0x5002"]);
    expect(f.artifacts.get("t")!.warnings.join(" ")).toContain("truncated");
  });

  it("resolves a coherent buffer through its IOMMU mapping, and an IOMMU fault after its free", async () => {
    const text = await ftrace([
      ev(10, "map", tp.iommuMap({ iova: 0xfe980000n, paddr: 0x10ec80000n, size: 524288 })),
      ev(10.0001, "dma_alloc", tp.dmaAlloc({ device: DEV, dmaAddr: 0xfe980000n, size: 524288 })),
      ev(20, "dma_free", tp.dmaAlloc({ device: DEV, dmaAddr: 0xfe980000n, size: 524288 })),
      ev(20.0001, "unmap", tp.iommuUnmap({ iova: 0xfe980000n, size: 524288 })),
      ev(21, "io_page_fault", tp.ioPageFault({ driver: "ath12k_pci", device: DEV, iova: 0xfe980000n }), { cpu: 0, task: "<idle>", pid: 0 }),
    ]);
    const f = await scanTraces([artifactOf("t", "ftrace", text)], { ...base, frames: [0x10ec80n + 5n] });
    expect(f.evidence.find((e) => e.verdict === "dma-fault")?.claim).toContain("dma-fault-after-unmap");
    expect(f.timeline.filter((t) => t.step !== undefined).map((t) => t.event)).toEqual(["dma_alloc", "dma_free", "iommu_fault"]);
    expect(f.suspect).toMatchObject({ device: DEV, driver: "ath12k_pci" });
  });

  it("reads pre-5.14 decimal pfns and gives an isolated range with its migration to the frames in it", async () => {
    const text = await ftrace([
      ev(10, "dma_map_page", tp.dmaMapPage({ device: DEV, dir: "FROM_DEVICE", dmaAddr: 0x1000n, size: 8192, physAddr: 0x80010000n })),
      ev(11, "mm_migrate_pages", tp.migratePages({ reason: "memory_hotplug", succeeded: 3 })),
      ev(11.1, "test_pages_isolated", tp.testPagesIsolated({ startPfn: 0x80000n, endPfn: 0x88000n })),
      ev(12, "mm_page_alloc", "page=00000000f00d pfn=524305 order=0 migratetype=1 gfp_flags=GFP_KERNEL"),
    ]);
    const f = await scanTraces([artifactOf("t", "ftrace", text)], { ...base, frames: [0x80011n] });
    const steps = f.timeline.filter((t) => t.step !== undefined);
    expect(steps.map((t) => t.event)).toEqual(["dma_map", "migrate", "page_alloc"]);
    expect(steps[2].pfn).toBe("0x80011");
  });
});
