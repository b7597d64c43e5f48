import type { Endianness } from "../model/machine.js";
import { ChunkBuilder, parseDumpText, type DumpChunk, type DumpLineParser } from "./dump-chunk.js";
import { LineTally } from "./line-tally.js";

/**
 * Reads the crash utility's `rd` output (formats.md §3): `        17e7b000:  000000001e687067 ...   gph.....`.
 * The value width (rd -8/-16/-32/-64) is read from the digits; word values are in the dumped
 * system's byte order, so `endianness` must be the crashed machine's, not ours.
 * `rd -s` lines (symbols in place of values) cannot be turned back into bytes and are reported.
 */
export class CrashRdParser implements DumpLineParser {
  private readonly builder: ChunkBuilder;
  private readonly warnings: string[] = [];
  private readonly skipped = new LineTally();
  private symbolic = 0;
  private widths = new Set<number>();

  constructor(
    private readonly label: string,
    private readonly endianness: Endianness,
  ) {
    this.builder = new ChunkBuilder(label);
  }

  line(text: string, lineNo: number): void {
    if (text.trim() === "" || /^crash>/.test(text.trim())) return;
    const m = /^\s*([0-9a-fA-F]{1,16}):\s+(.*)$/.exec(text);
    if (!m) return this.skipped.add(lineNo);
    const address = BigInt("0x" + m[1]);
    const sep = m[2].indexOf("   ");
    const area = (sep >= 0 ? m[2].slice(0, sep) : m[2]).trim();
    const tokens = area.split(/\s+/);
    const width = tokens[0].length;
    if (![2, 4, 8, 16].includes(width) || tokens.some((tok) => tok.length !== width || !/^[0-9a-fA-F]+$/.test(tok))) {
      if (/[g-zG-Z_]/.test(area)) this.symbolic++;
      return this.skipped.add(lineNo);
    }
    this.widths.add(width);
    const size = width / 2;
    const out = new Uint8Array(tokens.length * size);
    const little = this.endianness === "little";
    for (let t = 0; t < tokens.length; t++) {
      const tok = tokens[t];
      for (let i = 0; i < size; i++) {
        // Digits are most significant first; memory order depends on the machine's byte order.
        const v = parseInt(tok.slice(i * 2, i * 2 + 2), 16);
        out[t * size + (little ? size - 1 - i : i)] = v;
      }
    }
    this.builder.append(address, out, lineNo);
  }

  finish(): { chunks: DumpChunk[]; warnings: string[] } {
    const why = this.symbolic > 0 ? ` (${this.symbolic} show symbols, as 'rd -s' prints; dump with 'rd -p -8' or 'rd -64' instead)` : "";
    const skipped = this.skipped.skippedWarning(this.label, "crash 'rd'", why);
    if (skipped) this.warnings.push(skipped);
    if (this.widths.size > 1) this.warnings.push(`${this.label}: the dump mixes value widths (${[...this.widths].map((w) => w * 4).join(", ")} bits)`);
    const chunks = this.builder.finish();
    return { chunks, warnings: [...this.warnings, ...this.builder.warnings] };
  }
}

export function readCrashRdText(text: string, label: string, endianness: Endianness): { chunks: DumpChunk[]; warnings: string[] } {
  return parseDumpText(new CrashRdParser(label, endianness), text);
}
