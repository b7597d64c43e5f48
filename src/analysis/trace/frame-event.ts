/**
 * A normalised trace event on a range of page frames (formats.md §2 generic events). Every trace
 * format and the console's memory layout lines become these, on one time base (seconds since boot).
 * Frame numbers are plain numbers here: real machines' pfns fit in 2^53, and the hot loop stays
 * free of bigint arithmetic. `end` is exclusive; events with no frame have start = end = -1.
 */
export interface FrameEvent {
  ts: number;
  /** Normalised name: dma_map, dma_unmap, page_alloc, page_free, mem_isolate, migrate, iommu_fault, ... */
  event: string;
  start: number;
  end: number;
  cpu: number | null;
  task: string | null;
  pid: number | null;
  device: string | null;
  driver: string | null;
  /** Fields a rule may bind or test (`where`), all as text: device, driver, dir, dma_addr, size, order, ... */
  fields: Record<string, string>;
  /** Short plain text for the timeline: "dir=FROM_DEVICE size=4096 phys_addr=54d70000". */
  detail: string;
  /** "trace.txt:5018" */
  source: string;
  /** Order of reading, to keep equal timestamps in file order. */
  seq: number;
  /** Kernel stack of the event (` => func` lines), innermost first. */
  stack?: string[];
  /** The tracepoint the event came from ("mm_page_alloc"), or "console" / "jsonl". */
  origin: string;
  /** Physical address where the event names one exactly (dma_map phys_addr), for the address match. */
  phys?: number;
}

/** Events lost by the tracer: after one, absence of an event on that CPU can no longer be proven. */
export interface LostEvents {
  cpu: number;
  /** Number of events lost, or null when the marker does not say. */
  count: number | null;
  /** Timestamp of the last event read before the marker (the loss happened around then). */
  ts: number;
  source: string;
}

export function overlaps(ev: FrameEvent, start: number, end: number): boolean {
  return ev.start < end && start < ev.end;
}

export function byTime(a: FrameEvent, b: FrameEvent): number {
  return a.ts - b.ts || a.seq - b.seq;
}
