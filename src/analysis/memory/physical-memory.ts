import { lineOf, type DumpChunk } from "./dump-chunk.js";
import { closeElfCore, readCoreBytes, type ElfCore } from "./elf-core-reader.js";

/**
 * One sparse view of physical memory over every memory artifact of a bundle. Text dumps live in
 * memory; ELF cores are read on demand from their file. Where two artifacts cover the same
 * address the first one added keeps it, and differing bytes are reported by `addChunk`, not
 * silently merged. `read` is synchronous so the region finder's loops stay simple; it only ever
 * reads what the analysis asks for.
 */
interface TextSpan {
  kind: "text";
  start: bigint;
  end: bigint;
  artifact: string;
  chunk: DumpChunk;
  /** Offset of `start` inside chunk.bytes. */
  chunkOffset: number;
}

interface CoreSpan {
  kind: "core";
  start: bigint;
  end: bigint;
  artifact: string;
  core: ElfCore;
  fileOffset: bigint;
}

type Span = TextSpan | CoreSpan;

export interface CoveredRange {
  start: bigint;
  end: bigint;
  artifact: string;
  kind: "text" | "core";
}

export class PhysicalMemory {
  /** Sorted by start, never overlapping. */
  private spans: Span[] = [];
  private readonly cores: ElfCore[] = [];
  /** Bytes read from cores so far (the benchmark reports it). */
  bytesReadFromCores = 0;

  get isEmpty(): boolean {
    return this.spans.length === 0;
  }

  /** Every covered range, in address order. */
  ranges(): CoveredRange[] {
    return this.spans.map((s) => ({ start: s.start, end: s.end, artifact: s.artifact, kind: s.kind }));
  }

  /** Covered pieces of [start, end), in address order. */
  covered(start: bigint, end: bigint): CoveredRange[] {
    const out: CoveredRange[] = [];
    for (let i = this.firstEndingAfter(start); i < this.spans.length; i++) {
      const s = this.spans[i];
      if (s.start >= end) break;
      out.push({ start: s.start > start ? s.start : start, end: s.end < end ? s.end : end, artifact: s.artifact, kind: s.kind });
    }
    return out;
  }

  /** Total bytes covered by text dumps (they are small enough to scan whole). */
  textBytes(): bigint {
    let n = 0n;
    for (const s of this.spans) if (s.kind === "text") n += s.end - s.start;
    return n;
  }

  /**
   * Adds a text-dump chunk at physical address `start`. Parts already covered are compared with
   * what is there; returns plain-words conflict warnings (one per overlapping artifact).
   */
  addChunk(start: bigint, chunk: DumpChunk, artifact: string): string[] {
    const end = start + BigInt(chunk.bytes.length);
    const warnings: string[] = [];
    let cursor = start;
    const pieces: TextSpan[] = [];
    for (const c of this.covered(start, end)) {
      if (c.start > cursor) pieces.push(this.textSpan(cursor, c.start, start, chunk, artifact));
      const existing = this.read(c.start, Number(c.end - c.start));
      if (existing) {
        let diff = 0;
        let first = -1;
        const off = Number(c.start - start);
        for (let i = 0; i < existing.length; i++) {
          if (existing[i] !== chunk.bytes[off + i]) {
            if (first < 0) first = i;
            diff++;
          }
        }
        if (diff > 0) {
          const at = c.start + BigInt(first);
          warnings.push(
            `${diff} byte(s) in 0x${c.start.toString(16)}-0x${c.end.toString(16)} differ between ${this.sourceOf(at)} and ${artifact}:${lineOf(chunk, off + first)} ` +
              `(first at 0x${at.toString(16)}: 0x${hex2(existing[first])} vs 0x${hex2(chunk.bytes[off + first])}); the bytes of ${c.artifact} are used`,
          );
        }
      }
      cursor = c.end;
    }
    if (cursor < end) pieces.push(this.textSpan(cursor, end, start, chunk, artifact));
    for (const p of pieces) this.insert(p);
    return warnings;
  }

  /** Maps a core's PT_LOAD segments; overlapping segments (kernel text aliases) keep the first. */
  addCore(core: ElfCore, artifact: string): void {
    this.cores.push(core);
    for (const seg of core.segments) {
      const start = seg.paddr;
      const end = seg.paddr + seg.fileSize;
      let cursor = start;
      for (const c of this.covered(start, end)) {
        if (c.start > cursor) this.insert({ kind: "core", start: cursor, end: c.start, artifact, core, fileOffset: seg.fileOffset + (cursor - start) });
        cursor = c.end;
      }
      if (cursor < end) this.insert({ kind: "core", start: cursor, end, artifact, core, fileOffset: seg.fileOffset + (cursor - start) });
    }
  }

  /** The bytes of [addr, addr + length), or null unless every byte is covered. */
  read(addr: bigint, length: number): Uint8Array | null {
    if (length <= 0) return new Uint8Array(0);
    const end = addr + BigInt(length);
    const out = new Uint8Array(length);
    let cursor = addr;
    for (let i = this.firstEndingAfter(addr); i < this.spans.length && cursor < end; i++) {
      const s = this.spans[i];
      if (s.start > cursor) return null;
      const stop = s.end < end ? s.end : end;
      const n = Number(stop - cursor);
      const dst = Number(cursor - addr);
      if (s.kind === "text") {
        const from = s.chunkOffset + Number(cursor - s.start);
        out.set(s.chunk.bytes.subarray(from, from + n), dst);
      } else {
        const got = readCoreBytes(s.core, s.fileOffset + (cursor - s.start), n);
        this.bytesReadFromCores += got.length;
        if (got.length < n) return null;
        out.set(got, dst);
      }
      cursor = stop;
    }
    return cursor >= end ? out : null;
  }

  /** "memory.txt:12" for text dumps, "vmcore@0x54d70000" for cores, null when not covered. */
  sourceOf(addr: bigint): string | null {
    const i = this.firstEndingAfter(addr);
    const s = this.spans[i];
    if (!s || s.start > addr) return null;
    if (s.kind === "core") return `${s.artifact}@0x${addr.toString(16)}`;
    return `${s.artifact}:${lineOf(s.chunk, s.chunkOffset + Number(addr - s.start))}`;
  }

  /** Where each core-backed range lies in its file, for sweeps that read cores directly. */
  coreRanges(): { start: bigint; end: bigint; fd: number; fileOffset: bigint }[] {
    const out: { start: bigint; end: bigint; fd: number; fileOffset: bigint }[] = [];
    for (const s of this.spans) if (s.kind === "core") out.push({ start: s.start, end: s.end, fd: s.core.fd, fileOffset: s.fileOffset });
    return out;
  }

  /** Closes the core files. Safe to call twice. */
  close(): void {
    for (const c of this.cores.splice(0)) closeElfCore(c);
  }

  private textSpan(from: bigint, to: bigint, chunkStart: bigint, chunk: DumpChunk, artifact: string): TextSpan {
    return { kind: "text", start: from, end: to, artifact, chunk, chunkOffset: Number(from - chunkStart) };
  }

  private insert(span: Span): void {
    const i = this.firstEndingAfter(span.start);
    this.spans.splice(i, 0, span);
  }

  /** Index of the first span whose end is beyond addr. */
  private firstEndingAfter(addr: bigint): number {
    let lo = 0;
    let hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.spans[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, "0");
}
