import fc from "fast-check";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ARCH_DEFAULTS } from "../../src/analysis/model/machine.js";
import { FtraceLineCursor } from "../../src/analysis/trace/ftrace-line-parser.js";
import { scanTraces, type TraceScanInput } from "../../src/analysis/trace/scan-traces.js";
import { TraceCmdWriter } from "../../src/simulator/writers/trace-cmd-writer.js";
import * as tp from "../../src/simulator/writers/tracepoint-fields.js";
import { artifactOf, noise, render, type StoryItem } from "./trace-fixture.js";

const A = "0000:01:00.0";
const story: StoryItem[] = [
  { kind: "map", ts: 110.1, device: A, dmaAddr: 0xfffff000n, phys: 0x54d7000n, size: 4096 },
  { kind: "free", ts: 111, pfn: 0x54d7n },
  { kind: "alloc", ts: 111.5, pfn: 0x54d7n, task: "java", pid: 4242 },
];
const input: TraceScanInput = {
  frames: [0x54d7n],
  machine: ARCH_DEFAULTS.x86_64,
  rules: [],
  devices: [{ device: A, driver: "mlx5_core", source: "console.log:1" }],
  layoutEvents: [],
  region: null,
  crashTs: 112,
};

describe("bad input gives warnings and still a verdict", () => {
  it("garbage lines, a truncated last line and out-of-order timestamps", async () => {
    const items = [...story, ...noise({ events: 20_000, pfnLo: 0x100000n, pfnHi: 0x200000n, t0: 100, t1: 120, pageShift: 12 })].sort((a, b) => a.ts - b.ts);
    // Swap two events on one CPU so that time goes backwards there.
    const i = items.findIndex((it) => it.ts > 105 && it.cpu === 3);
    const j = items.findIndex((it, k) => k > i + 5 && it.cpu === 3);
    [items[i], items[j]] = [items[j], items[i]];
    const garbageAfter = new Map([
      [10, "\u0000\u0001 binary junk \u00ff"],
      [500, "this is not a trace line"],
      [900, "    java-1 [00x] ....   1.0: mm_page_alloc: pfn=0x1"],
    ]);
    for (const format of ["ftrace", "trace-cmd", "jsonl"] as const) {
      const text = await render(items, { format, pageShift: 12, garbageAfter, truncatedTail: format === "jsonl" ? '{"ts": 119.5, "event": "page_al' : "            java-4242    [003] .....   119.500000: mm_page_alloc: page=000000009af2" }, true);
      const kind = format === "jsonl" ? "jsonl-events" : format;
      const f = await scanTraces([artifactOf("t", kind, text)], input);
      const warnings = f.artifacts.get("t")!.warnings.join("\n");
      expect(warnings).toMatch(/could not be read as trace events/);
      expect(warnings).toMatch(/cut off|does not end with a newline/);
      expect(warnings).toMatch(/timestamps go backwards/);
      expect(f.evidence.find((e) => e.verdict === "stale-dma" && e.facet === "trace")).toBeDefined();
    }
  });

  it("an absurd page order allocates nothing and is reported", async () => {
    const text = "# tracer: nop\n" + "            java-4242    [003] .....   100.000000: mm_page_alloc: page=0 pfn=0x54d7 order=1000000000 migratetype=0 gfp_flags=GFP_KERNEL\n";
    const f = await scanTraces([artifactOf("t", "ftrace", text)], input);
    expect(f.artifacts.get("t")!.warnings.join(" ")).toMatch(/order 1000000000 is impossible/);
    expect(f.timeline.filter((t) => t.event === "page_alloc")).toEqual([]);
  });

  it("random lines never throw", async () => {
    const real = (await render(story, { format: "ftrace", pageShift: 12 })).split("\n");
    const line = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom(...real),
      fc.tuple(fc.constantFrom(...real), fc.nat(200), fc.string({ maxLength: 10 })).map(([l, at, s]) => l.slice(0, at) + s + l.slice(at)),
      fc.constantFrom("CPU:3 [LOST 1842 EVENTS]", "CPU:x [", " => ", "cpus=", "{", '{"ts":1,"event":"dma_map","pfn":"0xffffffffffffffffff"}'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.constantFrom("ftrace", "trace-cmd", "jsonl-events") as fc.Arbitrary<"ftrace" | "trace-cmd" | "jsonl-events">, async (lines, kind) => {
        const f = await scanTraces([artifactOf("t", kind, lines.join("\n"))], { ...input, frames: null });
        expect(Array.isArray(f.evidence)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("ftrace line parsing", () => {
  const cases: [string, { task: string; pid: number; cpu: number; ts: number; name: string }][] = [
    ["            java-4242    [007] .....   810.932786: mm_page_alloc: page=0 pfn=0x54d7 order=0", { task: "java", pid: 4242, cpu: 7, ts: 810.932786, name: "mm_page_alloc" }],
    ["  kworker/u16:3-1234    [001] d..2.    12.000001: dma_map_page: 0000:01:00.0 dir=FROM_DEVICE", { task: "kworker/u16:3", pid: 1234, cpu: 1, ts: 12.000001, name: "dma_map_page" }],
    ["     Web Content-5678    (   5600) [002] ....  1.500000: mm_page_free: pfn=1155800 order=0", { task: "Web Content", pid: 5678, cpu: 2, ts: 1.5, name: "mm_page_free" }],
    ["        (sd-pam)-99      (-------) [000]  3.250000: hash_fault: hash fault with addr 0x7fff9c120000 and access = 0x4 trap = 0x300", { task: "(sd-pam)", pid: 99, cpu: 0, ts: 3.25, name: "hash_fault" }],
    ["  my-odd-task-name-77  [004]   9.000000: map: IOMMU: iova=0x00000000fe980000 - 0x00000000fea00000 paddr=0x000000010ec80000 size=524288", { task: "my-odd-task-name", pid: 77, cpu: 4, ts: 9, name: "map" }],
    ["            java-4242  [007]   810.932786: mm_page_alloc:        page=0 pfn=0x54d7 order=0", { task: "java", pid: 4242, cpu: 7, ts: 810.932786, name: "mm_page_alloc" }],
  ];
  for (const [line, want] of cases) {
    it(`reads ${JSON.stringify(line.trim().slice(0, 40))}`, () => {
      const c = new FtraceLineCursor();
      expect(c.locate(line)).toBe(true);
      expect(c.name()).toBe(want.name);
      expect(c.header()).toBe(true);
      expect({ task: c.task, pid: c.pid, cpu: c.cpu, ts: c.ts }).toEqual({ task: want.task, pid: want.pid, cpu: want.cpu, ts: want.ts });
      expect(line.slice(c.fieldsStart)).not.toMatch(/^\s/);
    });
  }
  it("function-tracer lines carry no event", () => {
    const c = new FtraceLineCursor();
    expect(c.locate("            bash-1234  [002] .....   100.000000: do_sys_open <-__x64_sys_openat")).toBe(false);
    expect(c.locate("garbage")).toBe(false);
  });
});

describe("text encoding", () => {
  it("keeps UTF-8 task names intact although lines are read byte-wise", async () => {
    const text = (await render(story, { format: "ftrace", pageShift: 12 })).replace(/java-4242/g, "jävä-4242");
    const f = await scanTraces([artifactOf("t", "ftrace", text)], input);
    expect(f.timeline.find((t) => t.event === "page_alloc")?.task).toBe("jävä");
  });
});

describe("trace-cmd report of several inputs", () => {
  it("reads lines that carry a file prefix", async () => {
    const out = new PassThrough();
    const parts: Buffer[] = [];
    out.on("data", (d: Buffer) => parts.push(d));
    const w = new TraceCmdWriter(out, { cpus: 4, filePrefix: "node1.dat" });
    await w.write({ ts: 110.1, cpu: 2, task: "kworker/u16:3", pid: 310, event: "dma_map_page", fields: tp.dmaMapPage({ device: A, dir: "FROM_DEVICE", dmaAddr: 0xfffff000n, size: 4096, physAddr: 0x54d7000n }) });
    w.dropped(1, 12);
    await w.write({ ts: 111, cpu: 2, task: "kworker/u16:3", pid: 310, event: "mm_page_free", fields: tp.mmPageFree({ pfn: 0x54d7n, order: 0 }) });
    await w.write({ ts: 111.5, cpu: 3, task: "java", pid: 4242, event: "mm_page_alloc", fields: tp.mmPageAlloc({ pfn: 0x54d7n, order: 0 }) });
    await w.end();
    const text = Buffer.concat(parts).toString("utf8");
    expect(text).toContain("node1.dat:");
    const f = await scanTraces([artifactOf("report.txt", "trace-cmd", text)], input);
    const ev = f.evidence.find((e) => e.claim.includes("stale-dma-after-free"));
    expect(ev?.claim).toContain("lost 12 events on CPU 1");
    expect(f.timeline.find((t) => t.step === 3)).toMatchObject({ task: "java", pid: 4242, cpu: 3 });
  });
});

describe("JSONL as exporters write it", () => {
  it("joins an unmap to its map on the device's DMA address even when only one side gives the size", async () => {
    const lines = [
      { ts: 110.1, cpu: 2, task: "kworker/2:1", pid: 88, event: "dma_map", pfn: "0x54d7", npages: 1, device: A, driver: "mlx5_core", dma_addr: "0xfffff000", dir: "FROM_DEVICE" },
      { ts: 110.5, cpu: 2, task: "kworker/2:1", pid: 88, event: "dma_unmap", device: A, driver: "mlx5_core", dma_addr: "0xfffff000", size: 4096, dir: "FROM_DEVICE" },
      { ts: 111, cpu: 2, task: "kworker/2:1", pid: 88, event: "page_free", pfn: "0x54d7", npages: 1 },
      { ts: 111.5, cpu: 3, task: "java", pid: 4242, event: "page_alloc", pfn: "0x54d7", npages: 1 },
    ];
    const f = await scanTraces([artifactOf("events.jsonl", "jsonl-events", lines.map((l) => JSON.stringify(l)).join("\n") + "\n")], input);
    expect(f.evidence.filter((e) => e.verdict === "stale-dma" && !e.counter)).toEqual([]);
    expect(f.evidence.some((e) => e.counter && e.claim.includes("unmapped it at 110.500000"))).toBe(true);
  });
});
