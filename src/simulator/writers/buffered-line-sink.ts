import type { Writable } from "node:stream";

/**
 * Collects text lines into ~64 KiB chunks before handing them to a Writable, and honours the
 * stream's backpressure: `push` returns false once the stream asked to wait, and `drained()`
 * resolves when it may be written again. Batching matters: the simulator writes GiB-sized traces.
 */
export class BufferedLineSink {
  private parts: string[] = [];
  private pending = 0;
  private waiting = false;

  constructor(
    private readonly out: Writable,
    private readonly chunkChars = 64 * 1024,
  ) {}

  /** Appends one line (the newline is added here). False means: await drained() before going on. */
  push(line: string): boolean {
    this.parts.push(line, "\n");
    this.pending += line.length + 1;
    if (this.pending >= this.chunkChars) this.flush();
    return !this.waiting;
  }

  /** Appends text without a newline (a trace cut off mid-line). */
  pushPartial(text: string): boolean {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= this.chunkChars) this.flush();
    return !this.waiting;
  }

  /** Hands what is buffered to the stream now. */
  flush(): void {
    if (this.pending === 0) return;
    const chunk = this.parts.join("");
    this.parts = [];
    this.pending = 0;
    if (!this.out.write(chunk, "utf8")) this.waiting = true;
  }

  /** Resolves once the stream has room again (immediately when it never asked to wait). */
  drained(): Promise<void> {
    if (!this.waiting) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        this.out.off("drain", onDrain);
        this.out.off("error", onError);
        this.out.off("close", onDrain);
        this.waiting = false;
        if (err) reject(err);
        else resolve();
      };
      const onDrain = (): void => done();
      const onError = (err: Error): void => done(err);
      this.out.once("drain", onDrain);
      this.out.once("error", onError);
      this.out.once("close", onDrain);
    });
  }

  /** Flushes, then ends the stream (unless `endStream` is false) and waits until it finished. */
  async end(endStream = true): Promise<void> {
    this.flush();
    await this.drained();
    if (!endStream) return;
    await new Promise<void>((resolve, reject) => {
      this.out.once("error", reject);
      this.out.end(() => resolve());
    });
  }
}
