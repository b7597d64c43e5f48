/** One self-overwriting progress line on a terminal's stderr, at most a few updates a second. */
export class ProgressLine {
  private last = 0;
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(p: { phase: string; done: number; total: number | null }): void {
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;
    const amount = p.done > 0 ? (p.total ? ` ${mib(p.done)} of ${mib(p.total)} (${Math.floor((100 * p.done) / p.total)}%)` : ` ${mib(p.done)}`) : "";
    this.out.write(`\r\x1b[2Kcasefile: ${p.phase}${amount}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.out.write("\r\x1b[2K");
    this.shown = false;
  }
}
