import type { SimTraceEvent } from "../model/sim-trace-event.js";
import type { TraceEvent } from "../writers/ftrace-writer.js";
import type { JsonlEvent } from "../writers/jsonl-events-writer.js";
import {
  dmaMapPage,
  dmaMapSg,
  dmaUnmapPage,
  dmaUnmapSg,
  hashFault,
  iommuMap,
  iommuUnmap,
  ioPageFault,
  migratePages,
  mmPageAlloc,
  mmPageFree,
  pageFaultX86,
} from "../writers/tracepoint-fields.js";

/**
 * Turns the simulator's planned events into what the trace writers take: tracepoint name and
 * fields for ftrace / trace-cmd, the generic event for JSON Lines. Hot path for noise: no
 * per-event allocation beyond the result.
 */
export function toTraceEvent(e: SimTraceEvent, pfnRadix: 16 | 10 = 16): TraceEvent {
  if (!e.key) {
    // Noise hot path: the four commonest tracepoints formatted straight from numbers, in the
    // layouts of tracepoint-fields.ts (no BigInt, no field tuples): about twice as fast.
    const fields = fastFields(e, pfnRadix);
    if (fields !== null) return { ts: e.ts, cpu: e.cpu, task: e.task, pid: e.pid, tgid: e.pid, event: e.name, fields };
  }
  const base = { ts: e.ts, cpu: e.cpu, task: e.task, pid: e.pid, tgid: e.pid, stack: e.stack };
  switch (e.name) {
    case "dma_map_page":
      return { ...base, event: e.name, fields: dmaMapPage({ device: e.device, dir: e.dir === "NONE" ? "BIDIRECTIONAL" : e.dir, dmaAddr: BigInt(e.dmaAddr), size: e.size, physAddr: BigInt(e.phys) }) };
    case "dma_unmap_page":
      return { ...base, event: e.name, fields: dmaUnmapPage({ device: e.device, dir: e.dir === "NONE" ? "BIDIRECTIONAL" : e.dir, dmaAddr: BigInt(e.dmaAddr), size: e.size }) };
    case "dma_map_sg":
      return { ...base, event: e.name, fields: dmaMapSg({ device: e.device, dir: e.dir === "NONE" ? "BIDIRECTIONAL" : e.dir, dmaAddrs: e.dmaAddrs.map(BigInt), sizes: e.sizes, physAddrs: e.physAddrs.map(BigInt) }) };
    case "dma_unmap_sg":
      return { ...base, event: e.name, fields: dmaUnmapSg({ device: e.device, dir: e.dir === "NONE" ? "BIDIRECTIONAL" : e.dir, physAddrs: e.physAddrs.map(BigInt) }) };
    case "dma_alloc":
    case "dma_free":
      return { ...base, event: e.name, fields: `${e.device} dma_addr=${e.dmaAddr.toString(16)} size=${e.size} virt_addr=${e.virtAddr} flags=GFP_KERNEL attrs=` };
    case "iommu_map":
      return { ...base, event: "map", fields: iommuMap({ iova: BigInt(e.iova), paddr: BigInt(e.paddr), size: e.size }) };
    case "iommu_unmap":
      return { ...base, event: "unmap", fields: iommuUnmap({ iova: BigInt(e.iova), size: e.size }) };
    case "io_page_fault":
      return { ...base, event: e.name, fields: ioPageFault({ driver: e.driver, device: e.device, iova: BigInt(e.iova), flags: e.flags }) };
    case "mm_page_alloc":
      return { ...base, event: e.name, fields: mmPageAlloc({ pfn: BigInt(e.pfn), order: e.order, migratetype: e.migratetype, gfp: e.gfp }) };
    case "mm_page_free":
      return { ...base, event: e.name, fields: mmPageFree({ pfn: BigInt(e.pfn), order: e.order }) };
    case "mm_page_free_batched":
      return { ...base, event: e.name, fields: mmPageFree({ pfn: BigInt(e.pfn), order: 0 }) };
    case "test_pages_isolated":
      return { ...base, event: e.name, fields: [["start_pfn", BigInt(e.startPfn)], ["end_pfn", BigInt(e.endPfn)], ["fin_pfn", BigInt(e.finPfn)], ["ret", e.ok ? "success" : "fail"]] };
    case "mm_migrate_pages_start":
      return { ...base, event: e.name, fields: migratePages({ mode: e.mode, reason: e.reason }) };
    case "mm_migrate_pages":
      return { ...base, event: e.name, fields: migratePages({ mode: e.mode, reason: e.reason, succeeded: e.succeeded, failed: e.failed }) };
    case "page_fault_kernel":
    case "page_fault_user":
      return { ...base, event: e.name, fields: pageFaultX86({ address: BigInt(e.address), ip: BigInt(e.ip), errorCode: e.errorCode }) };
    case "hash_fault":
      return { ...base, event: e.name, fields: hashFault({ address: BigInt(e.address), access: e.access, trap: e.trap }) };
    case "sched_switch":
      return { ...base, event: e.name, fields: `prev_comm=${e.prevComm} prev_pid=${e.prevPid} prev_prio=120 prev_state=S ==> next_comm=${e.nextComm} next_pid=${e.nextPid} next_prio=120` };
    case "kmalloc":
      return { ...base, event: e.name, fields: `call_site=${e.callSite} ptr=${e.ptr} bytes_req=${e.bytesReq} bytes_alloc=${e.bytesAlloc} gfp_flags=${e.gfp} node=-1 accounted=false` };
    case "kfree":
      return { ...base, event: e.name, fields: `call_site=${e.callSite} ptr=${e.ptr}` };
  }
}

