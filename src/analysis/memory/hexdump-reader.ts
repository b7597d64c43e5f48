import { ChunkBuilder, MAX_REPEAT_BYTES, PRINTABLE, parseDumpText, type DumpChunk, type DumpLineParser } from "./dump-chunk.js";
import { LineTally } from "./line-tally.js";

/**
 * Reads `hexdump -C` text (formats.md §3): `54d70000  b8 ce ... 02  |.......B......E.|`, a `*`
 * line repeating the previous line until the next address, and the end offset alone on the
 * last line. Damaged input gives warnings: lines that are not hexdump, an ASCII column that
 * disagrees with the bytes, a `*` with nothing after it, a missing end offset (truncation).
 */
export class HexdumpParser implements DumpLineParser {
  private readonly builder: ChunkBuilder;
  private readonly warnings: string[] = [];
  private last: Uint8Array | null = null;
  private pendingRepeat: { line: number } | null = null;
  private sawEnd = false;
  private readonly skipped = new LineTally();
  private readonly asciiMismatch = new LineTally();
  private afterEnd = 0;

  constructor(private readonly label: string) {
    this.builder = new ChunkBuilder(label);
  }

  line(text: string, lineNo: number): void {
    // Pasted dumps are often indented (Markdown lists, quoted mail).
    const t = text.trim();
    if (t === "") return;
    if (t === "*") {
      if (this.last) this.pendingRepeat = { line: lineNo };
      else this.skipped.add(lineNo);
      return;
    }
    const m = /^([0-9a-fA-F]{7,16})(?:\s+(.*))?$/.exec(t);
    if (!m) return this.skipped.add(lineNo);
    const address = BigInt("0x" + m[1]);
    if (m[2] === undefined) {
      // The end offset line: closes a pending `*`.
      this.resolveRepeat(address, lineNo);
      this.sawEnd = true;
      return;
    }
    const bytes = parseHexBytes(m[2]);
    if (!bytes) return this.skipped.add(lineNo);
    if (this.sawEnd) this.afterEnd++;
    this.sawEnd = false;
    this.resolveRepeat(address, lineNo);
    const ascii = /\|(.*)\|?$/.exec(m[2]);
    if (ascii && !asciiMatches(bytes, ascii[1].replace(/\|$/, ""))) {
      this.asciiMismatch.add(lineNo);
    }
    this.builder.append(address, bytes, lineNo);
    this.last = bytes.length === 16 ? bytes : null;
  }

  finish(): { chunks: DumpChunk[]; warnings: string[] } {
    if (this.pendingRepeat) {
      this.warnings.push(`${this.label}:${this.pendingRepeat.line}: a '*' repeat line is not followed by an address, so how far it repeats is unknown; the dump looks truncated`);
    } else if (!this.sawEnd && this.builder.next !== null) {
      this.warnings.push(`${this.label}: the dump does not end with hexdump's final offset line; it may be truncated`);
    }
    const skipped = this.skipped.skippedWarning(this.label, "hexdump -C");
    if (skipped) this.warnings.push(skipped);
    if (this.asciiMismatch.count > 0) {
      this.warnings.push(`${this.label}: ${this.asciiMismatch.count} line(s) have an ASCII column that disagrees with their bytes (first at line ${this.asciiMismatch.first}); the text may have been edited or garbled`);
    }
    const chunks = this.builder.finish();
    return { chunks, warnings: [...this.warnings, ...this.builder.warnings] };
  }

  private resolveRepeat(until: bigint, lineNo: number): void {
    if (!this.pendingRepeat || !this.last) return;
    const ok = this.builder.repeat(this.last, until, this.pendingRepeat.line, MAX_REPEAT_BYTES);
    if (!ok) {
      this.warnings.push(
        `${this.label}:${this.pendingRepeat.line}: the '*' repeat up to 0x${until.toString(16)} (line ${lineNo}) is backwards or longer than ${MAX_REPEAT_BYTES / 1048576} MiB; not expanded`,
      );
    }
    this.pendingRepeat = null;
  }
}

/** Up to 16 two-digit hex tokens before the ASCII column. */
function parseHexBytes(rest: string): Uint8Array | null {
  const bar = rest.indexOf("|");
  const area = bar >= 0 ? rest.slice(0, bar) : rest;
  const tokens = area.trim().split(/\s+/);
  if (tokens.length === 0 || tokens.length > 16 || tokens[0] === "") return null;
  const out = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok.length !== 2) return null;
    const v = parseInt(tok, 16);
    if (Number.isNaN(v) || !/^[0-9a-fA-F]{2}$/.test(tok)) return null;
    out[i] = v;
  }
  return out;
}

function asciiMatches(bytes: Uint8Array, ascii: string): boolean {
  if (ascii.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    const expect = PRINTABLE(bytes[i]) ? String.fromCharCode(bytes[i]) : ".";
    if (ascii[i] !== expect) return false;
  }
  return true;
}

export function readHexdumpText(text: string, label: string): { chunks: DumpChunk[]; warnings: string[] } {
  return parseDumpText(new HexdumpParser(label), text);
}
