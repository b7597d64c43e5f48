import { describe, expect, it } from "vitest";
import { ARCH_DEFAULTS } from "../../src/analysis/model/machine.js";
import { scanTraces, type TraceScanInput } from "../../src/analysis/trace/scan-traces.js";
import { artifactOf, noise, render, type StoryItem } from "./trace-fixture.js";

const A = "0000:01:00.0";
const B = "0000:02:00.0";
const devices = [
  { device: A, driver: "mlx5_core", source: "console.log:10" },
  { device: B, driver: "nvme", source: "console.log:11" },
];

/** x86_64: frame 0x54d7 mapped by A, freed with no unmap, re-allocated by the page-fault handler; decoys around it. */
function x86Story(): StoryItem[] {
  const pfn = 0x54d7n;
  const phys = pfn << 12n;
  return [
    // An earlier clean life of the same frame with the same device.
    { kind: "alloc", ts: 100, pfn, task: "kworker/u16:3", pid: 310 },
    { kind: "map", ts: 100.1, device: A, dmaAddr: 0xfff00000n, phys, size: 4096 },
    { kind: "unmap", ts: 100.5, device: A, dmaAddr: 0xfff00000n, phys, size: 4096 },
    { kind: "free", ts: 101, pfn },
    // Another device's earlier mapping, properly unmapped.
    { kind: "alloc", ts: 101.5, pfn, task: "nvme-wq", pid: 77 },
    { kind: "map", ts: 102, device: B, dmaAddr: 0xe0000000n, phys, size: 4096 },
    { kind: "unmap", ts: 103, device: B, dmaAddr: 0xe0000000n, phys, size: 4096 },
    { kind: "free", ts: 104, pfn },
    // A neighbouring frame mapped and unmapped correctly, then reused.
    { kind: "map", ts: 105, device: A, dmaAddr: 0xfffe0000n, phys: (pfn + 1n) << 12n, size: 4096 },
    { kind: "unmap", ts: 105.5, device: A, dmaAddr: 0xfffe0000n, phys: (pfn + 1n) << 12n, size: 4096 },
    { kind: "free", ts: 106, pfn: pfn + 1n },
    { kind: "alloc", ts: 107, pfn: pfn + 1n, task: "java", pid: 4242 },
    // The stale life.
    { kind: "alloc", ts: 110, pfn, task: "kworker/u16:3", pid: 310 },
    { kind: "map", ts: 110.1, cpu: 2, device: A, dmaAddr: 0xfffff000n, phys, size: 4096, task: "kworker/u16:3", pid: 310 },
    { kind: "free", ts: 111, cpu: 2, pfn, task: "kworker/u16:3", pid: 310 },
    { kind: "fault", ts: 111.5, cpu: 3, task: "java", pid: 4242, address: 0x55bc6c5557d0n },
    { kind: "alloc", ts: 111.5001, cpu: 3, pfn, task: "java", pid: 4242 },
  ];
}

function input(over: Partial<TraceScanInput> = {}): TraceScanInput {
  return { frames: [0x54d7n], machine: ARCH_DEFAULTS.x86_64, rules: [], devices, layoutEvents: [], region: { start: 0x54d7000n, end: 0x54d7800n }, crashTs: 112, ...over };
}

const noiseX86 = () => noise({ events: 20_000, pfnLo: 0x100000n, pfnHi: 0x200000n, t0: 50, t1: 120, pageShift: 12, seed: 7 });

