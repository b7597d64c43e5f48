import { PassThrough, Readable, type Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import type { Artifact, ArtifactKind } from "../../src/analysis/model/artifact.js";
import { FtraceWriter, type FtraceWriterOptions, type TraceEvent } from "../../src/simulator/writers/ftrace-writer.js";
import { JsonlEventsWriter, type JsonlEvent } from "../../src/simulator/writers/jsonl-events-writer.js";
import { TraceCmdWriter } from "../../src/simulator/writers/trace-cmd-writer.js";
import * as tp from "../../src/simulator/writers/tracepoint-fields.js";
import { rng } from "../support/seeded-rng.js";

/**
 * Builds realistic traces for the tests: a story (the events that prove the case) buried in
 * seeded noise (allocations, frees, DMA traffic on other frames, scheduler events), written with
 * the project's own writers in any format.
 */

export type StoryItem =
  | { kind: "map"; ts: number; cpu?: number; device: string; dmaAddr: bigint; phys: bigint; size: number; task?: string; pid?: number }
  | { kind: "unmap"; ts: number; cpu?: number; device: string; dmaAddr: bigint; phys: bigint; size: number; task?: string; pid?: number }
  | { kind: "alloc"; ts: number; cpu?: number; pfn: bigint; order?: number; task?: string; pid?: number; stack?: string[] }
  | { kind: "free"; ts: number; cpu?: number; pfn: bigint; order?: number; task?: string; pid?: number }
  | { kind: "isolate"; ts: number; cpu?: number; startPfn: bigint; endPfn: bigint }
  | { kind: "migrate"; ts: number; cpu?: number; reason?: string }
  | { kind: "fault"; ts: number; cpu?: number; task?: string; pid?: number; address: bigint }
  | { kind: "iommu_map"; ts: number; cpu?: number; iova: bigint; paddr: bigint; size: number }
  | { kind: "iommu_unmap"; ts: number; cpu?: number; iova: bigint; size: number }
  | { kind: "iofault"; ts: number; cpu?: number; driver: string; device: string; iova: bigint }
  | { kind: "lost"; ts: number; cpu: number; count: number }
  | { kind: "jsonl"; ts: number; cpu?: number; event: JsonlEvent };

export interface NoiseOptions {
  events: number;
  seed?: number;
  /** Noise frames are drawn from [lo, hi), away from the story's frames. */
  pfnLo: bigint;
  pfnHi: bigint;
  t0: number;
  t1: number;
  pageShift: number;
  devices?: string[];
}

export { rng };

const TASKS = ["java", "kworker/u16:3", "Web Content", "(sd-pam)", "systemd-journal", "ib-comp-wq-2", "swapper/3", "python3"];

/** Seeded noise: page churn, DMA maps with their unmaps, faults, scheduler switches. */
export function noise(o: NoiseOptions): StoryItem[] {
  const r = rng(o.seed ?? 1);
  const out: StoryItem[] = [];
  const span = Number(o.pfnHi - o.pfnLo);
  const devices = o.devices ?? ["0000:03:00.0", "0000:04:00.1"];
  const pageSize = 2 ** o.pageShift;
  for (let i = 0; i < o.events; i++) {
    const ts = o.t0 + ((o.t1 - o.t0) * i) / o.events;
    const cpu = Math.floor(r() * 8);
    const task = TASKS[Math.floor(r() * TASKS.length)];
    const pid = 100 + Math.floor(r() * 5000);
    const pfn = o.pfnLo + BigInt(Math.floor(r() * span));
    const x = r();
    if (x < 0.4) out.push({ kind: "alloc", ts, cpu, pfn, order: r() < 0.9 ? 0 : 2, task, pid });
    else if (x < 0.75) out.push({ kind: "free", ts, cpu, pfn, order: 0, task, pid });
    else if (x < 0.85) {
      const device = devices[Math.floor(r() * devices.length)];
      const dmaAddr = 0xf0000000n + BigInt(i) * 0x1000n;
      const phys = pfn * BigInt(pageSize);
      out.push({ kind: "map", ts, cpu, device, dmaAddr, phys, size: 4096, task, pid });
      out.push({ kind: "unmap", ts: ts + (o.t1 - o.t0) / o.events / 2, cpu, device, dmaAddr, phys, size: 4096, task, pid });
    } else if (x < 0.9) out.push({ kind: "fault", ts, cpu, task, pid, address: 0x7f0000000000n + BigInt(i) * 4096n });
    else out.push({ kind: "jsonl", ts, event: { ts, cpu, task, pid, event: "sched_switch" } });
  }
  return out;
}

function base(it: { ts: number; cpu?: number; task?: string; pid?: number }): Pick<TraceEvent, "ts" | "cpu" | "task" | "pid"> {
  return { ts: it.ts, cpu: it.cpu ?? 0, task: it.task ?? "kworker/0:1", pid: it.pid ?? 42 };
}

/** The tracepoint an item is in ftrace; null for markers and JSONL-only items. */
function toTraceEvent(it: StoryItem, x86: boolean): TraceEvent | null {
  switch (it.kind) {
    case "map":
      return { ...base(it), event: "dma_map_page", fields: tp.dmaMapPage({ device: it.device, dir: "FROM_DEVICE", dmaAddr: it.dmaAddr, size: it.size, physAddr: it.phys }) };
    case "unmap":
      return { ...base(it), event: "dma_unmap_page", fields: tp.dmaUnmapPage({ device: it.device, dir: "FROM_DEVICE", dmaAddr: it.dmaAddr, size: it.size }) };
    case "alloc":
      return { ...base(it), event: "mm_page_alloc", fields: tp.mmPageAlloc({ pfn: it.pfn, order: it.order ?? 0 }), stack: it.stack };
    case "free":
      return { ...base(it), event: "mm_page_free", fields: tp.mmPageFree({ pfn: it.pfn, order: it.order ?? 0 }) };
    case "isolate":
      return { ...base(it), event: "test_pages_isolated", fields: tp.testPagesIsolated({ startPfn: it.startPfn, endPfn: it.endPfn }) };
    case "migrate":
      return { ...base(it), event: "mm_migrate_pages", fields: tp.migratePages({ reason: it.reason ?? "memory_hotplug", succeeded: 1 }) };
    case "fault":
      return x86
        ? { ...base(it), event: "page_fault_user", fields: tp.pageFaultX86({ address: it.address, ip: 0x7ff74f7aa84cn, errorCode: 7 }) }
        : { ...base(it), event: "hash_fault", fields: tp.hashFault({ address: it.address, access: 4, trap: 0x300 }) };
    case "iommu_map":
      return { ...base(it), event: "map", fields: tp.iommuMap({ iova: it.iova, paddr: it.paddr, size: it.size }) };
    case "iommu_unmap":
      return { ...base(it), event: "unmap", fields: tp.iommuUnmap({ iova: it.iova, size: it.size }) };
    case "iofault":
      return { ...base(it), event: "io_page_fault", fields: tp.ioPageFault({ driver: it.driver, device: it.device, iova: it.iova }) };
    case "jsonl":
      return it.event.event === "sched_switch"
        ? { ts: it.ts, cpu: it.event.cpu ?? 0, task: it.event.task ?? "x", pid: it.event.pid ?? 1, event: "sched_switch", fields: `prev_comm=${it.event.task} prev_pid=${it.event.pid} prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120` }
        : null;
    case "lost":
      return null;
  }
}

function toJsonl(it: StoryItem, pageShift: number, drivers: Record<string, string>): JsonlEvent | null {
  const b = { ts: it.ts, cpu: it.cpu ?? 0, task: "task" in it ? (it.task ?? "kworker/0:1") : "kworker/0:1", pid: "pid" in it ? (it.pid ?? 42) : 42 };
  switch (it.kind) {
    case "map":
      return { ...b, event: "dma_map", pfn: it.phys >> BigInt(pageShift), npages: 1, phys: it.phys, device: it.device, driver: drivers[it.device], dma_addr: it.dmaAddr, size: it.size };
    case "unmap":
      return { ...b, event: "dma_unmap", device: it.device, dma_addr: it.dmaAddr, size: it.size };
    case "alloc":
      return { ...b, event: "page_alloc", pfn: it.pfn, npages: 2 ** (it.order ?? 0) };
    case "free":
      return { ...b, event: "page_free", pfn: it.pfn, npages: 2 ** (it.order ?? 0) };
    case "isolate":
      return { ...b, event: "mem_isolate", pfn: it.startPfn, npages: Number(it.endPfn - it.startPfn) };
    case "migrate":
      return { ...b, event: "migrate", reason: it.reason ?? "memory_hotplug" };
    case "fault":
      return { ...b, event: "page_fault", address: "0x" + it.address.toString(16) };
    case "iofault":
      return { ...b, event: "iommu_fault", device: it.device, driver: it.driver, iova: it.iova };
    case "jsonl":
      return it.event;
    default:
      return null;
  }
}

async function collect(write: (out: Writable) => Promise<void>): Promise<string> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on("data", (d: Buffer) => parts.push(d));
  await write(out);
  return Buffer.concat(parts).toString("utf8");
}

