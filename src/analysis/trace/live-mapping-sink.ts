import type { DmaMapping, DmaMappingTable } from "./dma-mapping-table.js";
import type { FrameEvent } from "./frame-event.js";
import type { FrameSink } from "./frame-sink.js";

/** Frames whose history is kept after a suspicious reuse (the sweep's candidates), at most. */
const MAX_SUSPECT_FRAMES = 5_000;
/** Events kept per frame history; older page events go first. */
const MAX_HISTORY = 256;
/** Mappings wider than this are not followed frame by frame (the table still tracks them). */
const MAX_HISTORY_SPAN = 4096;

/** Events that take a frame away from its owner: while a device still maps it, that is suspicious. */
const REUSE = new Set(["page_alloc", "page_free", "mem_isolate", "mem_offline", "migrate"]);

/**
 * Sweep mode (no frame known). The DMA mapping table knows which frames are mapped; nothing else
 * is kept until a frame is allocated, freed, isolated, migrated or hot-removed while a device
 * mapping on it is live. From then on the frame is a suspect: its history starts with the live
 * mappings' map events and keeps every later event. Memory is the live mappings plus the suspects.
 */
export class LiveMappingSink implements FrameSink {
  readonly histories = new Map<number, FrameEvent[]>();
  readonly suspects = new Set<number>();
  suspectsOverflowed = false;

  constructor(private readonly table: DmaMappingTable) {}

  wants(start: number, end: number): boolean {
    if (this.table.anyLive(start, end)) return true;
    if (this.suspects.size === 0) return false;
    if (end - start <= 64) {
      for (let f = start; f < end; f++) if (this.suspects.has(f)) return true;
      return false;
    }
    for (const f of this.suspects) if (f >= start && f < end) return true;
    return false;
  }

  tracksMapping(): boolean {
    return true;
  }

  add(ev: FrameEvent): void {
    if (ev.start < 0 || ev.end - ev.start > MAX_HISTORY_SPAN) {
      // A wide range (a hot-removed block): only frames already mapped or suspected matter.
      if (ev.start < 0) return;
      for (const f of [...this.suspects]) if (f >= ev.start && f < ev.end) this.visit(f, ev);
      for (const m of this.table.liveMappings()) {
        if (m.start < 0 || m.end - m.start > MAX_HISTORY_SPAN || m.end <= ev.start || m.start >= ev.end) continue;
        for (let f = Math.max(m.start, ev.start); f < Math.min(m.end, ev.end); f++) if (!this.suspects.has(f)) this.visit(f, ev);
      }
      return;
    }
    for (let f = ev.start; f < ev.end; f++) this.visit(f, ev);
  }

  private visit(f: number, ev: FrameEvent): void {
    const h = this.histories.get(f);
    if (h) {
      if (h[h.length - 1] !== ev) h.push(ev);
      if (h.length > MAX_HISTORY) trim(h);
      return;
    }
    if (!REUSE.has(ev.event)) return;
    const live = this.table.liveOn(f);
    if (live.length === 0) return;
    if (this.suspects.size >= MAX_SUSPECT_FRAMES) {
      this.suspectsOverflowed = true;
      return;
    }
    this.suspects.add(f);
    this.histories.set(f, [...live.map((m) => m.map), ev]);
  }

  /** Frames where a device faulted on a mapping (live or already gone): the rules look at them too. */
  readonly faulted = new Set<number>();

  ioFault(ev: FrameEvent, m: DmaMapping | undefined): void {
    if (ev.start < 0 || ev.end - ev.start > MAX_HISTORY_SPAN) return;
    for (let f = ev.start; f < ev.end; f++) {
      let h = this.histories.get(f);
      if (!h) {
        if (this.suspects.size >= MAX_SUSPECT_FRAMES) {
          this.suspectsOverflowed = true;
          return;
        }
        h = [];
        if (m) h.push(m.map);
        if (m?.unmap) h.push(m.unmap);
        this.histories.set(f, h);
        this.suspects.add(f);
      }
      h.push(ev);
      this.faulted.add(f);
    }
  }

  needsUnmap(m: DmaMapping): boolean {
    if (m.start < 0 || m.end - m.start > MAX_HISTORY_SPAN || this.suspects.size === 0) return false;
    for (let f = m.start; f < m.end; f++) if (this.suspects.has(f)) return true;
    return false;
  }

  unmapped(_m: DmaMapping): void {}
}

function trim(h: FrameEvent[]): void {
  // Keep the first events (the maps that opened the history) and drop the oldest page events.
  let drop = h.length - MAX_HISTORY + 32;
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
