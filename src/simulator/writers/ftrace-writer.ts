import type { Writable } from "node:stream";
import { StreamedTraceWriter } from "./streamed-trace-writer.js";

/** A field value: strings are written as given, numbers in decimal, bigints as the layout asks (see `formatFields`). */
export type FieldValue = string | number | bigint;

/**
 * Fields of a tracepoint in print order. The key "" writes the bare value (the device name that
 * starts the dma_* events). A preformatted string is written as is.
 */
export type TraceFields = string | ReadonlyArray<readonly [string, FieldValue]>;

/** One tracepoint hit as the kernel's tracer would record it. */
export interface TraceEvent {
  /** Seconds since boot (microsecond resolution is printed). */
  ts: number;
  cpu: number;
  /** comm: may hold '-', spaces and '()' ("kworker/u16:3", "Web Content", "(sd-pam)"). */
  task: string;
  pid: number;
  /** Thread group id, printed only when the writer shows the tgid column. */
  tgid?: number;
  /** Tracepoint name: "mm_page_alloc", "dma_map_page", "map" (iommu), ... */
  event: string;
  fields: TraceFields;
  /** irq/preempt flags; defaults to dots of the writer's flag width. */
  flags?: string;
  /** Kernel stack, innermost first, written as ` => func` lines after the event. */
  stack?: readonly string[];
}

export interface FtraceWriterOptions {
  /** Width of the flags column: 5 (kernels >= 6.x), 4 (older), 0 (column absent). Default 5. */
  flagColumns?: 0 | 4 | 5;
  /** Show the `(  tgid)` column (the record-tgid option). Default false. */
  tgid?: boolean;
  /** Radix of `pfn=` style fields: 16 (`pfn=0x54d7`, 5.14+) or 10 (`pfn=21719`, older kernels). Default 16. */
  pfnRadix?: 16 | 10;
  /** Write the `# tracer: nop` header block first. Default true. */
  header?: boolean;
  /** Precede ` => func` lines with a `<stack trace>` line, as the stacktrace option does. Default true. */
  stackHeader?: boolean;
  /** End the Writable on `end()`. Default true. */
  endStream?: boolean;
}

/** Keys that hold page frame numbers: printed in the writer's pfn radix, hex with 0x. */
const PFN_KEYS = new Set(["pfn", "start_pfn", "end_pfn", "fin_pfn"]);

/** `key=value key=value`, bigints as pfns (in `pfnRadix`) or as bare lowercase hex (addresses). */
export function formatFields(fields: TraceFields, pfnRadix: 16 | 10 = 16): string {
  if (typeof fields === "string") return fields;
  let out = "";
  for (const [key, value] of fields) {
    let text: string;
    if (typeof value === "bigint") {
      if (PFN_KEYS.has(key)) text = pfnRadix === 10 ? value.toString(10) : "0x" + value.toString(16);
      else text = value.toString(16);
    } else text = String(value);
    if (out.length > 0) out += " ";
    out += key === "" ? text : key + "=" + text;
  }
  return out;
}

const SPACES = " ".repeat(64);

/** Right-aligns `text` in `width` columns (up to 64 of padding), as printf's `%*s` does. */
export function padStart(text: string, width: number): string {
  return text.length >= width ? text : SPACES.slice(0, width - text.length) + text;
}

function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + SPACES.slice(0, width - text.length);
}

/** `%5lu.%06lu` of the kernel. */
export function formatTimestamp(ts: number): string {
  const micros = Math.round(ts * 1e6);
  const sec = Math.floor(micros / 1e6);
  const usec = micros - sec * 1e6;
  return padStart(String(sec), 5) + "." + String(usec).padStart(6, "0");
}

/** `[007]` */
export function formatCpu(cpu: number): string {
  return "[" + String(cpu).padStart(3, "0") + "]";
}

/**
 * Writes ftrace text exactly as /sys/kernel/tracing/trace prints it, streamed to a Writable with
 * backpressure (the contract of StreamedTraceWriter).
 */
export class FtraceWriter extends StreamedTraceWriter<TraceEvent> {
  private readonly opts: Required<FtraceWriterOptions>;
  private readonly dots: string;

