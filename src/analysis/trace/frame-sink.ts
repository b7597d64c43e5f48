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
  /** A tracked mapping was unmapped (its unmap event was already added when wanted). */
  unmapped(m: DmaMapping): void;
}
