import type { SimTraceEvent } from "./sim-trace-event.js";

/**
 * The field text of a tracepoint exactly as the kernel's TP_printk prints it (formats.md §2),
 * shared by the ftrace and trace-cmd writers. Written for speed: called once per noise event.
 */
export function tracepointFields(e: SimTraceEvent): string {
  switch (e.name) {
    case "dma_map_page":
      return `${e.device} dir=${e.dir} dma_addr=${e.dmaAddr.toString(16)} size=${e.size} phys_addr=${e.phys.toString(16)} attrs=`;
    case "dma_unmap_page":
      return `${e.device} dir=${e.dir} dma_addr=${e.dmaAddr.toString(16)} size=${e.size} attrs=`;
    case "dma_map_sg": {
      const n = e.physAddrs.length;
      const m = e.dmaAddrs.length;
      return `${e.device} dir=${e.dir} nents=${n}/${n} ents=${m}/${m} dma_addrs={${e.dmaAddrs.map(hx).join(",")}} sizes={${e.sizes.map(hx).join(",")}} phys_addrs={${e.physAddrs.map(hx).join(",")}} attrs=`;
    }
    case "dma_unmap_sg": {
      const n = e.physAddrs.length;
      return `${e.device} dir=${e.dir} nents=${n} phys_addrs={${e.physAddrs.map(hx).join(",")}} attrs=`;
    }
    case "dma_alloc":
    case "dma_free":
      return `${e.device} dma_addr=${e.dmaAddr.toString(16)} size=${e.size} virt_addr=${e.virtAddr} flags=GFP_KERNEL attrs=`;
    case "iommu_map":
      return `IOMMU: iova=${hx16(e.iova)} - ${hx16(e.iova + e.size)} paddr=${hx16(e.paddr)} size=${e.size}`;
    case "iommu_unmap":
      return `IOMMU: iova=${hx16(e.iova)} - ${hx16(e.iova + e.size)} size=${e.size} unmapped_size=${e.size}`;
    case "io_page_fault":
      return `IOMMU:${e.driver} ${e.device} iova=${hx16(e.iova)} flags=0x${e.flags.toString(16).padStart(4, "0")}`;
    case "mm_page_alloc":
      return `page=${e.page} pfn=0x${e.pfn.toString(16)} order=${e.order} migratetype=${e.migratetype} gfp_flags=${e.gfp}`;
    case "mm_page_free":
      return `page=${e.page} pfn=0x${e.pfn.toString(16)} order=${e.order}`;
    case "mm_page_free_batched":
      return `page=${e.page} pfn=0x${e.pfn.toString(16)} order=0`;
    case "test_pages_isolated":
      return `start_pfn=0x${e.startPfn.toString(16)} end_pfn=0x${e.endPfn.toString(16)} fin_pfn=0x${e.finPfn.toString(16)} ret=${e.ok ? "success" : "fail"}`;
    case "mm_migrate_pages_start":
      return `mode=${e.mode} reason=${e.reason}`;
    case "mm_migrate_pages":
      return `nr_succeeded=${e.succeeded} nr_failed=${e.failed} nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 nr_split=0 mode=${e.mode} reason=${e.reason}`;
    case "page_fault_kernel":
    case "page_fault_user":
      return `address=0x${e.address.toString(16)} ip=0x${e.ip.toString(16)} error_code=0x${e.errorCode.toString(16)}`;
    case "hash_fault":
      return `hash fault with addr 0x${e.address.toString(16)} and access = 0x${e.access.toString(16)} trap = 0x${e.trap.toString(16)}`;
    case "sched_switch":
      return `prev_comm=${e.prevComm} prev_pid=${e.prevPid} prev_prio=120 prev_state=S ==> next_comm=${e.nextComm} next_pid=${e.nextPid} next_prio=120`;
    case "kmalloc":
      return `call_site=${e.callSite} ptr=${e.ptr} bytes_req=${e.bytesReq} bytes_alloc=${e.bytesAlloc} gfp_flags=${e.gfp} node=-1 accounted=false`;
    case "kfree":
      return `call_site=${e.callSite} ptr=${e.ptr}`;
  }
}

/** The tracepoint name ftrace prints (the iommu events print as `map`, `unmap`, `io_page_fault`). */
export function tracepointName(e: SimTraceEvent): string {
  if (e.name === "iommu_map") return "map";
  if (e.name === "iommu_unmap") return "unmap";
  return e.name;
}

/**
 * The generic JSON Lines form (formats.md §2) of an event: normalised name, frame and device.
 * Events with no generic meaning (scheduler, kmalloc) keep their tracepoint name.
 */
export function genericEvent(e: SimTraceEvent, drivers: ReadonlyMap<string, string>, pageShift: number): Record<string, unknown> {
  const base: Record<string, unknown> = { ts: round6(e.ts), cpu: e.cpu, task: e.task, pid: e.pid };
  const pfnOf = (phys: number) => "0x" + Math.floor(phys / 2 ** pageShift).toString(16);
  const pages = (size: number) => Math.max(1, Math.ceil(size / 2 ** pageShift));
  switch (e.name) {
    case "dma_map_page":
      return { ...base, event: "dma_map", pfn: pfnOf(e.phys), npages: pages(e.size), device: e.device, driver: drivers.get(e.device) ?? null, dma_addr: hx(e.dmaAddr), dir: e.dir };
    case "dma_unmap_page":
      return { ...base, event: "dma_unmap", device: e.device, driver: drivers.get(e.device) ?? null, dma_addr: hx(e.dmaAddr), size: e.size, dir: e.dir };
    case "dma_map_sg":
      return { ...base, event: "dma_map", phys: hx(e.physAddrs[0]), size: e.sizes.reduce((a, b) => a + b, 0), device: e.device, driver: drivers.get(e.device) ?? null, dir: e.dir };
    case "dma_unmap_sg":
      return { ...base, event: "dma_unmap", phys: hx(e.physAddrs[0]), device: e.device, driver: drivers.get(e.device) ?? null, dir: e.dir };
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

function hx(n: number): string {
  return "0x" + n.toString(16);
}

function hx16(n: number): string {
  return "0x" + n.toString(16).padStart(16, "0");
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
