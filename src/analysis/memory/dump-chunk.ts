/**
 * What a text dump reader produces: contiguous runs of bytes at dump addresses, each byte
 * traceable to the line it came from ("memory.txt:12"), which the report cites as the source.
 */
export interface DumpChunk {
  /** Address as the dump printed it (physical, or virtual in the linear map). */
  address: bigint;
  bytes: Uint8Array;
  /** lineOffsets[i] is the byte offset in `bytes` where line lines[i] begins; ascending. */
  lineOffsets: number[];
  lines: number[];
}

/** The line a byte of a chunk came from. */
export function lineOf(chunk: DumpChunk, offset: number): number {
  const o = chunk.lineOffsets;
  let lo = 0;
  let hi = o.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (o[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return chunk.lines[lo] ?? 0;
}

/**
 * Accumulates dump lines into chunks: a line continuing at the expected address extends the
 * current chunk, anything else starts a new one. Addresses that go backwards are kept (as a new
 * chunk) but reported, since they usually mean two dumps were pasted together or a line was
 * garbled.
 */
export class ChunkBuilder {
  readonly chunks: DumpChunk[] = [];
  readonly warnings: string[] = [];
  private buf = new Uint8Array(4096);
  private len = 0;
  private start = 0n;
  private offsets: number[] = [];
  private lines: number[] = [];
  private open = false;
  private backwards = 0;

  constructor(private readonly label: string) {}

  /** Address just past the last byte appended, or null before the first line. */
  get next(): bigint | null {
    return this.open ? this.start + BigInt(this.len) : null;
  }

  append(address: bigint, bytes: Uint8Array, line: number): void {
    const next = this.next;
    if (next === null || address !== next) {
      if (next !== null && address < next) {
        this.backwards++;
        if (this.backwards <= 3) {
          this.warnings.push(
            `${this.label}:${line}: address 0x${address.toString(16)} goes backwards (the previous line ended at 0x${next.toString(16)}); read as a separate range`,
          );
        }
      }
      this.flush();
      this.start = address;
      this.open = true;
    }
    if (this.offsets.length === 0 || this.lines[this.lines.length - 1] !== line) {
      this.offsets.push(this.len);
      this.lines.push(line);
    }
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Repeats `pattern` until `until` (hexdump `*` lines); returns false when the gap is not sane. */
  repeat(pattern: Uint8Array, until: bigint, line: number, maxBytes: number): boolean {
    const next = this.next;
    if (next === null || pattern.length === 0 || until <= next) return false;
    const gap = until - next;
    if (gap > BigInt(maxBytes)) return false;
    const n = Number(gap);
    this.ensure(n);
    if (this.lines[this.lines.length - 1] !== line) {
      this.offsets.push(this.len);
      this.lines.push(line);
    }
    for (let i = 0; i < n; i++) this.buf[this.len + i] = pattern[i % pattern.length];
    this.len += n;
    return true;
  }

  finish(): DumpChunk[] {
    this.flush();
    if (this.backwards > 3) this.warnings.push(`${this.label}: ${this.backwards} lines in all go backwards in address`);
    return this.chunks;
  }

  private flush(): void {
    if (this.open && this.len > 0) {
      this.chunks.push({ address: this.start, bytes: this.buf.slice(0, this.len), lineOffsets: this.offsets, lines: this.lines });
    }
    this.len = 0;
    this.offsets = [];
    this.lines = [];
    this.open = false;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }
}

/** A line-at-a-time dump parser (hexdump, xxd, crash rd share this shape). */
export interface DumpLineParser {
  line(text: string, lineNo: number): void;
  finish(): { chunks: DumpChunk[]; warnings: string[] };
}

/** Runs a parser over whole text (tests, pasted blocks). */
export function parseDumpText(parser: DumpLineParser, text: string): { chunks: DumpChunk[]; warnings: string[] } {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (let i = 0; i < lines.length; i++) parser.line(lines[i].replace(/\r$/, ""), i + 1);
  return parser.finish();
}

/** Most bytes one `*` line may stand for: a garbled offset must not allocate gigabytes. */
export const MAX_REPEAT_BYTES = 64 * 1024 * 1024;

export const PRINTABLE = (b: number): boolean => b >= 0x20 && b < 0x7f;
