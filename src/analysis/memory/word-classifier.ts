import type { MachineFacts } from "../model/machine.js";
import type { SymbolMap } from "../symbols/symbol-map.js";
import { linearMapSize } from "./linear-map.js";

/**
 * Classifies 8-byte words of memory as kernel-looking or foreign. Live kernel memory is mostly
 * zeros, small integers and pointers (into the linear map, kernel text, modules, vmalloc,
 * vmemmap); packet headers, file data and text are not. Words are read in the dumped machine's
 * byte order.
 */
export type WordClass =
  | "zero"
  | "small" // counters, flags, lengths, small negative errnos, pairs of small 32-bit fields
  | "linear" // pointer into the linear map (slab objects, page tables, ...)
  | "text" // resolves in System.map, or lies in the kernel image
  | "module"
  | "vmalloc"
  | "vmemmap" // struct page pointers
  | "poison" // list poison, slab poison words
  | "pte" // page-table entry: flags and a frame number
  | "ascii" // eight printable characters
  | "foreign";

export const KERNEL_LIKE: ReadonlySet<WordClass> = new Set(["zero", "small", "linear", "text", "module", "vmalloc", "vmemmap", "poison", "pte"]);
export const POINTER_CLASSES: ReadonlySet<WordClass> = new Set(["linear", "text", "module", "vmalloc", "vmemmap"]);

type Range = readonly [bigint, bigint, WordClass];

/** Kernel virtual ranges per arch, beyond the linear map (which comes from the machine facts). */
function kernelRanges(machine: MachineFacts): Range[] {
  switch (machine.arch) {
    case "x86_64":
      return [
        [0xffffffff80000000n, 0xffffffffa0000000n, "text"],
        [0xffffffffa0000000n, 0xffffffffff000000n, "module"],
        [0xffffc90000000000n, 0xffffe90000000000n, "vmalloc"],
        [0xffffea0000000000n, 0xffffeb0000000000n, "vmemmap"],
      ];
    case "ppc64":
    case "ppc64le":
      return [
        [0xc008000000000000n, 0xc00c000000000000n, "vmalloc"], // radix vmalloc and modules
        [0xc00c000000000000n, 0xc00d000000000000n, "vmemmap"],
        [0xd000000000000000n, 0xd010000000000000n, "vmalloc"], // hash MMU
        [0xf000000000000000n, 0xf010000000000000n, "vmemmap"],
      ];
    case "arm64":
      return [[0xffff000000000000n, 0x10000000000000000n, "vmalloc"]];
  }
}

const POISON_WORDS = new Set<bigint>([
  0xdead000000000100n, 0xdead000000000122n, // x86_64 LIST_POISON1/2
  0x5deadbeef0000100n, 0x5deadbeef0000122n, // ppc64 (CONFIG_ILLEGAL_POINTER_VALUE)
  0x6b6b6b6b6b6b6b6bn, 0x6b6b6b6b6b6b6ba5n, 0xa56b6b6b6b6b6b6bn, 0x5a5a5a5a5a5a5a5an,
  0xbbbbbbbbbbbbbbbbn, 0xccccccccccccccccn, 0xaaaaaaaaaaaaaaaan, 0xffffffffffffffffn,
]);
const POISON_HIGH = new Set<number>([...POISON_WORDS].map((v) => Number(v >> 32n)));

/** [start, end) as 32-bit halves, compared without bigints. */
interface HalfRange {
  sHi: number;
  sLo: number;
  eHi: number;
  eLo: number;
  cls: WordClass;
}

function halfRange(start: bigint, end: bigint, cls: WordClass): HalfRange {
  return { sHi: Number(start >> 32n), sLo: Number(start & 0xffffffffn), eHi: Number(end >> 32n), eLo: Number(end & 0xffffffffn), cls };
}

function within(r: HalfRange, hi: number, lo: number): boolean {
  return (hi > r.sHi || (hi === r.sHi && lo >= r.sLo)) && (hi < r.eHi || (hi === r.eHi && lo < r.eLo));
}

