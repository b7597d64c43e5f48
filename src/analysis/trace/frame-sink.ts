import type { DmaMapping } from "./dma-mapping-table.js";
import type { FrameEvent } from "./frame-event.js";

/**
 * Where normalised events go. The sink decides what is worth keeping, before the normaliser
 * spends time on a line's header: that check is what keeps the scan fast and its memory bounded.
 */
export interface FrameSink {
  /** Whether events on frames [start, end) are kept. */
  wants(start: number, end: number): boolean;
  /** Whether a DMA mapping over [start, end) is tracked (its unmap must then be joined to it). */
  tracksMapping(start: number, end: number): boolean;
  add(ev: FrameEvent): void;
  /** Whether the unmap of a tracked mapping must become an event (someone keeps that frame's history). */
  needsUnmap(m: DmaMapping): boolean;
  /**
   * An IOMMU fault on a mapping that may already be gone. Sinks that keep only live frames (the
   * sweep) start a history for it here; absent, the fault goes through wants/add like any event.
   */
  ioFault?(ev: FrameEvent, m: DmaMapping | undefined): void;
  /** A tracked mapping was unmapped (its unmap event was already added when wanted). */
  unmapped(m: DmaMapping): void;
}
