import { ChunkBuilder, MAX_REPEAT_BYTES, parseDumpText, type DumpChunk, type DumpLineParser } from "./dump-chunk.js";
import { LineTally } from "./line-tally.js";

/**
 * Reads `xxd` text (formats.md §3): `7079f000: 3230 3236 ...  2026-11-23 INFO `. Group size and
 * columns (xxd -g, -c) may vary: the hex area is everything before the two spaces that open the
 * ASCII column. `xxd -a` prints `*` for a run of zero lines, filled in from the next address.
 */
export class XxdParser implements DumpLineParser {
  private readonly builder: ChunkBuilder;
  private readonly warnings: string[] = [];
  private pendingSkip: number | null = null;
  private lineWidth = 16;
  private readonly skipped = new LineTally();
  private lastWasShort = false;
  private shortInside = 0;

  constructor(private readonly label: string) {
    this.builder = new ChunkBuilder(label);
  }

  line(text: string, lineNo: number): void {
    const t = text;
    if (t.trim() === "") return;
    if (t.trim() === "*") {
      this.pendingSkip = lineNo;
      return;
    }
    const m = /^\s*([0-9a-fA-F]{4,16}):\s(.*)$/.exec(t);
    if (!m) return this.skipped.add(lineNo);
    const address = BigInt("0x" + m[1]);
    const rest = m[2];
    const sep = rest.indexOf("  ");
    const area = (sep >= 0 ? rest.slice(0, sep) : rest).replace(/ /g, "");
    if (area.length === 0 || area.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(area)) return this.skipped.add(lineNo);
    const bytes = Buffer.from(area, "hex");
    if (this.pendingSkip !== null) {
      const ok = this.builder.repeat(new Uint8Array(1), address, this.pendingSkip, MAX_REPEAT_BYTES);
      if (!ok) this.warnings.push(`${this.label}:${this.pendingSkip}: the '*' zero run up to 0x${address.toString(16)} is backwards or too long; not expanded`);
      this.pendingSkip = null;
    }
    if (this.lastWasShort && this.builder.next === address) this.shortInside++;
    this.builder.append(address, new Uint8Array(bytes), lineNo);
    if (this.lineWidth < bytes.length) this.lineWidth = bytes.length;
    this.lastWasShort = bytes.length < this.lineWidth;
  }

  finish(): { chunks: DumpChunk[]; warnings: string[] } {
    if (this.pendingSkip !== null) this.warnings.push(`${this.label}:${this.pendingSkip}: the dump ends on a '*' line, so the length of the zero run is unknown; it looks truncated`);
    const skipped = this.skipped.skippedWarning(this.label, "xxd");
    if (skipped) this.warnings.push(skipped);
    if (this.shortInside > 0) this.warnings.push(`${this.label}: ${this.shortInside} short line(s) in the middle of the dump; lines may have been cut`);
    const chunks = this.builder.finish();
    return { chunks, warnings: [...this.warnings, ...this.builder.warnings] };
  }
}

export function readXxdText(text: string, label: string): { chunks: DumpChunk[]; warnings: string[] } {
  return parseDumpText(new XxdParser(label), text);
}