/**
 * Classification runs over every word of the pages it looks at, so it works on the two 32-bit
 * halves as plain numbers and builds a bigint only for poison and System.map lookups.
 */
export class WordClassifier {
  private readonly ranges: HalfRange[];
  private readonly little: boolean;
  /** Where System.map symbols can match (first symbol to last + the lookup's reach). */
  private readonly symbolRange: HalfRange | null;

  constructor(
    private readonly machine: MachineFacts,
    private readonly symbols: SymbolMap | null,
  ) {
    this.little = machine.endianness === "little";
    const ranges: HalfRange[] = [];
    const base = machine.linearMapBase;
    if (base !== null) ranges.push(halfRange(base, base + linearMapSize(machine.arch), "linear"));
    for (const [s, e, c] of kernelRanges(machine)) ranges.push(halfRange(s, e, c));
    this.ranges = ranges;
    const b = symbols?.bounds();
    this.symbolRange = b ? halfRange(b.low, b.high + 0x100001n, "text") : null;
  }

  word(bytes: Uint8Array, at: number): bigint {
    const dv = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
    return dv.getBigUint64(0, this.little);
  }

  classify(v: bigint, bytes?: Uint8Array, at = 0): WordClass {
    return this.classifyHalves(Number(v >> 32n), Number(v & 0xffffffffn), bytes, at);
  }

  /** Class of the word at bytes[at..at+8), read in the machine's byte order. */
  classifyAt(bytes: Uint8Array, dv: DataView, at: number): WordClass {
    const a = dv.getUint32(at, this.little);
    const b = dv.getUint32(at + 4, this.little);
    return this.little ? this.classifyHalves(b, a, bytes, at) : this.classifyHalves(a, b, bytes, at);
  }

  private classifyHalves(hi: number, lo: number, bytes: Uint8Array | undefined, at: number): WordClass {
    if (hi === 0 && lo === 0) return "zero";
    if (POISON_HIGH.has(hi) && POISON_WORDS.has((BigInt(hi) << 32n) | BigInt(lo))) return "poison";
    if (hi === 0 || (hi === 0xffffffff && lo >= 0xffff0000) || (hi < 0x10000 && lo < 0x10000)) return "small";
    const sr = this.symbolRange;
    if (sr && within(sr, hi, lo) && this.symbols?.lookup((BigInt(hi) << 32n) | BigInt(lo))) return "text";
    for (const r of this.ranges) if (within(r, hi, lo)) return r.cls;
    if (bytes && this.isPte(hi, lo, bytes, at)) return "pte";
    if (bytes && isAsciiWord(bytes, at)) return "ascii";
    return "foreign";
  }

  /**
   * Page-table entries: x86_64 NX bit + frame number + present bit; POWER radix PTEs, which are
   * big-endian whatever the kernel's byte order, with the valid bit on top and the bits below
   * it clear.
   */
  private isPte(hi: number, lo: number, bytes: Uint8Array, at: number): boolean {
    if (this.machine.arch === "x86_64") return hi >= 0x80000000 && (hi & 0x7ff00000) === 0 && (lo & 1) === 1;
    if (this.machine.arch === "ppc64le" || this.machine.arch === "ppc64") {
      const beHi = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
      const top = (beHi & 0xfff00000) >>> 0; // >>> 0: bitwise results are signed
      return top === 0x80000000 || top === 0xc0000000;
    }
    return false;
  }

  /** Classes of every whole word in bytes (offset 0 must be 8-byte aligned in memory). */
  classifyAll(bytes: Uint8Array): WordClass[] {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const out: WordClass[] = [];
    for (let at = 0; at + 8 <= bytes.length; at += 8) out.push(this.classifyAt(bytes, dv, at));
    return out;
  }

  /** "tcp_prot+0x40" for a text word, when a System.map was given. */
  symbolOf(v: bigint): string | null {
    return this.symbols?.format(v) ?? null;
  }
}

function isAsciiWord(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 8; i++) {
    const b = bytes[i];
    if (!((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x09 || b === 0x0d)) return false;
  }
  return true;
}
