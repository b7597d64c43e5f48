import type { Writable } from "node:stream";
import { BufferedLineSink } from "./buffered-line-sink.js";

/**
 * What every trace writer shares: lines batched into a BufferedLineSink, a header written lazily
 * before the first line of any kind, and the backpressure contract. Call `event()` in a loop and
 * `await drained()` whenever it returns false (or simply `await write()`), then `await end()`.
 */
export abstract class StreamedTraceWriter<E> {
  protected readonly sink: BufferedLineSink;
  private started = false;

  constructor(
    out: Writable,
    private readonly endStream: boolean,
  ) {
    this.sink = new BufferedLineSink(out);
  }

  /** The lines before the first event (none unless a format has a header). */
  protected header(): readonly string[] {
    return [];
  }

  /** Writes the header once; every method that writes calls it first. */
  protected begin(): void {
    if (this.started) return;
    this.started = true;
    for (const line of this.header()) this.sink.push(line);
  }

  /** Buffers one event. False: await drained() before writing more. */
  abstract event(ev: E): boolean;

  /** Any raw line as given (garbage, comments); `end(tail)` writes a cut-off last line. */
  raw(text: string): boolean {
    this.begin();
    return this.sink.push(text);
  }

  /** Buffers the event and waits for the stream when it asked to. */
  async write(ev: E): Promise<void> {
    if (!this.event(ev)) await this.sink.drained();
  }

  drained(): Promise<void> {
    return this.sink.drained();
  }

  /** Flushes and ends the stream; `truncatedTail` is written last without a newline (a cut-off trace). */
  async end(truncatedTail?: string): Promise<void> {
    this.begin();
    if (truncatedTail !== undefined) this.sink.pushPartial(truncatedTail);
    await this.sink.end(this.endStream);
  }
}
