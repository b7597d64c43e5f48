import type { VerdictKind } from "./verdict-kind.js";

/**
 * Independence groups. Items in one facet restate one observation, so the weighing counts only
 * the strongest of them; items in different facets are independent and reinforce each other.
 */
export type EvidenceFacet =
  | "crash-report" // what the kernel's own report says (KASAN class, IOMMU fault line, ...)
  | "alignment" // where the corrupted region starts and how long it is
  | "content" // what the corrupted bytes are (foreign payload, stale kernel data, a flipped bit)
  | "fill" // deviation from a known fill (poison, zero)
  | "trace" // a frame-sequence rule matched in the trace
  | "address-match" // the region starts exactly at a mapped DMA address
  | "owner"; // facts that bear on who to blame, not on what happened

/** One claim of the case, with how strongly it supports (or, with `counter`, argues against) a verdict. */
export interface Evidence {
  /** Plain words, one sentence, no trailing period: "corruption starts on a 64 KiB page boundary". */
  claim: string;
  /** 0..1: how much this alone would convince a kernel engineer. */
  weight: number;
  /** Where it was seen: "trace.txt:5018", "vmcore@0x54d70000", or null when derived. */
  source: string | null;
  verdict: VerdictKind;
  facet: EvidenceFacet;
  /** True when this item argues against `verdict` (a proper unmap before the free, ...). */
  counter?: boolean;
}