export interface RenderOptions extends FtraceWriterOptions {
  format: "ftrace" | "trace-cmd" | "jsonl";
  pageShift: number;
  drivers?: Record<string, string>;
  x86?: boolean;
  /** Written after the last line, without a newline. */
  truncatedTail?: string;
  /** Raw lines slipped in after the item with this index. */
  garbageAfter?: Map<number, string>;
}

/** Writes the items (sorted by time unless `keepOrder`) in the chosen format. */
export async function render(items: StoryItem[], o: RenderOptions, keepOrder = false): Promise<string> {
  const sorted = keepOrder ? items : [...items].sort((a, b) => a.ts - b.ts);
  const x86 = o.x86 ?? o.pageShift === 12;
  return collect(async (out) => {
    if (o.format === "jsonl") {
      const w = new JsonlEventsWriter(out);
      for (let i = 0; i < sorted.length; i++) {
        const ev = toJsonl(sorted[i], o.pageShift, o.drivers ?? {});
        if (ev) await w.write(ev);
        const g = o.garbageAfter?.get(i);
        if (g !== undefined) w.raw(g);
      }
      await w.end(o.truncatedTail);
      return;
    }
    const w = o.format === "ftrace" ? new FtraceWriter(out, o) : new TraceCmdWriter(out, { cpus: 8, pfnRadix: o.pfnRadix });
    for (let i = 0; i < sorted.length; i++) {
      const it = sorted[i];
      if (it.kind === "lost") {
        if (w instanceof FtraceWriter) w.lost(it.cpu, it.count);
        else w.dropped(it.cpu, it.count);
      } else {
        const ev = toTraceEvent(it, x86);
        if (ev) await w.write(ev);
      }
      const g = o.garbageAfter?.get(i);
      if (g !== undefined) w.raw(g);
    }
    await w.end(o.truncatedTail);
  });
}

/** An Artifact over in-memory text, streamed in small chunks so lines straddle chunk borders. */
export function artifactOf(name: string, kind: ArtifactKind, text: string, gzip = false): Artifact {
  const buf = gzip ? gzipSync(Buffer.from(text, "utf8")) : Buffer.from(text, "utf8");
  return {
    name,
    kind,
    bytes: buf.length,
    head: buf.subarray(0, 65536),
    open: () => {
      const chunks: Buffer[] = [];
      for (let i = 0; i < buf.length; i += 4093) chunks.push(buf.subarray(i, i + 4093));
      return Readable.from(chunks);
    },
    warnings: [],
  };
}
