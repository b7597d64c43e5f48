import type { MachineFacts } from "../model/machine.js";
import type { SymbolMap } from "../symbols/symbol-map.js";
import { inLinearMap } from "./linear-map.js";

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
  | "ascii" // eight printable characters
  | "foreign";

export const KERNEL_LIKE: ReadonlySet<WordClass> = new Set(["zero", "small", "linear", "text", "module", "vmalloc", "vmemmap", "poison"]);
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

export class WordClassifier {
  private readonly ranges: Range[];
  private readonly little: boolean;

  constructor(
    private readonly machine: MachineFacts,
    private readonly symbols: SymbolMap | null,
  ) {
    this.ranges = kernelRanges(machine);
    this.little = machine.endianness === "little";
  }

  word(bytes: Uint8Array, at: number): bigint {
    const dv = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
    return dv.getBigUint64(0, this.little);
  }

  classify(v: bigint, bytes?: Uint8Array, at = 0): WordClass {
    if (v === 0n) return "zero";
    if (POISON_WORDS.has(v)) return "poison";
    const hi = Number(v >> 32n);
    const lo = Number(v & 0xffffffffn);
    if (hi === 0 || (hi === 0xffffffff && lo >= 0xffff0000) || (hi < 0x10000 && lo < 0x10000)) return "small";
    if (this.symbols && hi >= 0x80000000 && this.symbols.lookup(v)) return "text";
    if (inLinearMap(v, this.machine)) return "linear";
    for (const [s, e, c] of this.ranges) if (v >= s && v < e) return c;
    if (bytes && isAsciiWord(bytes, at)) return "ascii";
    return "foreign";
  }

  /** Classes of every whole word in bytes (offset 0 must be 8-byte aligned in memory). */
  classifyAll(bytes: Uint8Array): WordClass[] {
    const out: WordClass[] = [];
    for (let at = 0; at + 8 <= bytes.length; at += 8) out.push(this.classify(this.word(bytes, at), bytes, at));
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
