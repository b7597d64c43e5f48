/**
 * One kernel trace event as the simulator plans it, before any writer formats it. Key events
 * of a scenario and noise events share this shape; the ftrace, trace-cmd and JSONL writers
 * turn it into their own line format. Numbers stay numbers (pfns of real machines fit in 2^53).
 */
export interface SimTraceEventBase {
  /** Seconds since boot, the printk / ftrace "local" clock. */
  ts: number;
  cpu: number;
  task: string;
  pid: number;
  /** Marks the scenario's story events (the writers ignore it; truth.json lists them). */
  key?: boolean;
  /** ` => func` lines of the stacktrace option, innermost first. */
  stack?: string[];
}

export type DmaDirection = "BIDIRECTIONAL" | "TO_DEVICE" | "FROM_DEVICE" | "NONE";

export type SimTracePayload =
  | { name: "dma_map_page"; device: string; dir: DmaDirection; dmaAddr: number; size: number; phys: number }
  | { name: "dma_unmap_page"; device: string; dir: DmaDirection; dmaAddr: number; size: number }
  | { name: "dma_map_sg"; device: string; dir: DmaDirection; dmaAddrs: number[]; sizes: number[]; physAddrs: number[] }
  | { name: "dma_unmap_sg"; device: string; dir: DmaDirection; physAddrs: number[] }
  | { name: "dma_alloc"; device: string; dmaAddr: number; size: number; virtAddr: string }
  | { name: "dma_free"; device: string; dmaAddr: number; size: number; virtAddr: string }
  | { name: "iommu_map"; iova: number; paddr: number; size: number }
  | { name: "iommu_unmap"; iova: number; size: number }
  | { name: "io_page_fault"; driver: string; device: string; iova: number; flags: number }
  | { name: "mm_page_alloc"; pfn: number; order: number; migratetype: number; gfp: string; page: string }
  | { name: "mm_page_free"; pfn: number; order: number; page: string }
  | { name: "mm_page_free_batched"; pfn: number; page: string }
  | { name: "test_pages_isolated"; startPfn: number; endPfn: number; finPfn: number; ok: boolean }
  | { name: "mm_migrate_pages_start"; mode: string; reason: string }
  | { name: "mm_migrate_pages"; succeeded: number; failed: number; mode: string; reason: string }
  | { name: "page_fault_kernel" | "page_fault_user"; address: number; ip: number; errorCode: number }
  | { name: "hash_fault"; address: number; access: number; trap: number }
  | { name: "sched_switch"; prevComm: string; prevPid: number; nextComm: string; nextPid: number }
  | { name: "kmalloc"; callSite: string; ptr: string; bytesReq: number; bytesAlloc: number; gfp: string }
  | { name: "kfree"; callSite: string; ptr: string };

export type SimTraceEvent = SimTraceEventBase & SimTracePayload;

/** A lost-events marker (`CPU:3 [LOST 1842 EVENTS]`, trace-cmd `[12 EVENTS DROPPED]`). */
export interface SimLostEvents {
  lost: true;
  ts: number;
  cpu: number;
  count: number;
}

export type SimTraceItem = SimTraceEvent | SimLostEvents;

export function isLostMarker(item: SimTraceItem): item is SimLostEvents {
  return (item as SimLostEvents).lost === true;
}
