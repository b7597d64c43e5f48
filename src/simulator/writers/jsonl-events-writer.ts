import type { Writable } from "node:stream";
import { StreamedTraceWriter } from "./streamed-trace-writer.js";

/**
 * One generic event (formats.md §2, JSON Lines), for tracers that are not ftrace. `event` is one of
 * dma_map, dma_unmap, page_alloc, page_free, mem_offline, mem_online, mem_isolate, migrate,
 * page_fault, iommu_fault, crash, or any name a configured rule refers to. Frames are given as
 * `pfn` + `npages` or as `phys` + `size`. Bigints are written as "0x..." strings.
 */
export interface JsonlEvent {
  ts: number;
  cpu?: number;
  task?: string;
  pid?: number;
  event: string;
  pfn?: bigint | string;
  npages?: number;
  phys?: bigint | string;
  size?: number;
  device?: string;
  driver?: string;
  [extra: string]: unknown;
}

export interface JsonlEventsWriterOptions {
  endStream?: boolean;
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? "0x" + value.toString(16) : value;
}

/** Streams generic events as JSON Lines with backpressure (same contract as FtraceWriter). */
export class JsonlEventsWriter extends StreamedTraceWriter<JsonlEvent> {
  constructor(out: Writable, options: JsonlEventsWriterOptions = {}) {
    super(out, options.endStream ?? true);
  }

  event(ev: JsonlEvent): boolean {
    // ts first, then the fields in the order given, as the spec's example shows.
    const { ts, ...rest } = ev;
    return this.sink.push(JSON.stringify({ ts, ...rest }, replacer));
  }
}
