import type { DmaMapping } from "./dma-mapping-table.js";
import type { FrameEvent } from "./frame-event.js";
import type { FrameSink } from "./frame-sink.js";

/** Events kept beyond this are thinned (oldest page alloc/free first): memory stays bounded. */
export const MAX_KEPT_EVENTS = 400_000;

/** Keeps every event that touches one of the frames of interest (the corrupted region's frames). */
export class InterestSink implements FrameSink {
  private readonly frames: number[];
  readonly events: FrameEvent[] = [];
  thinned = 0;

  constructor(frames: Iterable<number>) {
    this.frames = [...new Set(frames)].sort((a, b) => a - b);
  }

  wants(start: number, end: number): boolean {
    const fr = this.frames;
    // First frame >= start, by binary search; the list is short but the call is hot.
    let lo = 0;
    let hi = fr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fr[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    return lo < fr.length && fr[lo] < end;
  }

  tracksMapping(start: number, end: number): boolean {
    return this.wants(start, end);
  }

  add(ev: FrameEvent): void {
    if (!this.wants(ev.start, ev.end)) return;
    this.events.push(ev);
    if (this.events.length > MAX_KEPT_EVENTS) this.thin();
  }

  needsUnmap(m: DmaMapping): boolean {
    return this.wants(m.start, m.end);
  }

  unmapped(_m: DmaMapping): void {}

  /** Drops the older half of the page alloc/free events; DMA and layout events are few and kept. */
  private thin(): void {
    const pageEvents = this.events.filter((e) => e.event === "page_alloc" || e.event === "page_free").length;
    let drop = Math.floor(pageEvents / 2);
    const kept: FrameEvent[] = [];
    for (const e of this.events) {
      if (drop > 0 && (e.event === "page_alloc" || e.event === "page_free")) {
        drop--;
        this.thinned++;
        continue;
      }
      kept.push(e);
    }
    this.events.length = 0;
    for (const e of kept) this.events.push(e);
  }
}
