import type { Writable } from "node:stream";
import { formatCpu, formatFields, formatTimestamp, padStart, type TraceEvent } from "./ftrace-writer.js";
import { StreamedTraceWriter } from "./streamed-trace-writer.js";

export interface TraceCmdWriterOptions {
  /** Number of CPUs, for the `cpus=N` first line. Default 8. */
  cpus?: number;
  /** Flags column width (newer trace-cmd prints it): 0 (absent), 4 or 5. Default 0. */
  flagColumns?: 0 | 4 | 5;
  /** Radix of `pfn=` fields, as the kernel that recorded the trace printed them. Default 16. */
  pfnRadix?: 16 | 10;
  /** Per-line file prefix, as `trace-cmd report -i a.dat -i b.dat` prints: e.g. "trace.dat". */
  filePrefix?: string;
  /** End the Writable on `end()`. Default true. */
  endStream?: boolean;
}

/**
 * Writes `trace-cmd report` text: `cpus=N`, then one line per event with the event name padded
 * to 20 columns, and `CPU:3 [12 EVENTS DROPPED]` markers. Same backpressure contract as FtraceWriter.
 */
export class TraceCmdWriter extends StreamedTraceWriter<TraceEvent> {
  private readonly opts: Required<Omit<TraceCmdWriterOptions, "filePrefix">> & { filePrefix: string | undefined };

  constructor(out: Writable, options: TraceCmdWriterOptions = {}) {
    super(out, options.endStream ?? true);
    this.opts = {
      cpus: options.cpus ?? 8,
      flagColumns: options.flagColumns ?? 0,
      pfnRadix: options.pfnRadix ?? 16,
      filePrefix: options.filePrefix,
      endStream: options.endStream ?? true,
    };
  }

  protected override header(): string[] {
    return [`cpus=${this.opts.cpus}`];
  }

  private prefix(): string {
    return this.opts.filePrefix === undefined ? "" : this.opts.filePrefix + ": ";
  }

  event(ev: TraceEvent): boolean {
    this.begin();
    let line = this.prefix() + padStart(ev.task, 16) + "-" + String(ev.pid).padEnd(5) + " " + formatCpu(ev.cpu) + " ";
    if (this.opts.flagColumns > 0) line += (ev.flags ?? ".".repeat(this.opts.flagColumns)) + " ";
    const name = ev.event + ":";
    line += formatTimestamp(ev.ts) + ": " + name + (name.length < 20 ? " ".repeat(20 - name.length) : "") + " ";
    let ok = this.sink.push(line + formatFields(ev.fields, this.opts.pfnRadix));
    if (ev.stack) for (const fn of ev.stack) ok = this.sink.push(" => " + fn);
    return ok;
  }

  /** `CPU:3 [12 EVENTS DROPPED]` */
  dropped(cpu: number, count: number): boolean {
    this.begin();
    return this.sink.push(`${this.prefix()}CPU:${cpu} [${count} EVENTS DROPPED]`);
  }
}
