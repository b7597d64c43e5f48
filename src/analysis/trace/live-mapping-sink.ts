import type { DmaMapping, DmaMappingTable } from "./dma-mapping-table.js";
import type { FrameEvent } from "./frame-event.js";
import type { FrameSink } from "./frame-sink.js";

/** Frames whose history is kept after a suspicious reuse (the sweep's candidates), at most. */
const MAX_SUSPECT_FRAMES = 20_000;
/** Events kept per frame history; older page events go first. */
const MAX_HISTORY = 512;
/** Mappings wider than this get no per-frame history (the table still tracks them). */
const MAX_HISTORY_SPAN = 4096;

/**
 * Sweep mode (no frame known): keeps the history of every frame while a device mapping on it is
 * live, from the map on. A frame allocated, freed, isolated or migrated while still mapped becomes
 * a suspect and keeps its history to the end; a frame cleanly unmapped forgets it.
 */
export class LiveMappingSink implements FrameSink {
  readonly histories = new Map<number, FrameEvent[]>();
  readonly suspects = new Set<number>();
  suspectsOverflowed = false;

  constructor(private readonly table: DmaMappingTable) {}

  wants(start: number, end: number): boolean {
    if (this.histories.size === 0) return false;
    if (end - start <= 64) {
      for (let f = start; f < end; f++) if (this.histories.has(f)) return true;
      return false;
    }
    for (const f of this.histories.keys()) if (f >= start && f < end) return true;
    return false;
  }

  tracksMapping(): boolean {
    return true;
  }

  add(ev: FrameEvent): void {
    if (ev.start < 0) return;
    const isMap = ev.event === "dma_map" || ev.event === "dma_alloc";
    if (isMap && ev.end - ev.start > MAX_HISTORY_SPAN) return;
    const reuse = ev.event === "page_alloc" || ev.event === "page_free" || ev.event === "mem_isolate" || ev.event === "mem_offline" || ev.event === "migrate";
    const visit = (f: number): void => {
      let h = this.histories.get(f);
      if (!h) {
        if (!isMap) return;
        h = [];
        this.histories.set(f, h);
      }
      h.push(ev);
      if (h.length > MAX_HISTORY) trim(h);
      if (reuse && !this.suspects.has(f) && this.table.liveOn(f).length > 0) {
        if (this.suspects.size < MAX_SUSPECT_FRAMES) this.suspects.add(f);
        else this.suspectsOverflowed = true;
      }
    };
    if (ev.end - ev.start <= 64) for (let f = ev.start; f < ev.end; f++) visit(f);
    else for (const f of [...this.histories.keys()]) if (f >= ev.start && f < ev.end) visit(f);
  }

  needsUnmap(m: DmaMapping): boolean {
    if (m.start < 0 || m.end - m.start > MAX_HISTORY_SPAN) return false;
    // Kept only where the frame's history outlives this mapping: a suspect, or another live mapping.
    for (let f = m.start; f < m.end; f++) if (this.suspects.has(f) || this.table.liveOn(f).length > 1) return true;
    return false;
  }

  unmapped(m: DmaMapping): void {
    if (m.start < 0 || m.end - m.start > MAX_HISTORY_SPAN) return;
    for (let f = m.start; f < m.end; f++) {
      if (this.suspects.has(f)) continue;
      if (this.table.liveOn(f).length === 0) this.histories.delete(f);
    }
  }
}

function trim(h: FrameEvent[]): void {
  // Keep the first event (the map that opened the history) and drop the oldest page events.
  let drop = h.length - MAX_HISTORY + 64;
  const kept: FrameEvent[] = [];
  for (let i = 0; i < h.length; i++) {
    const e = h[i];
    if (i > 0 && drop > 0 && (e.event === "page_alloc" || e.event === "page_free")) {
      drop--;
      continue;
    }
    kept.push(e);
  }
  h.length = 0;
  for (const e of kept) h.push(e);
}
