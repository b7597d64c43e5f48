import type { DmaMapping } from "./dma-mapping-table.js";
import type { FrameEvent } from "./frame-event.js";
import type { FrameSink } from "./frame-sink.js";
import type { MemoryLayoutEvent } from "../model/memory-event.js";

/**
 * The console log's memory layout changes (hot-remove has no tracepoint) as frame events on the
 * trace's time base: printk and ftrace's local clock both count seconds since boot.
 */
export function layoutFrameEvents(events: readonly MemoryLayoutEvent[], pageShift: number): FrameEvent[] {
  const out: FrameEvent[] = [];
  const shift = BigInt(pageShift);
  events.forEach((e, i) => {
    if (e.ts === null) return;
    let start: bigint;
    let end: bigint;
    if (e.start !== null && e.end !== null && e.end > e.start) {
      start = e.start >> shift;
      end = ((e.end - 1n) >> shift) + 1n;
    } else if (e.pfn !== null) {
      start = e.pfn;
      end = e.pfn + 1n;
    } else return;
    if (end > 1n << 52n) return;
    out.push({
      ts: e.ts,
      event: e.event,
      start: Number(start),
      end: Number(end),
      cpu: null,
      task: null,
      pid: null,
      device: null,
      driver: null,
      fields: {},
      detail: e.detail,
      source: e.source,
      seq: -events.length + i, // before trace events of the same timestamp
      origin: "console",
    });
  });
  return out.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
}

/**
 * Hands the layout events to the sink in time order between the trace's events, so that the
 * sweep sees a hot-remove while the mapping on the frame is still live.
 */
export class LayoutFeed implements FrameSink {
  private next = 0;

  constructor(
    private readonly inner: FrameSink,
    private readonly layout: readonly FrameEvent[],
  ) {}

  wants(start: number, end: number): boolean {
    return this.inner.wants(start, end);
  }

  tracksMapping(start: number, end: number): boolean {
    return this.inner.tracksMapping(start, end);
  }

  add(ev: FrameEvent): void {
    while (this.next < this.layout.length && this.layout[this.next].ts <= ev.ts) this.deliver(this.layout[this.next++]);
    this.inner.add(ev);
  }

  needsUnmap(m: DmaMapping): boolean {
    // A layout change due before this unmap must see the mapping still live: deliver it in time.
    return this.next < this.layout.length || this.inner.needsUnmap(m);
  }

  get ioFault(): FrameSink["ioFault"] {
    return this.inner.ioFault?.bind(this.inner);
  }

  unmapped(m: DmaMapping): void {
    this.inner.unmapped(m);
  }

  /** Delivers what is left (after the last trace event). */
  flush(): void {
    while (this.next < this.layout.length) this.deliver(this.layout[this.next++]);
  }

  private deliver(ev: FrameEvent): void {
    if (this.inner.wants(ev.start, ev.end)) this.inner.add(ev);
  }
}
