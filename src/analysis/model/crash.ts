import type { Arch } from "./machine.js";

/** The `crash` object of the JSON verdict (verdict.md). */
export interface CrashJson {
  title: string;
  /** Family, e.g. "kasan", "kfence", "slub-poison", "page-poison", "bad-page-state", "bad-page-map", "page-fault", "gpf", "list-corruption", "dma-api", "iommu-fault", "warning", "bug", "rcu-stall", "hung-task". */
  kind: string;
  frame: string | null;
  address: string | null;
  access: "read" | "write" | null;
  size: number | null;
  task: string | null;
  pid: number | null;
  cpu: number | null;
  modules: string[];
  stack: string[];
  arch: Arch | null;
  kernel: string | null;
}

/**
 * A parsed crash report: the contract fields plus the details that memory and verdict analysis
 * use. Addresses are bigint here and hex strings only in JSON.
 */
export interface CrashReport extends CrashJson {
  /** KASAN bug type or the like: "use-after-free", "slab-out-of-bounds", "double-free", "null-ptr-deref", ... */
  bugType: string | null;
  /** The object the bad access belongs to (KASAN/KFENCE/SLUB). */
  object: { start: bigint; size: number; cache: string | null } | null;
  /** SLUB "Poison overwritten" and page-poison ranges: [start, end) of the bytes that differ from the fill. */
  corrupted: { start: bigint; end: bigint; firstByte: number | null; expected: number | null } | null;
  /** Page frame the report names (page block, Bad page state). */
  pfn: bigint | null;
  /** Device named by a DMA-API or IOMMU fault line. */
  device: string | null;
  /** DMA / IO virtual address named by a DMA-API or IOMMU fault line. */
  dmaAddress: bigint | null;
  /** Symbolised frames with source files where the log has them ("mm/slub.c:123"), innermost first. */
  files: string[];
  /** printk time of the report's first line (seconds since boot), where the log has timestamps. */
  ts?: number | null;
  /** "console.log:123": the report's first line. */
  source: string;
  /** The report text as extracted (for `/casefile explain` and the report). */
  text: string;
}