  constructor(out: Writable, options: FtraceWriterOptions = {}) {
    super(out, options.endStream ?? true);
    this.opts = {
      flagColumns: options.flagColumns ?? 5,
      tgid: options.tgid ?? false,
      pfnRadix: options.pfnRadix ?? 16,
      header: options.header ?? true,
      stackHeader: options.stackHeader ?? true,
      endStream: options.endStream ?? true,
    };
    this.dots = ".".repeat(this.opts.flagColumns);
  }

  protected override header(): string[] {
    if (!this.opts.header) return [];
    const { flagColumns, tgid } = this.opts;
    const tg = tgid ? " ".repeat(10) : "";
    const lines = ["# tracer: nop", "#", "# entries-in-buffer/entries-written: 0/0   #P:8", "#"];
    if (flagColumns === 5) {
      lines.push(
        `#                        ${tg}        _-----=> irqs-off/BH-disabled`,
        `#                        ${tg}       / _----=> need-resched`,
        `#                        ${tg}      | / _---=> hardirq/softirq`,
        `#                        ${tg}      || / _--=> preempt-depth`,
        `#                        ${tg}      ||| / _-=> migrate-disable`,
        `#                        ${tg}      |||| /     delay`,
        `#           TASK-PID     ${tgid ? "  TGID    " : ""}CPU#  |||||  TIMESTAMP  FUNCTION`,
        `#              | |       ${tgid ? "    |     " : ""}  |   |||||     |         |`,
      );
    } else if (flagColumns === 4) {
      lines.push(
        `#                        ${tg}     _-----=> irqs-off`,
        `#                        ${tg}    / _----=> need-resched`,
        `#                        ${tg}   | / _---=> hardirq/softirq`,
        `#                        ${tg}   || / _--=> preempt-depth`,
        `#                        ${tg}   ||| /     delay`,
        `#           TASK-PID     ${tgid ? "  TGID    " : ""}CPU#  ||||    TIMESTAMP  FUNCTION`,
        `#              | |       ${tgid ? "    |     " : ""}  |   ||||       |         |`,
      );
    } else {
      lines.push(`#           TASK-PID     ${tgid ? "  TGID    " : ""}CPU#     TIMESTAMP  FUNCTION`, `#              | |       ${tgid ? "    |     " : ""}  |         |         |`);
    }
    return lines;
  }

  /** The part before the timestamp: comm-pid, tgid, cpu, flags. */
  private prefix(task: string, pid: number, tgid: number | undefined, cpu: number, flags: string | undefined): string {
    let line = padStart(task, 16) + "-" + padEnd(String(pid), 7) + " ";
    if (this.opts.tgid) line += "(" + padStart(tgid === undefined ? "-------" : String(tgid), 7) + ") ";
    line += formatCpu(cpu) + " ";
    if (this.opts.flagColumns > 0) line += (flags ?? this.dots) + " ";
    return line;
  }

  /** Buffers one event (and its stack). False: await drained() before writing more. */
  event(ev: TraceEvent): boolean {
    this.begin();
    const pre = this.prefix(ev.task, ev.pid, ev.tgid, ev.cpu, ev.flags);
    const ts = formatTimestamp(ev.ts);
    let ok = this.sink.push(pre + ts + ": " + ev.event + ": " + formatFields(ev.fields, this.opts.pfnRadix));
    if (ev.stack && ev.stack.length > 0) {
      if (this.opts.stackHeader) ok = this.sink.push(pre + ts + ": <stack trace>");
      for (const fn of ev.stack) ok = this.sink.push(" => " + fn);
    }
    return ok;
  }

  /** A function-tracer line (`func <-parent`), which carries no event. */
  functionCall(ts: number, cpu: number, task: string, pid: number, func: string, parent: string): boolean {
    this.begin();
    return this.sink.push(this.prefix(task, pid, undefined, cpu, undefined) + formatTimestamp(ts) + ": " + func + " <-" + parent);
  }

  /** `CPU:3 [LOST 1842 EVENTS]`: the ring buffer overflowed on that CPU. */
  lost(cpu: number, count: number): boolean {
    this.begin();
    return this.sink.push(`CPU:${cpu} [LOST ${count} EVENTS]`);
  }
}
