import type { TraceFields } from "./ftrace-writer.js";

/**
 * Field layouts of the tracepoints casefile reads (formats.md §2), so that simulated traces look
 * exactly like the kernel's. Each returns the `fields` of a TraceEvent; pair them with the event
 * name given in the comment. Addresses are bigints (printed in hex as the kernel does).
 */

export type DmaDirection = "TO_DEVICE" | "FROM_DEVICE" | "BIDIRECTIONAL";

const pageHash = (n: bigint): string => ((n * 0x9e3779b1n) & 0xffffffffffffn).toString(16).padStart(16, "0");

/** `dma_map_page` / `dma_map_phys` */
export function dmaMapPage(m: { device: string; dir: DmaDirection; dmaAddr: bigint; size: number; physAddr: bigint }): TraceFields {
  return [["", m.device], ["dir", m.dir], ["dma_addr", m.dmaAddr], ["size", m.size], ["phys_addr", m.physAddr], ["attrs", ""]];
}

/** `dma_unmap_page` / `dma_unmap_phys`: no physical address. */
export function dmaUnmapPage(m: { device: string; dir: DmaDirection; dmaAddr: bigint; size: number }): TraceFields {
  return [["", m.device], ["dir", m.dir], ["dma_addr", m.dmaAddr], ["size", m.size], ["attrs", ""]];
}

const hexList = (values: readonly bigint[]): string => "{" + values.map((v) => "0x" + v.toString(16)).join(",") + "}";

/** `dma_map_sg`; `truncated` appends ` [TRUNCATED]` as the kernel does for long lists. */
export function dmaMapSg(m: {
  device: string;
  dir: DmaDirection;
  dmaAddrs: readonly bigint[];
  sizes: readonly number[];
  physAddrs: readonly bigint[];
  truncated?: boolean;
}): TraceFields {
  const n = m.physAddrs.length;
  const e = m.dmaAddrs.length;
  const text =
    `${m.device} dir=${m.dir} nents=${n}/${n} ents=${e}/${e} dma_addrs=${hexList(m.dmaAddrs)} ` +
    `sizes=${hexList(m.sizes.map((s) => BigInt(s)))} phys_addrs=${hexList(m.physAddrs)} attrs=`;
  return m.truncated ? text + " [TRUNCATED]" : text;
}

/** `dma_unmap_sg` */
export function dmaUnmapSg(m: { device: string; dir: DmaDirection; physAddrs: readonly bigint[] }): TraceFields {
  const n = m.physAddrs.length;
  return `${m.device} dir=${m.dir} nents=${n} phys_addrs=${hexList(m.physAddrs)} attrs=`;
}

/** `dma_alloc` / `dma_free` (coherent buffers; the frames show in the IOMMU `map` line). */
export function dmaAlloc(m: { device: string; dmaAddr: bigint; size: number; virtAddr?: bigint; flags?: string }): TraceFields {
  return [["", m.device], ["dma_addr", m.dmaAddr], ["size", m.size], ["virt_addr", pageHash(m.virtAddr ?? m.dmaAddr)], ["flags", m.flags ?? "GFP_KERNEL"], ["attrs", ""]];
}

const iova16 = (v: bigint): string => "0x" + v.toString(16).padStart(16, "0");

/** iommu `map` */
export function iommuMap(m: { iova: bigint; paddr: bigint; size: number }): TraceFields {
  return `IOMMU: iova=${iova16(m.iova)} - ${iova16(m.iova + BigInt(m.size))} paddr=${iova16(m.paddr)} size=${m.size}`;
}

/** iommu `unmap` */
export function iommuUnmap(m: { iova: bigint; size: number; unmappedSize?: number }): TraceFields {
  return `IOMMU: iova=${iova16(m.iova)} - ${iova16(m.iova + BigInt(m.size))} size=${m.size} unmapped_size=${m.unmappedSize ?? m.size}`;
}

/** iommu `io_page_fault` */
export function ioPageFault(m: { driver: string; device: string; iova: bigint; flags?: number }): TraceFields {
  return `IOMMU:${m.driver} ${m.device} iova=${iova16(m.iova)} flags=0x${(m.flags ?? 1).toString(16).padStart(4, "0")}`;
}

/** `mm_page_alloc` (also `mm_page_alloc_zone_locked` with `percpu_refill`). */
export function mmPageAlloc(m: { pfn: bigint; order: number; migratetype?: number; gfp?: string }): TraceFields {
  return [["page", pageHash(m.pfn)], ["pfn", m.pfn], ["order", m.order], ["migratetype", m.migratetype ?? 0], ["gfp_flags", m.gfp ?? "GFP_KERNEL"]];
}

/** `mm_page_free` (and `mm_page_free_batched`, `mm_page_pcpu_drain`). */
export function mmPageFree(m: { pfn: bigint; order: number }): TraceFields {
  return [["page", pageHash(m.pfn)], ["pfn", m.pfn], ["order", m.order]];
}

/** `test_pages_isolated` */
export function testPagesIsolated(m: { startPfn: bigint; endPfn: bigint; ok?: boolean }): TraceFields {
  return [["start_pfn", m.startPfn], ["end_pfn", m.endPfn], ["fin_pfn", m.endPfn], ["ret", m.ok === false ? "fail" : "success"]];
}

/** `mm_migrate_pages_start` (`mm_migrate_pages` adds counts before mode). */
export function migratePages(m: { mode?: string; reason?: string; succeeded?: number; failed?: number }): TraceFields {
  const counts = m.succeeded === undefined ? "" : `succeeded=${m.succeeded} failed=${m.failed ?? 0} thp_succeeded=0 thp_failed=0 thp_split=0 `;
  return `${counts}mode=${m.mode ?? "MIGRATE_SYNC"} reason=${m.reason ?? "memory_hotplug"}`;
}

/** x86 `page_fault_user` / `page_fault_kernel` */
export function pageFaultX86(m: { address: bigint; ip: bigint; errorCode: number }): TraceFields {
  return `address=0x${m.address.toString(16)} ip=0x${m.ip.toString(16)} error_code=0x${m.errorCode.toString(16)}`;
}

/** powerpc `hash_fault` */
export function hashFault(m: { address: bigint; access: number; trap: number }): TraceFields {
  return `hash fault with addr 0x${m.address.toString(16)} and access = 0x${m.access.toString(16)} trap = 0x${m.trap.toString(16)}`;
}