function fastFields(e: SimTraceEvent, pfnRadix: 16 | 10): string | null {
  switch (e.name) {
    case "mm_page_alloc":
      return "page=" + e.page + " pfn=" + (pfnRadix === 16 ? "0x" + e.pfn.toString(16) : String(e.pfn)) + " order=" + e.order + " migratetype=" + e.migratetype + " gfp_flags=" + e.gfp;
    case "mm_page_free":
      return "page=" + e.page + " pfn=" + (pfnRadix === 16 ? "0x" + e.pfn.toString(16) : String(e.pfn)) + " order=" + e.order;
    case "dma_map_page":
      return e.device + " dir=" + e.dir + " dma_addr=" + e.dmaAddr.toString(16) + " size=" + e.size + " phys_addr=" + e.phys.toString(16) + " attrs=";
    case "dma_unmap_page":
      return e.device + " dir=" + e.dir + " dma_addr=" + e.dmaAddr.toString(16) + " size=" + e.size + " attrs=";
    default:
      return null;
  }
}

/**
 * The generic JSON Lines event (formats.md §2). Tracepoints with no generic meaning keep their
 * own name, as an exporter that does not know them would.
 */
export function toJsonlEvent(e: SimTraceEvent, driverOf: ReadonlyMap<string, string>, pageShift: number): JsonlEvent {
  const base = { ts: Math.round(e.ts * 1e6) / 1e6, cpu: e.cpu, task: e.task, pid: e.pid };
  const pfnOf = (phys: number): string => "0x" + Math.floor(phys / 2 ** pageShift).toString(16);
  const npages = (size: number): number => Math.max(1, Math.ceil(size / 2 ** pageShift));
  const hx = (n: number): string => "0x" + n.toString(16);
  switch (e.name) {
    case "dma_map_page":
      return { ...base, event: "dma_map", pfn: pfnOf(e.phys), npages: npages(e.size), device: e.device, driver: driverOf.get(e.device), dma_addr: hx(e.dmaAddr), size: e.size };
    case "dma_unmap_page":
      return { ...base, event: "dma_unmap", device: e.device, driver: driverOf.get(e.device), dma_addr: hx(e.dmaAddr), size: e.size };
    case "dma_map_sg":
      return { ...base, event: "dma_map", phys: hx(e.physAddrs[0]), size: e.sizes.reduce((a, b) => a + b, 0), device: e.device, driver: driverOf.get(e.device) };
    case "dma_unmap_sg":
      return { ...base, event: "dma_unmap", phys: hx(e.physAddrs[0]), device: e.device, driver: driverOf.get(e.device) };
    case "mm_page_alloc":
      return { ...base, event: "page_alloc", pfn: "0x" + e.pfn.toString(16), npages: 2 ** e.order };
    case "mm_page_free":
      return { ...base, event: "page_free", pfn: "0x" + e.pfn.toString(16), npages: 2 ** e.order };
    case "mm_page_free_batched":
      return { ...base, event: "page_free", pfn: "0x" + e.pfn.toString(16), npages: 1 };
    case "test_pages_isolated":
      return { ...base, event: "mem_isolate", pfn: "0x" + e.startPfn.toString(16), npages: e.endPfn - e.startPfn, ok: e.ok };
    case "mm_migrate_pages":
      return { ...base, event: "migrate", reason: e.reason };
    case "page_fault_kernel":
    case "page_fault_user":
    case "hash_fault":
      return { ...base, event: "page_fault", address: hx(e.address) };
    case "io_page_fault":
      return { ...base, event: "iommu_fault", device: e.device, driver: e.driver, iova: hx(e.iova) };
    default:
      return { ...base, event: e.name };
  }
}