describe("stale DMA after free (x86_64, 4K pages)", () => {
  for (const variant of [
    { format: "ftrace" as const, flagColumns: 5 as const },
    { format: "ftrace" as const, flagColumns: 4 as const, tgid: true, pfnRadix: 10 as const },
    { format: "ftrace" as const, flagColumns: 0 as const },
    { format: "trace-cmd" as const },
  ]) {
    it(`proves it from ${variant.format} ${JSON.stringify(variant)} among noise and decoys, plain and gzip`, async () => {
      const text = await render([...x86Story(), ...noiseX86()], { ...variant, pageShift: 12 });
      const lines = text.split("\n");
      for (const gzip of [false, true]) {
        const art = artifactOf(gzip ? "trace.txt.gz" : "trace.txt", variant.format === "trace-cmd" ? "trace-cmd" : "ftrace", text, gzip);
        const f = await scanTraces([art], input());
        const trace = f.evidence.filter((e) => e.facet === "trace" && !e.counter);
        expect(trace.map((e) => e.verdict)).toContain("stale-dma");
        const main = trace.find((e) => e.claim.includes("stale-dma-after-free"))!;
        expect(main.claim).toContain(A);
        expect(main.claim).toContain("page-fault handler");
        expect(f.suspect).toEqual({ device: A, driver: "mlx5_core", function: null, file: null });
        // The timeline names the three steps, each with a file:line that really holds that event.
        const steps = f.timeline.filter((t) => t.step !== undefined);
        expect(steps.map((s) => s.event)).toEqual(["dma_map", "page_free", "page_alloc"]);
        expect(steps.map((s) => s.ts)).toEqual([110.1, 111, 111.5001]);
        const line = (src: string) => lines[Number(src.split(":").pop()) - 1];
        expect(line(steps[0].source)).toContain("dma_map_page");
        expect(line(steps[0].source)).toContain("dma_addr=fffff000");
        expect(line(steps[2].source)).toContain("mm_page_alloc");
        expect(steps[2].task).toBe("java");
        expect(steps[2].pid).toBe(4242);
        expect(steps[2].cpu).toBe(3);
        expect(steps[0].device).toBe(A);
        // The region starts at the mapped address: address-match evidence.
        expect(f.evidence.some((e) => e.facet === "address-match" && e.verdict === "stale-dma")).toBe(true);
        expect(f.staleMappings[0]).toMatchObject({ pfn: "0x54d7", device: A, driver: "mlx5_core", mapped_at: 110.1, reused_at: 111.5001 });
        expect(f.frames).toEqual([0x54d7n]);
        expect(f.artifacts.get(art.name)!.events).toBeGreaterThan(20_000);
        expect(f.artifacts.get(art.name)!.warnings).toEqual([]);
      }
    });
  }

  it("a proper unmap before the free clears the device (counter-evidence), and decoys alone prove nothing", async () => {
    const story = x86Story().filter((it) => it.ts < 110); // only the clean lives
    const text = await render([...story, ...noiseX86()], { format: "ftrace", pageShift: 12 });
    const f = await scanTraces([artifactOf("trace.txt", "ftrace", text)], input({ region: null }));
    expect(f.evidence.filter((e) => e.verdict === "stale-dma" && !e.counter)).toEqual([]);
    const counter = f.evidence.filter((e) => e.counter);
    expect(counter.length).toBeGreaterThan(0);
    expect(counter.every((e) => e.verdict === "stale-dma" && e.facet === "trace")).toBe(true);
    expect(counter.map((e) => e.claim).join(" ")).toContain("unmapped it");
    expect(f.suspect).toBeNull();
    expect(f.staleMappings).toEqual([]);
  });

  it("lost events between the steps lower the confidence and say why", async () => {
    const story: StoryItem[] = [...x86Story(), { kind: "lost", ts: 110.5, cpu: 5, count: 1842 }];
    const clean = await scanTraces([artifactOf("t.txt", "ftrace", await render([...x86Story(), ...noiseX86()], { format: "ftrace", pageShift: 12 }))], input());
    const lossy = await scanTraces([artifactOf("t.txt", "ftrace", await render([...story, ...noiseX86()], { format: "ftrace", pageShift: 12 }))], input());
    const w = (f: typeof clean) => f.evidence.find((e) => e.claim.includes("stale-dma-after-free"))!;
    expect(w(lossy).weight).toBeLessThan(w(clean).weight);
    expect(w(lossy).claim).toContain("lost 1842 events on CPU 5");
    expect(lossy.timeline.some((t) => t.event === "lost_events")).toBe(true);
    expect(lossy.artifacts.get("t.txt")!.warnings.join(" ")).toContain("lost");
  });

  it("sweep mode (no frame known) lists the frame re-used while still mapped, with device and driver", async () => {
    const text = await render([...x86Story(), ...noiseX86()], { format: "ftrace", pageShift: 12 });
    const f = await scanTraces([artifactOf("trace.txt", "ftrace", text)], input({ frames: null, region: null }));
    expect(f.staleMappings.length).toBeGreaterThan(0);
    expect(f.staleMappings[0]).toMatchObject({ pfn: "0x54d7", device: A, driver: "mlx5_core" });
    expect(f.staleMappings[0].reuse).toContain("page-fault handler");
    // Noise DMA mappings are all unmapped before reuse: none of their frames is listed.
    expect(f.staleMappings.every((s) => s.pfn === "0x54d7")).toBe(true);
    expect(f.frames[0]).toBe(0x54d7n);
    expect(f.evidence.some((e) => e.verdict === "stale-dma" && e.facet === "trace")).toBe(true);
    expect(f.suspect?.driver).toBe("mlx5_core");
  });
});
